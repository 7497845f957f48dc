// Every denial is an audit event (SPEC §5): refused starts, ends, settings and user changes,
// provisioning, support steps, audit reads, failed logins and refused dashboard subscriptions, each with
// who asked (the real person and the account in use), the rule's code and the client's text cut to 200
// code points.
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using domain::errc;

struct denials_test : registry_fixture {
  actors::caller_ref as(const std::string& token) { return {crypto::token_hash(token), false, "10.0.0.7"}; }
  actors::caller_ref platform() { return {"", true, "10.0.0.8"}; }

  /// The denied events named `event` on `chain`, oldest first.
  std::vector<domain::audit_event> denied(const std::string& event, const std::string& chain = "acme") {
    return denied_events(rt->reader(), event, chain);
  }
  static bool detail_has(const domain::audit_event& e, const std::string& text) {
    return e.detail_json.find(text) != std::string::npos;
  }
  actors::start_reply start(const std::string& token, const std::string& target, std::optional<std::string> reason,
                            std::optional<std::string> return_to) {
    actors::start_command cmd{crypto::token_hash(token), target, std::move(reason), std::move(return_to), "10.0.0.7"};
    return rt->ask<actors::start_reply>(actors::start_atom::value, cmd);
  }
};

std::string repeat(const std::string& piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

TEST_F(denials_test, a_nested_start_with_a_bad_return_to_is_refused_as_nested_and_audited) {
  auto imp = rt->start(rt->token_for("adam"), "ann");
  ASSERT_FALSE(imp.error);
  auto r = start(imp.token, "bob", "Checking the learner's course view", "https://evil.example/");
  EXPECT_EQ(r.error, errc::nested_impersonation);
  auto events = denied("impersonation.start");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, "nested_impersonation");
  EXPECT_EQ(events[0].performed_by, "adam");
  EXPECT_EQ(events[0].active_account, "ann");
  EXPECT_TRUE(detail_has(events[0], R"("return_to":"https://evil.example/")")) << events[0].detail_json;
}

TEST_F(denials_test, a_bad_return_to_is_refused_after_the_rules_and_audited) {
  auto r = start(rt->token_for("adam"), "ann", "Checking the learner's course view", "//evil.example/x");
  EXPECT_EQ(r.error, errc::invalid_request);
  auto events = denied("impersonation.start");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, "invalid_request");
  EXPECT_EQ(events[0].performed_by, "adam");
  EXPECT_TRUE(detail_has(events[0], R"("return_to":"//evil.example/x")")) << events[0].detail_json;
  EXPECT_TRUE(detail_has(events[0], R"("target":"ann")")) << events[0].detail_json;
  // A learner is refused by rule 2 before its bad return_to is looked at.
  EXPECT_EQ(start(rt->token_for("ann"), "bob", "Checking the learner's course view", "//x").error,
            errc::permission_missing);
}

TEST_F(denials_test, a_refused_start_keeps_the_first_200_code_points_of_its_reason) {
  // 60 KB of two-byte characters, then invalid bytes after the cut: the record is the first 200 characters.
  auto reason = repeat("é", 30000) + "\xff\xfe";
  EXPECT_EQ(start(rt->token_for("adam"), "ann", reason, std::nullopt).error, errc::reason_required);
  // Invalid UTF-8 inside the first 200 code points is made safe, not dropped.
  auto broken = "ab\xff" + repeat("x", 300);
  EXPECT_EQ(start(rt->token_for("adam"), "ann", broken, std::nullopt).error, errc::reason_required);
  auto events = denied("impersonation.start");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reason, repeat("é", 200));
  EXPECT_EQ(events[1].reason, "ab\xEF\xBF\xBD" + repeat("x", 197));
}

TEST_F(denials_test, a_refused_end_is_audited_with_both_identities) {
  auto mine = rt->start(rt->token_for("adam"), "ann");
  auto theirs = rt->start(rt->token_for("uma"), "bob");
  ASSERT_FALSE(mine.error);
  ASSERT_FALSE(theirs.error);
  // Parameter tampering: adam's impersonation token names uma's session.
  EXPECT_EQ(rt->end(mine.token, theirs.session.session_id).error, errc::not_found);
  // An exit message with a control character is refused, and recorded cut.
  auto message = "bye\n" + repeat("z", 1000);
  EXPECT_EQ(rt->end(mine.token, mine.session.session_id, message).error, errc::invalid_request);
  auto events = denied("impersonation.end");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].code, "not_found");
  EXPECT_EQ(events[0].performed_by, "adam");
  EXPECT_EQ(events[0].active_account, "ann");
  EXPECT_TRUE(detail_has(events[0], theirs.session.session_id)) << events[0].detail_json;
  EXPECT_EQ(events[1].code, "invalid_request");
  EXPECT_TRUE(detail_has(events[1], R"("message":"bye\n)" + repeat("z", 196) + "\"")) << events[1].detail_json;
}

TEST_F(denials_test, a_refused_settings_change_is_audited) {
  domain::settings_patch shorter;
  shorter.impersonation.max_duration_s = 600;
  auto r = rt->ask<actors::settings_reply>(actors::settings_atom::value, as(rt->token_for("adam")), "acme-eu", shorter);
  ASSERT_TRUE(r.refused.error);
  auto events = denied("settings.change");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, domain::to_string(*r.refused.error));
  EXPECT_EQ(events[0].performed_by, "adam");
  EXPECT_EQ(events[0].ip, "10.0.0.7");
  EXPECT_TRUE(detail_has(events[0], R"("portal":"acme-eu")")) << events[0].detail_json;
}

TEST_F(denials_test, refused_user_changes_and_provisioning_are_audited) {
  auto imp = rt->start(rt->token_for("adam"), "ann");
  domain::user_patch off;
  off.status = domain::user_status::inactive;
  auto changed = rt->ask<actors::user_reply>(actors::update_atom::value, as(imp.token), std::string{"bob"}, off);
  EXPECT_EQ(changed.refused.error, errc::restricted_while_impersonating);
  auto change = denied("user.change");
  ASSERT_EQ(change.size(), 1u);
  EXPECT_EQ(change[0].performed_by, "adam");
  EXPECT_EQ(change[0].active_account, "ann");
  EXPECT_TRUE(detail_has(change[0], R"("user":"bob")")) << change[0].detail_json;

  domain::new_user nu;
  nu.user_id = "nina";
  nu.username = repeat("n", 300);
  nu.display_name = "Nina";
  nu.portal = "acme-eu";
  auto created = rt->ask<actors::user_reply>(actors::create_atom::value, as(rt->token_for("ann")), nu);
  ASSERT_TRUE(created.refused.error);
  auto create = denied("user.create");
  ASSERT_EQ(create.size(), 1u);
  EXPECT_EQ(create[0].performed_by, "ann");
  EXPECT_EQ(create[0].code, domain::to_string(*created.refused.error));
  EXPECT_TRUE(detail_has(create[0], R"("username":")" + repeat("n", 200) + "\"")) << create[0].detail_json;

  // Only the platform provisions realms; a bad portal from the platform is refused too.
  domain::new_realm realm{"initech", "Initech", "initech", "Initech"};
  EXPECT_EQ(rt->ask<actors::portal_reply>(actors::realm_atom::value, as(rt->token_for("sara")), realm).refused.error,
            errc::forbidden);
  auto realm_events = denied("realm.create");
  ASSERT_EQ(realm_events.size(), 1u);
  EXPECT_EQ(realm_events[0].performed_by, "sara");
  domain::new_realm again{"acme", "Acme again", "acme-2", "Acme 2"};
  EXPECT_EQ(rt->ask<actors::portal_reply>(actors::realm_atom::value, platform(), again).refused.error,
            errc::invalid_request);
  auto system_realm = denied("realm.create", "system");
  ASSERT_EQ(system_realm.size(), 1u);
  EXPECT_EQ(system_realm[0].performed_by, "service");
  EXPECT_TRUE(detail_has(system_realm[0], R"("name":"Acme again")")) << system_realm[0].detail_json;
  domain::new_portal orphan{"acme-xx", "no-such-parent", "Orphan"};
  EXPECT_EQ(rt->ask<actors::portal_reply>(actors::portal_atom::value, platform(), orphan).refused.error,
            errc::invalid_request);
  auto portal_events = denied("portal.create", "system");
  ASSERT_EQ(portal_events.size(), 1u);
  EXPECT_EQ(portal_events[0].performed_by, "service");
  EXPECT_TRUE(detail_has(portal_events[0], R"("parent":"no-such-parent")")) << portal_events[0].detail_json;
}

} // namespace
} // namespace actas::test
