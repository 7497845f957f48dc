// Rights are re-checked on every change: which changes end a running session, and with which reason.
#include <functional>

#include <gtest/gtest.h>

#include "domain/recheck.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

class recheck_test : public ::testing::Test {
protected:
  directory d = demo_directory();
  impersonation_session s = open_session("s-1", who(d, "adam"), who(d, "ann"), "a valid reason", std::nullopt,
                                         1800, 300, from_micros(0));

  void change(const std::string& name, const std::function<void(user&)>& edit) {
    user u = who(d, name);
    edit(u);
    d.put_user(u);
  }
  void expect_end(change_side side, end_reason why, errc code) {
    const auto v = recheck(d, s, side);
    ASSERT_TRUE(v) << "expected the session to end with " << to_string(code);
    EXPECT_EQ(v->why, why);
    EXPECT_EQ(v->code, code);
  }
};

TEST_F(recheck_test, unchanged_session_goes_on) {
  EXPECT_FALSE(recheck(d, s, change_side::actor));
  EXPECT_FALSE(recheck(d, s, change_side::target));
  EXPECT_FALSE(recheck(d, s, change_side::settings));
}

TEST_F(recheck_test, actor_deactivated_or_deleted) {
  change("adam", [](user& u) { u.status = user_status::inactive; });
  expect_end(change_side::actor, end_reason::actor_revoked, errc::actor_inactive);
  change("adam", [](user& u) { u.status = user_status::deleted; });
  expect_end(change_side::actor, end_reason::actor_revoked, errc::actor_inactive);
}

TEST_F(recheck_test, the_support_user_behind_a_temporary_admin_deactivated) {
  s = open_session("s-2", who(d, "tom"), who(d, "ann"), "a valid reason", std::nullopt, 1800, 300, from_micros(0));
  s.via = "u-sam";
  EXPECT_FALSE(recheck(d, s, change_side::actor));
  change("sam", [](user& u) { u.status = user_status::inactive; });
  expect_end(change_side::actor, end_reason::actor_revoked, errc::actor_inactive);
}

TEST_F(recheck_test, actor_demoted) {
  change("adam", [](user& u) { u.user_role = role::instructor; });
  expect_end(change_side::actor, end_reason::actor_revoked, errc::permission_missing);
}

TEST_F(recheck_test, actor_moved_out_of_scope) {
  change("adam", [](user& u) { u.admin_portals = {"acme-us"}; });
  expect_end(change_side::actor, end_reason::actor_revoked, errc::target_out_of_scope);
}

TEST_F(recheck_test, settings_turned_off_or_role_no_longer_allowed) {
  settings_patch off;
  off.impersonation.enabled = false;
  d.put_settings("acme-eu", off);
  expect_end(change_side::settings, end_reason::actor_revoked, errc::feature_disabled);
  settings_patch none;
  none.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::admin, {}}};
  d.put_settings("acme-eu", none);
  expect_end(change_side::settings, end_reason::actor_revoked, errc::target_role_not_allowed);
}

TEST_F(recheck_test, target_deactivated_deleted_promoted_or_without_consent) {
  change("ann", [](user& u) { u.status = user_status::inactive; });
  expect_end(change_side::target, end_reason::target_changed, errc::target_inactive);
  change("ann", [](user& u) { u.status = user_status::deleted; });
  expect_end(change_side::target, end_reason::target_changed, errc::target_not_found);
  change("ann", [](user& u) {
    u.status = user_status::active;
    u.user_role = role::admin;
  });
  expect_end(change_side::target, end_reason::target_changed, errc::target_protected);
  change("ann", [](user& u) {
    u.user_role = role::learner;
    u.accepted.privacy = false;
  });
  expect_end(change_side::target, end_reason::target_changed, errc::consent_missing);
  change("ann", [](user& u) { u.accepted.privacy = true; });
  EXPECT_FALSE(recheck(d, s, change_side::target));
}

TEST_F(recheck_test, target_moved_out_of_scope) {
  change("ann", [](user& u) { u.home_portal = "acme-us"; });
  expect_end(change_side::target, end_reason::target_changed, errc::target_out_of_scope);
}

TEST_F(recheck_test, missing_users) {
  impersonation_session ghost = s;
  ghost.target = "u-gone";
  const auto v = recheck(d, ghost, change_side::target);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->why, end_reason::target_changed);
  EXPECT_EQ(v->code, errc::target_not_found);
  ghost.actor = "u-gone";
  const auto w = recheck(d, ghost, change_side::actor);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->why, end_reason::actor_revoked);
  EXPECT_EQ(w->code, errc::actor_inactive);
}

TEST_F(recheck_test, inactive_actor_wins_over_target_side) {
  change("adam", [](user& u) { u.status = user_status::inactive; });
  expect_end(change_side::target, end_reason::actor_revoked, errc::actor_inactive);
}

} // namespace
