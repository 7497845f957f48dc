// Policy through the registry in virtual time: settings and user changes re-check running sessions
// before they answer, authorize, preferences overlay, the inbox under impersonation, provisioning and
// introspection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/actors/virtual_runtime.hpp"
#include "tests/actors/world.hpp"

namespace actas::test {
namespace {

using ::testing::ElementsAre;
using domain::errc;

struct policy_test : registry_fixture {

  actors::caller_ref as(const std::string& token) { return {crypto::token_hash(token), false, "127.0.0.1"}; }
  actors::caller_ref platform() { return {"", true, "127.0.0.1"}; }

  actors::settings_reply patch_settings(const std::string& token, const std::string& portal, domain::settings_patch p) {
    return rt->ask<actors::settings_reply>(actors::settings_atom::value, as(token), portal, p);
  }
  actors::user_reply patch_user(const actors::caller_ref& who, const std::string& user, domain::user_patch p) {
    return rt->ask<actors::user_reply>(actors::update_atom::value, who, user, p);
  }
  actors::authorize_reply authorize(const std::string& token, const std::string& action) {
    return rt->ask<actors::authorize_reply>(actors::authorize_atom::value,
                                            actors::authorize_command{crypto::token_hash(token), action, std::nullopt, ""});
  }
  std::vector<domain::audit_event> events(const std::string& name) {
    std::vector<domain::audit_event> out;
    for (auto& e : rt->reader().audit_chain("acme"))
      if (e.event == name)
        out.push_back(e);
    return out;
  }
};

TEST_F(policy_test, turning_the_feature_off_ends_running_sessions_before_the_answer) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  auto imp_tab = rt->open_tab(started.token);
  domain::settings_patch off;
  off.impersonation.enabled = false;
  auto r = patch_settings(rt->token_for("sara"), "acme", off);
  ASSERT_FALSE(r.refused.error) << r.refused.message;
  EXPECT_FALSE(r.effective.impersonation.enabled);
  auto ended = rt->reader().find_session(started.session.session_id);
  EXPECT_EQ(ended->ended_because, domain::end_reason::actor_revoked);
  EXPECT_THAT(kinds(imp_tab), ElementsAre("hello", "banner:impersonating", "session_ended", "close:1008"));
  auto end_event = events("impersonation.end").back();
  EXPECT_EQ(end_event.code, "feature_disabled");
  auto change = events("settings.change").back();
  EXPECT_EQ(change.performed_by, "sara");
  EXPECT_NE(change.detail_json.find(R"("old":{"impersonation":{"enabled":true}})"), std::string::npos) << change.detail_json;
}

TEST_F(policy_test, only_superadmins_change_settings_and_sub_portals_only_tighten) {
  domain::settings_patch shorter;
  shorter.impersonation.max_duration_s = 600;
  // A refusal that is no start rule is `forbidden` (issue 12: it said "your role may not impersonate").
  EXPECT_EQ(patch_settings(rt->token_for("adam"), "acme-eu", shorter).refused.error, errc::forbidden);
  auto sara = rt->token_for("sara");
  ASSERT_FALSE(patch_settings(sara, "acme-eu", shorter).refused.error);
  // acme is exclusive: acme-eu may not let two admins into one account.
  domain::settings_patch shared;
  shared.impersonation.exclusive = false;
  auto loosened = patch_settings(sara, "acme-eu", shared);
  EXPECT_EQ(loosened.refused.error, errc::invalid_request);
  EXPECT_EQ(loosened.refused.field, "impersonation.exclusive");
  // Sessions on acme-eu now last 10 minutes.
  auto started = rt->start(rt->token_for("adam"), "ann");
  EXPECT_EQ(started.session.expires_at - started.session.started_at, 10min);
  domain::settings_patch too_long;
  too_long.impersonation.max_duration_s = 3600;
  EXPECT_EQ(patch_settings(sara, "acme", too_long).refused.field, "impersonation.max_duration_s");
}

TEST_F(policy_test, the_target_may_end_the_session_only_when_the_realm_allows_it) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  auto ann = rt->token_for("ann");
  EXPECT_EQ(rt->end(ann, started.session.session_id).error, errc::forbidden);
  domain::settings_patch allow;
  allow.impersonation.target_can_end = true;
  ASSERT_FALSE(patch_settings(rt->token_for("sara"), "acme", allow).refused.error);
  auto imp_tab = rt->open_tab(started.token);
  auto ended = rt->end(ann, started.session.session_id);
  ASSERT_FALSE(ended.error);
  EXPECT_EQ(ended.session.ended_because, domain::end_reason::ended_by_target);
  EXPECT_EQ(kinds(imp_tab).back(), "close:1008");  // the actor did not choose it: its token died
  EXPECT_EQ(events("impersonation.end").back().performed_by, "ann");
}

TEST_F(policy_test, deactivating_the_actor_ends_its_session_actor_revoked) {
  auto adam = rt->token_for("adam");
  auto started = rt->start(adam, "ann");
  domain::user_patch inactive;
  inactive.status = domain::user_status::inactive;
  auto r = patch_user(as(rt->token_for("sara")), "adam", inactive);
  ASSERT_FALSE(r.refused.error);
  auto ended = rt->reader().find_session(started.session.session_id);
  EXPECT_EQ(ended->ended_because, domain::end_reason::actor_revoked);
  EXPECT_EQ(events("impersonation.end").back().code, "actor_inactive");
  EXPECT_EQ(rt->auth(adam).error, errc::unauthenticated);
}

TEST_F(policy_test, the_target_withdrawing_consent_ends_the_session_target_changed) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  domain::user_patch withdraw;
  withdraw.consents.terms = false;
  // Consents are set by the user itself or by the platform; here the platform relays it.
  EXPECT_EQ(patch_user(as(rt->token_for("sara")), "ann", withdraw).refused.error, errc::forbidden);
  ASSERT_FALSE(patch_user(platform(), "ann", withdraw).refused.error);
  auto ended = rt->reader().find_session(started.session.session_id);
  EXPECT_EQ(ended->ended_because, domain::end_reason::target_changed);
  EXPECT_EQ(events("impersonation.end").back().code, "consent_missing");
}

TEST_F(policy_test, an_impersonator_cannot_change_the_learners_account) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  domain::user_patch consent;
  consent.consents.privacy = false;
  EXPECT_EQ(patch_user(as(started.token), "ann", consent).refused.error, errc::restricted_while_impersonating);
}

TEST_F(policy_test, restricted_actions_are_denied_while_impersonating_and_audited) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  auto denied = authorize(started.token, "messages.read");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.code, errc::restricted_while_impersonating);
  EXPECT_EQ(denied.subject, "ann");
  EXPECT_EQ(denied.actor, "adam");
  auto allowed = authorize(started.token, "courses.view");
  EXPECT_TRUE(allowed.allowed);
  EXPECT_TRUE(authorize(started.token, "impersonation.end").allowed);
  auto logged = events("authorize");
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[0].performed_by, "adam");
  EXPECT_EQ(logged[0].active_account, "ann");
  EXPECT_EQ(logged[0].result, domain::outcome::denied);
  EXPECT_EQ(logged[1].result, domain::outcome::allowed);
  // A plain user acting as itself and allowed is counted, not logged; its denials are logged.
  EXPECT_TRUE(authorize(rt->token_for("bob"), "messages.read").allowed);
  EXPECT_EQ(events("authorize").size(), 3u);
  EXPECT_EQ(authorize(rt->token_for("bob"), "Not A Name").code, errc::invalid_request);
  EXPECT_EQ(events("authorize").size(), 4u);
  EXPECT_EQ(authorize("bogus", "courses.view").code, errc::unauthenticated);
}

TEST_F(policy_test, an_unwritable_log_makes_authorize_say_no) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  rt->writer().failing = true;
  auto r = authorize(started.token, "courses.view");
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.code, errc::audit_unavailable);
}

TEST_F(policy_test, preferences_written_while_impersonating_stay_in_the_overlay) {
  auto ann = rt->token_for("ann");
  auto prefs = [&](const std::string& token) {
    return rt->ask<actors::prefs_reply>(actors::prefs_atom::value, crypto::token_hash(token)).json;
  };
  auto put = [&](const std::string& token, const std::string& json) {
    return rt->ask<actors::prefs_reply>(actors::prefs_atom::value, crypto::token_hash(token), json);
  };
  ASSERT_FALSE(put(ann, R"({"theme":"dark"})").error);
  auto adam = rt->token_for("adam");
  auto started = rt->start(adam, "ann");
  EXPECT_EQ(prefs(started.token), R"({"theme":"dark"})");
  ASSERT_FALSE(put(started.token, R"({"theme":"neon"})").error);
  EXPECT_EQ(prefs(started.token), R"({"theme":"neon"})");
  EXPECT_EQ(prefs(ann), R"({"theme":"dark"})");
  rt->end(adam, started.session.session_id);
  auto again = rt->start(adam, "ann");
  EXPECT_EQ(prefs(again.token), R"({"theme":"dark"})");
}

TEST_F(policy_test, reading_as_the_impersonator_leaves_notifications_unread) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  auto inbox = rt->ask<actors::inbox_reply>(actors::inbox_atom::value, crypto::token_hash(started.token), false, 10);
  ASSERT_EQ(inbox.items.size(), 1u);
  EXPECT_EQ(inbox.unread, 1);
  auto id = inbox.items[0].notification_id;
  auto read = rt->ask<actors::inbox_reply>(actors::read_atom::value, crypto::token_hash(started.token), id);
  EXPECT_FALSE(read.items.at(0).read);
  EXPECT_EQ(rt->reader().unread_count("ann"), 1);
  auto ann = rt->token_for("ann");
  auto other_tab = rt->open_tab(rt->token_for("ann"));
  auto own = rt->ask<actors::inbox_reply>(actors::read_atom::value, crypto::token_hash(ann), id);
  EXPECT_TRUE(own.items.at(0).read);
  EXPECT_EQ(own.unread, 0);
  EXPECT_EQ(kinds(other_tab).back(), "read:0");  // every tab's bell follows
  EXPECT_EQ(rt->ask<actors::inbox_reply>(actors::read_atom::value, crypto::token_hash(rt->token_for("bob")), id).error,
            errc::not_found);
}

TEST_F(policy_test, two_tabs_reading_one_notification_at_once_count_it_once) {
  auto adam = rt->token_for("adam");
  auto first = rt->start(adam, "ann");
  rt->end(adam, first.session.session_id);  // ann now has two unread: started and ended
  const auto ann = crypto::token_hash(rt->token_for("ann"));
  auto inbox = rt->ask<actors::inbox_reply>(actors::inbox_atom::value, ann, true, 10);
  ASSERT_EQ(inbox.unread, 2);
  const auto id = inbox.items.at(0).notification_id;
  // Both reads are sent before either is answered; the second finds it already read in the store.
  caf::scoped_actor self{rt->system()};
  auto one = self->request(rt->registry(), caf::infinite, actors::read_atom::value, ann, id);
  auto two = self->request(rt->registry(), caf::infinite, actors::read_atom::value, ann, id);
  rt->run();
  std::vector<std::int64_t> unread;
  for (auto* h : {&one, &two})
    h->receive([&](const actors::inbox_reply& r) { unread.push_back(r.unread); },
               [&](const caf::error&) { unread.push_back(-1); });
  EXPECT_EQ(unread, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(rt->ask<actors::inbox_reply>(actors::inbox_atom::value, ann, true, 10).unread, 1);
  EXPECT_EQ(rt->reader().unread_count("ann"), 1);
}

TEST_F(policy_test, impersonated_activity_never_moves_last_seen) {
  auto adam = rt->token_for("adam");
  auto ann = rt->token_for("ann");
  rt->advance(5min);
  auto started = rt->start(adam, "ann");
  rt->advance(5min);
  rt->auth(started.token);
  auto seen = [&] {
    for (const auto& u : rt->reader().load_snapshot(test_epoch() + 1h).users)
      if (u.user_id == "ann")
        return u.last_seen_at;
    return std::optional<domain::timestamp>{};
  };
  EXPECT_EQ(seen(), std::nullopt);  // only adam, as ann, was active so far
  rt->auth(ann);
  EXPECT_EQ(seen(), test_epoch() + 10min);
}

TEST_F(policy_test, the_user_list_tells_who_can_be_impersonated_and_why_not) {
  auto r = rt->ask<actors::users_reply>(actors::users_atom::value, as(rt->token_for("adam")), domain::user_filter{}, 100);
  ASSERT_FALSE(r.error);
  std::map<std::string, std::optional<errc>> why;
  for (const auto& row : r.users)
    why[row.user.user_id] = row.why_not;
  EXPECT_TRUE(why.contains("ann"));
  EXPECT_EQ(why["ann"], std::nullopt);
  EXPECT_FALSE(why.contains("bob"));  // acme-us is outside adam's scope
  EXPECT_FALSE(why.contains("gwen"));
  EXPECT_EQ(why["adam"], errc::self_impersonation);
}

TEST_F(policy_test, the_platform_provisions_realms_portals_and_users) {
  auto realm = rt->ask<actors::portal_reply>(actors::realm_atom::value, platform(),
                                             domain::new_realm{"initech", "Initech", "initech", "Initech"});
  ASSERT_FALSE(realm.refused.error) << realm.refused.message;
  auto portal = rt->ask<actors::portal_reply>(actors::portal_atom::value, platform(),
                                              domain::new_portal{"initech-fr", "initech", "Initech FR"});
  ASSERT_FALSE(portal.refused.error) << portal.refused.message;
  auto milton = new_learner("milton", "Milton W", "initech-fr");
  auto created = rt->ask<actors::user_reply>(actors::create_atom::value, platform(), milton);
  ASSERT_FALSE(created.refused.error) << created.refused.message;
  EXPECT_EQ(created.user.realm_id, "initech");
  auto again = rt->ask<actors::user_reply>(actors::create_atom::value, platform(), milton);
  EXPECT_EQ(again.refused.error, errc::invalid_request);
  // A token for the new user works, and acme's admins cannot see it.
  auto token = rt->token_for("milton");
  EXPECT_FALSE(rt->auth(token).error);
  EXPECT_EQ(rt->start(rt->token_for("sara"), "milton").error, errc::target_not_found);
  // Only the platform provisions realms.
  EXPECT_EQ(rt->ask<actors::portal_reply>(actors::realm_atom::value, as(rt->token_for("sara")),
                                          domain::new_realm{"x", "X", "x", "X"}).refused.error,
            errc::forbidden);
}

TEST_F(policy_test, introspection_names_the_real_actor) {
  auto started = rt->start(rt->token_for("adam"), "ann");
  auto r = rt->ask<actors::introspect_reply>(actors::introspect_atom::value, platform(), crypto::token_hash(started.token));
  ASSERT_FALSE(r.error);
  EXPECT_TRUE(r.result.active);
  EXPECT_EQ(r.result.sub, "ann");
  ASSERT_EQ(r.result.act.size(), 1u);
  EXPECT_EQ(r.result.act[0].sub, "adam");
  EXPECT_EQ(r.result.act[0].sid, started.session.session_id);
  EXPECT_EQ(r.result.exp, started.session.expires_at);
  rt->end(started.token, started.session.session_id);
  auto dead = rt->ask<actors::introspect_reply>(actors::introspect_atom::value, platform(), crypto::token_hash(started.token));
  EXPECT_FALSE(dead.result.active);
  EXPECT_FALSE(rt->ask<actors::introspect_reply>(actors::introspect_atom::value, platform(), std::string{"nope"}).result.active);
  EXPECT_EQ(rt->ask<actors::introspect_reply>(actors::introspect_atom::value, as(rt->token_for("sara")),
                                              crypto::token_hash(started.token)).error,
            errc::forbidden);
}

} // namespace
} // namespace actas::test
