// Rule holes found by issue 12, through the registry in virtual time: a grant's tokens die with its
// support user, provisioning asks for permission before it looks anything up, and consents are the user's.
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using domain::errc;

struct rules_test : registry_fixture {
  actors::caller_ref as(const std::string& token) { return {crypto::token_hash(token), false, "127.0.0.1"}; }
  actors::caller_ref platform() { return {"", true, "127.0.0.1"}; }

  /// sam asks for acme-eu, sara allows it, sam takes the temporary admin's token.
  actors::mint_reply granted_token() {
    auto sam = rt->token_for("sam");
    auto r = rt->ask<actors::request_reply>(
      actors::request_atom::value,
      actors::request_command{crypto::token_hash(sam), {"acme-eu"}, "Enrolments fail for every learner", "T-4711", ""});
    EXPECT_FALSE(r.refused.error) << r.refused.message;
    auto g = rt->ask<actors::grants_reply>(
      actors::grant_atom::value,
      actors::grant_command{crypto::token_hash(rt->token_for("sara")), r.request.request_id, {"acme-eu"}, std::nullopt, ""});
    EXPECT_EQ(g.grants.size(), 1u) << g.refused.message;
    return rt->ask<actors::mint_reply>(actors::gtoken_atom::value, crypto::token_hash(sam), g.grants.at(0).grant_id);
  }
  bool introspected_active(const std::string& token) {
    return rt->ask<actors::introspect_reply>(actors::introspect_atom::value, platform(), crypto::token_hash(token))
      .result.active;
  }
  actors::user_reply set_status(const std::string& user, domain::user_status s) {
    domain::user_patch p;
    p.status = s;
    return rt->ask<actors::user_reply>(actors::update_atom::value, platform(), user, p);
  }
  actors::user_reply create(const std::string& token, domain::new_user nu) {
    return rt->ask<actors::user_reply>(actors::create_atom::value, as(token), nu);
  }
};

domain::new_user learner(std::string id, std::string portal) {
  domain::new_user nu;
  nu.user_id = id;
  nu.username = id;
  nu.display_name = "New learner";
  nu.portal = std::move(portal);
  return nu;
}

TEST_F(rules_test, deactivating_the_support_user_kills_the_grant_tokens_at_once) {
  auto grant = granted_token();
  ASSERT_FALSE(grant.error);
  auto tab = rt->open_tab(grant.token);
  auto started = rt->start(grant.token, "ann");
  ASSERT_FALSE(started.error) << domain::to_string(*started.error);
  ASSERT_FALSE(rt->auth(grant.token).error);

  ASSERT_FALSE(set_status("sam", domain::user_status::inactive).refused.error);
  // Neither the temporary admin's token nor the impersonation it runs works for sam any more.
  EXPECT_EQ(rt->auth(grant.token).error, errc::unauthenticated);
  EXPECT_FALSE(introspected_active(grant.token));
  EXPECT_EQ(rt->auth(started.token).error, errc::unauthenticated);
  EXPECT_EQ(rt->reader().find_session(started.session.session_id)->ended_because, domain::end_reason::actor_revoked);
  EXPECT_EQ(kinds(tab).back(), "close:1008");
  // Bringing sam back does not bring back what died: he asks for a new token.
  ASSERT_FALSE(set_status("sam", domain::user_status::active).refused.error);
  EXPECT_EQ(rt->auth(grant.token).error, errc::unauthenticated);
}

TEST_F(rules_test, deleting_the_support_user_kills_the_grant_tokens_at_once) {
  auto grant = granted_token();
  ASSERT_FALSE(grant.error);
  ASSERT_FALSE(set_status("sam", domain::user_status::deleted).refused.error);
  EXPECT_EQ(rt->auth(grant.token).error, errc::unauthenticated);
  EXPECT_FALSE(introspected_active(grant.token));
}

TEST_F(rules_test, another_realms_admin_learns_nothing_about_acme_by_creating_users) {
  auto gary = rt->token_for("gary");  // superadmin of globex
  // A taken id or username, an existing portal and a made-up one of another realm all answer alike.
  auto taken_id = learner("ann", "acme-eu");
  auto taken_username = learner("zed", "acme-eu");
  taken_username.username = "ann";
  const std::vector<domain::new_user> probes{taken_id, taken_username, learner("zed", "acme-eu"),
                                             learner("zed", "no-such-portal")};
  for (const auto& probe : probes) {
    auto r = create(gary, probe);
    EXPECT_EQ(r.refused.error, errc::forbidden) << probe.user_id << " in " << *probe.portal << ": " << r.refused.field;
    EXPECT_EQ(r.refused.field, "");
    EXPECT_EQ(r.refused.message, "");
  }
  // In its own realm it provisions as before.
  EXPECT_FALSE(create(gary, learner("zed", "globex")).refused.error);
}

TEST_F(rules_test, an_admin_cannot_create_a_user_who_has_already_consented) {
  auto sara = rt->token_for("sara");
  auto consented = learner("zoe", "acme-eu");
  consented.accepted = {true, false};
  EXPECT_EQ(create(sara, consented).refused.error, errc::forbidden);
  // The user accepts for herself later; the platform may create her consented.
  auto created = create(sara, learner("zoe", "acme-eu"));
  ASSERT_FALSE(created.refused.error) << created.refused.message;
  EXPECT_FALSE(created.user.accepted.terms);
  auto by_platform = rt->ask<actors::user_reply>(actors::create_atom::value, platform(),
                                                  [] {
                                                    auto nu = learner("zack", "acme-eu");
                                                    nu.accepted = {true, true};
                                                    return nu;
                                                  }());
  ASSERT_FALSE(by_platform.refused.error) << by_platform.refused.message;
  EXPECT_TRUE(by_platform.user.accepted.privacy);
}

} // namespace
} // namespace actas::test
