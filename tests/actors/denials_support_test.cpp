// Denials of support steps, audit reads, password logins and dashboard subscriptions are audit events
// (SPEC §5), named by who asked and cut to 200 code points of client text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using domain::errc;

struct denials_support_test : registry_fixture {
  std::vector<domain::audit_event> denied(const std::string& event, const std::string& chain = "acme") {
    return denied_events(rt->reader(), event, chain);
  }
  /// The one denied `event` on `chain` (fails the test when there is not exactly one).
  domain::audit_event only(const std::string& event, const std::string& chain = "acme") {
    auto events = denied(event, chain);
    EXPECT_EQ(events.size(), 1u) << event;
    return events.empty() ? domain::audit_event{} : events.front();
  }
  actors::request_reply request(const std::string& token, std::vector<std::string> portals, std::string ticket) {
    return rt->ask<actors::request_reply>(
      actors::request_atom::value,
      actors::request_command{crypto::token_hash(token), std::move(portals), "Enrolments fail for every learner",
                              std::move(ticket), "10.1.1.1"});
  }
  actors::mint_reply login(const std::string& username, const std::string& password) {
    return rt->ask<actors::mint_reply>(actors::login_atom::value, actors::login_command{username, password, "10.2.2.2"});
  }
};

TEST_F(denials_support_test, refused_support_steps_are_audited) {
  auto sam = rt->token_for("sam");
  auto adam = rt->token_for("adam");
  // Only support staff request access; a 60 KB ticket is refused and recorded cut.
  EXPECT_EQ(request(rt->token_for("ann"), {"acme-eu"}, "T-1").refused.error, errc::permission_missing);
  EXPECT_EQ(only("support.request").performed_by, "ann");
  EXPECT_EQ(request(sam, {"acme-eu"}, std::string(60000, 't')).refused.error, errc::invalid_request);
  auto huge = denied("support.request");
  ASSERT_EQ(huge.size(), 2u);
  EXPECT_EQ(huge[1].performed_by, "sam");
  EXPECT_NE(huge[1].detail_json.find(R"("ticket":")" + std::string(200, 't') + "\""), std::string::npos)
    << huge[1].detail_json.size();

  auto filed = request(sam, {"acme-eu"}, "T-4711");
  ASSERT_FALSE(filed.refused.error);
  const auto& request_id = filed.request.request_id;
  // An admin is no superadmin: it can neither deny nor allow; a learner cannot cancel sam's request.
  EXPECT_TRUE(rt->ask<actors::request_reply>(actors::deny_atom::value, crypto::token_hash(adam), request_id,
                                             std::string{"10.0.0.7"}).refused.error);
  EXPECT_EQ(only("support.deny").performed_by, "adam");
  EXPECT_TRUE(rt->ask<actors::request_reply>(actors::cancel_atom::value, crypto::token_hash(rt->token_for("ann")),
                                             request_id, std::string{}).refused.error);
  EXPECT_EQ(only("support.cancel").performed_by, "ann");
  auto grant = rt->ask<actors::grants_reply>(
    actors::grant_atom::value, actors::grant_command{crypto::token_hash(adam), request_id, {"acme-eu"}, std::nullopt, ""});
  EXPECT_TRUE(grant.refused.error);
  EXPECT_EQ(only("support.grant").code, domain::to_string(*grant.refused.error));
  EXPECT_EQ(rt->ask<actors::grants_reply>(actors::revoke_atom::value, crypto::token_hash(adam),
                                          std::vector<std::string>{"grt_nope"}, std::string{}).refused.error,
            errc::not_found);
  EXPECT_NE(only("support.revoke").detail_json.find("grt_nope"), std::string::npos);
  EXPECT_EQ(rt->ask<actors::mint_reply>(actors::gtoken_atom::value, crypto::token_hash(rt->token_for("sara")),
                                        std::string{"grt_nope"}).error,
            errc::not_found);
  EXPECT_EQ(only("support.token").performed_by, "sara");
  EXPECT_EQ(rt->ask<actors::audit_reply>(actors::glog_atom::value, crypto::token_hash(adam), std::string{"grt_nope"}).error,
            errc::not_found);
  EXPECT_EQ(only("support.log").performed_by, "adam");
}

TEST_F(denials_support_test, refused_audit_reads_are_audited) {
  auto adam = rt->token_for("adam");
  domain::audit_query q;
  q.chain = "globex";
  EXPECT_EQ(rt->ask<actors::audit_reply>(actors::audit_atom::value, crypto::token_hash(adam), q).error, errc::forbidden);
  auto read = only("audit.read");
  EXPECT_EQ(read.performed_by, "adam");
  EXPECT_NE(read.detail_json.find(R"("chain":"globex")"), std::string::npos) << read.detail_json;
  EXPECT_EQ(rt->ask<actors::verify_reply>(actors::verify_atom::value, crypto::token_hash(adam), std::string{}).error,
            errc::forbidden);
  EXPECT_EQ(only("audit.verify").code, "forbidden");
}

TEST_F(denials_support_test, a_failed_login_is_audited_with_the_username_as_typed_and_never_the_password) {
  EXPECT_EQ(login("ann", "hunter2-wrong").error, errc::unauthenticated);
  EXPECT_EQ(login("Nobody Here", "hunter3-wrong").error, errc::unauthenticated);
  auto known = only("login");
  EXPECT_FALSE(known.performed_by);
  EXPECT_EQ(known.ip, "10.2.2.2");
  EXPECT_EQ(known.code, "unauthenticated");
  EXPECT_NE(known.detail_json.find(R"("username":"ann")"), std::string::npos) << known.detail_json;
  auto unknown = only("login", "system");
  EXPECT_NE(unknown.detail_json.find(R"("username":"Nobody Here")"), std::string::npos) << unknown.detail_json;
  for (const auto* chain : {"acme", "system"})
    for (const auto& e : rt->reader().audit_chain(chain))
      EXPECT_EQ(domain::canonical_json(e).find("hunter"), std::string::npos) << domain::canonical_json(e);
}

TEST_F(denials_support_test, a_refused_dashboard_subscription_is_audited) {
  auto tab = rt->open_dashboard(rt->token_for("ann"));
  EXPECT_THAT(kinds(tab), ::testing::ElementsAre("error:forbidden"));
  auto e = only("ws.subscribe");
  EXPECT_EQ(e.performed_by, "ann");
  EXPECT_EQ(e.code, "forbidden");
}

} // namespace
} // namespace actas::test
