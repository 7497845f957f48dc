// Stricter wins: a sub-portal's override folded onto its parent, field by field, and the directory using
// it so a parent tightened after its child's override still binds the child.
#include <functional>

#include <gtest/gtest.h>

#include "domain/notification.hpp"
#include "domain/settings.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

struct fold_case {
  std::string name;
  std::function<void(realm_settings&)> parent;  ///< adjusts the parent (may be null)
  std::function<void(settings_patch&)> child;
  std::function<void(const realm_settings&)> expect;
  /// False only where the fold must give way to validity (a warning cut to fit a shorter duration).
  bool never_looser = true;
};

realm_settings base_parent() {
  realm_settings p = default_settings();
  p.impersonation.enabled = true;
  p.impersonation.max_duration_s = 1200;
  p.impersonation.require_consent = {consent::terms};
  p.impersonation.exclusive = false;
  p.support.default_duration_s = 7200;
  p.support.max_duration_s = 86400;
  return p;
}

const auto started = notification_kind::impersonation_started;

TEST(settings_fold, stricter_wins_for_every_field) {
  const std::vector<fold_case> cases{
    {"enabled: child off wins", nullptr, [](auto& c) { c.impersonation.enabled = false; },
     [](const auto& s) { EXPECT_FALSE(s.impersonation.enabled); }},
    {"enabled: parent off wins", [](auto& p) { p.impersonation.enabled = false; },
     [](auto& c) { c.impersonation.enabled = true; },
     [](const auto& s) { EXPECT_FALSE(s.impersonation.enabled); }},
    {"max_duration_s: smaller child", nullptr, [](auto& c) { c.impersonation.max_duration_s = 600; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.max_duration_s, 600); }},
    {"max_duration_s: smaller parent", nullptr, [](auto& c) { c.impersonation.max_duration_s = 1800; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.max_duration_s, 1200); }},
    {"warn_before_s: larger child", nullptr, [](auto& c) { c.impersonation.warn_before_s = 400; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.warn_before_s, 400); }},
    {"warn_before_s: the child's own, also shorter", nullptr, [](auto& c) { c.impersonation.warn_before_s = 100; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.warn_before_s, 100); }},
    {"reason_min_length: larger child", nullptr, [](auto& c) { c.impersonation.reason_min_length = 20; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.reason_min_length, 20); }},
    {"reason_min_length: larger parent", nullptr, [](auto& c) { c.impersonation.reason_min_length = 5; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.reason_min_length, 10); }},
    {"require_consent: union", nullptr,
     [](auto& c) { c.impersonation.require_consent = std::set<consent>{consent::privacy}; },
     [](const auto& s) {
       EXPECT_EQ(s.impersonation.require_consent, (std::set<consent>{consent::terms, consent::privacy}));
     }},
    {"exclusive: child on wins", nullptr, [](auto& c) { c.impersonation.exclusive = true; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.exclusive); }},
    {"exclusive: parent on wins", [](auto& p) { p.impersonation.exclusive = true; },
     [](auto& c) { c.impersonation.exclusive = false; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.exclusive); }},
    {"target_can_end: parent on wins", [](auto& p) { p.impersonation.target_can_end = true; },
     [](auto& c) { c.impersonation.target_can_end = false; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.target_can_end); }},
    {"target_can_end: child on wins", nullptr, [](auto& c) { c.impersonation.target_can_end = true; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.target_can_end); }},
    {"show_target_live: parent on wins", nullptr, [](auto& c) { c.impersonation.show_target_live = false; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.show_target_live); }},
    {"show_target_live: child on wins", [](auto& p) { p.impersonation.show_target_live = false; },
     [](auto& c) { c.impersonation.show_target_live = true; },
     [](const auto& s) { EXPECT_TRUE(s.impersonation.show_target_live); }},
    {"allowed_targets: intersection per role", nullptr,
     [](auto& c) {
       c.impersonation.allowed_targets = std::map<role, std::set<role>>{
         {role::admin, {role::learner, role::instructor}}, {role::superadmin, {role::learner, role::manager}}};
     },
     [](const auto& s) {
       EXPECT_EQ(s.impersonation.allowed_targets.at(role::admin), std::set<role>{role::learner});
       EXPECT_EQ(s.impersonation.allowed_targets.at(role::superadmin),
                 (std::set<role>{role::learner, role::manager}));
       EXPECT_EQ(s.impersonation.allowed_targets.at(role::power_user), std::set<role>{role::learner});
     }},
    {"allowed_targets: a role the parent dropped stays dropped",
     [](auto& p) { p.impersonation.allowed_targets.erase(role::power_user); },
     [](auto& c) {
       c.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::power_user, {role::learner}}};
     },
     [](const auto& s) { EXPECT_FALSE(s.impersonation.allowed_targets.contains(role::power_user)); }},
    {"restricted_actions: union, parent's order first, no duplicates", nullptr,
     [](auto& c) { c.impersonation.restricted_actions = std::vector<std::string>{"grades.*", "messages.*"}; },
     [](const auto& s) {
       auto expected = default_settings().impersonation.restricted_actions;
       expected.push_back("grades.*");
       EXPECT_EQ(s.impersonation.restricted_actions, expected);
     }},
    {"support.default_duration_s: smaller wins", nullptr, [](auto& c) { c.support.default_duration_s = 3600; },
     [](const auto& s) { EXPECT_EQ(s.support.default_duration_s, 3600); }},
    {"support.default_duration_s: parent smaller", nullptr, [](auto& c) { c.support.default_duration_s = 86400; },
     [](const auto& s) { EXPECT_EQ(s.support.default_duration_s, 7200); }},
    {"support.max_duration_s: parent smaller", nullptr, [](auto& c) { c.support.max_duration_s = 2592000; },
     [](const auto& s) { EXPECT_EQ(s.support.max_duration_s, 86400); }},
    {"support.warn_before_s: larger wins", nullptr, [](auto& c) { c.support.warn_before_s = 7200; },
     [](const auto& s) { EXPECT_EQ(s.support.warn_before_s, 7200); }},
    {"support.request_ttl_s: smaller wins", nullptr, [](auto& c) { c.support.request_ttl_s = 600; },
     [](const auto& s) { EXPECT_EQ(s.support.request_ttl_s, 600); }},
    {"support.request_ttl_s: parent smaller", [](auto& p) { p.support.request_ttl_s = 600; },
     [](auto& c) { c.support.request_ttl_s = 259200; },
     [](const auto& s) { EXPECT_EQ(s.support.request_ttl_s, 600); }},
    {"notification: parent on wins", nullptr, [](auto& c) { c.notifications[started].enabled = false; },
     [](const auto& s) { EXPECT_TRUE(s.notifications.at(started).enabled); }},
    {"notification: child on wins", [](auto& p) { p.notifications[started].enabled = false; },
     [](auto& c) { c.notifications[started].enabled = true; },
     [](const auto& s) { EXPECT_TRUE(s.notifications.at(started).enabled); }},
    {"notification texts: the child's when set", nullptr,
     [](auto& c) { c.notifications[started].title = "Heads up, {target_name}"; },
     [](const auto& s) {
       EXPECT_EQ(s.notifications.at(started).title, "Heads up, {target_name}");
       EXPECT_EQ(s.notifications.at(started).body, default_template(started).body);
     }},
    {"a warning that no longer fits the duration is cut below it", nullptr,
     [](auto& c) {
       c.impersonation.max_duration_s = 120;
       c.support.warn_before_s = 100000;
     },
     [](const auto& s) {
       EXPECT_EQ(s.impersonation.max_duration_s, 120);
       EXPECT_EQ(s.impersonation.warn_before_s, 119);
       EXPECT_EQ(s.support.warn_before_s, 86399);
     }, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    realm_settings parent = base_parent();
    if (c.parent) c.parent(parent);
    settings_patch child;
    c.child(child);
    const realm_settings result = tighten(parent, child);
    c.expect(result);
    // Whatever the fold does, the result is a valid settings value and never looser than the parent.
    EXPECT_FALSE(validate(settings_patch{}, result)) << validate(settings_patch{}, result)->field;
    if (c.never_looser) {
      EXPECT_FALSE(check_tightens(parent, result));
    }
  }
}

TEST(settings_fold, an_empty_override_inherits_the_parent) {
  const realm_settings parent = base_parent();
  const realm_settings result = tighten(parent, settings_patch{});
  EXPECT_EQ(result.impersonation.max_duration_s, parent.impersonation.max_duration_s);
  EXPECT_EQ(result.impersonation.allowed_targets, parent.impersonation.allowed_targets);
  EXPECT_EQ(result.impersonation.restricted_actions, parent.impersonation.restricted_actions);
  EXPECT_EQ(result.support.request_ttl_s, parent.support.request_ttl_s);
  EXPECT_FALSE(check_tightens(parent, result));
  EXPECT_FALSE(check_tightens(result, parent));
}

// The issue itself: the child's override was valid when stored; the parent tightened afterwards.
struct tightened_later_case {
  std::string name;
  std::function<void(settings_patch&)> child;   ///< stored first, on acme-eu-paris
  std::function<void(settings_patch&)> parent;  ///< stored afterwards, on acme-eu
  std::function<void(const realm_settings&)> expect;
};

TEST(settings_fold, a_parent_tightened_after_the_child_binds_the_child) {
  const std::vector<tightened_later_case> cases{
    {"feature turned off above", [](auto& c) { c.impersonation.enabled = true; },
     [](auto& p) { p.impersonation.enabled = false; },
     [](const auto& s) { EXPECT_FALSE(s.impersonation.enabled); }},
    {"duration shortened above", [](auto& c) { c.impersonation.max_duration_s = 900; },
     [](auto& p) { p.impersonation.max_duration_s = 600; },
     [](const auto& s) { EXPECT_EQ(s.impersonation.max_duration_s, 600); }},
    {"target role withdrawn above",
     [](auto& c) {
       c.impersonation.allowed_targets =
         std::map<role, std::set<role>>{{role::superadmin, {role::learner, role::instructor}}};
     },
     [](auto& p) {
       p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::superadmin, {role::learner}}};
     },
     [](const auto& s) {
       EXPECT_EQ(s.impersonation.allowed_targets.at(role::superadmin), std::set<role>{role::learner});
     }},
    {"restriction added above",
     [](auto& c) { c.impersonation.restricted_actions = std::vector<std::string>{"x.*"}; },
     [](auto& p) { p.impersonation.restricted_actions = std::vector<std::string>{"grades.*"}; },
     [](const auto& s) {
       const auto& r = s.impersonation.restricted_actions;
       EXPECT_NE(std::find(r.begin(), r.end(), "grades.*"), r.end());
       EXPECT_NE(std::find(r.begin(), r.end(), "x.*"), r.end());
     }},
    {"consent required above",
     [](auto& c) { c.impersonation.require_consent = std::set<consent>{consent::terms}; },
     [](auto& p) { p.impersonation.require_consent = std::set<consent>{consent::terms, consent::privacy}; },
     [](const auto& s) {
       EXPECT_EQ(s.impersonation.require_consent, (std::set<consent>{consent::terms, consent::privacy}));
     }},
    {"kept on above after the child turned it off", [](auto& c) { c.notifications[started].enabled = false; },
     [](auto& p) { p.notifications[started].title = "Changed above"; },
     [](const auto& s) { EXPECT_TRUE(s.notifications.at(started).enabled); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    directory d = demo_directory();
    settings_patch child;
    c.child(child);
    d.put_settings("acme-eu-paris", child);
    settings_patch parent;
    c.parent(parent);
    d.put_settings("acme-eu", parent);
    c.expect(d.effective_settings("acme-eu-paris"));
    EXPECT_FALSE(check_tightens(d.effective_settings("acme-eu"), d.effective_settings("acme-eu-paris")));
  }
}

TEST(settings_fold, the_top_level_portal_still_applies_onto_the_defaults) {
  directory d = demo_directory();
  settings_patch top;
  top.impersonation.enabled = true;  // looser than the default (off): allowed at the top only
  top.impersonation.target_can_end = false;
  top.impersonation.show_target_live = false;
  top.impersonation.restricted_actions = std::vector<std::string>{"messages.*"};
  d.put_settings("acme", top);
  const realm_settings s = d.effective_settings("acme");
  EXPECT_TRUE(s.impersonation.enabled);
  EXPECT_FALSE(s.impersonation.show_target_live);
  EXPECT_EQ(s.impersonation.restricted_actions, std::vector<std::string>{"messages.*"});
  // A sub-portal may turn the live view back on (stricter) but cannot drop the restriction.
  settings_patch eu;
  eu.impersonation.show_target_live = true;
  eu.impersonation.restricted_actions = std::vector<std::string>{};
  d.put_settings("acme-eu", eu);
  EXPECT_TRUE(d.effective_settings("acme-eu").impersonation.show_target_live);
  EXPECT_EQ(d.effective_settings("acme-eu-paris").impersonation.restricted_actions,
            std::vector<std::string>{"messages.*"});
  EXPECT_EQ(d.effective_settings("nowhere").impersonation.enabled, false);  // unknown portal: defaults
}

} // namespace
