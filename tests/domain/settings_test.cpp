// Realm settings: SPEC §1 defaults, validation with dotted field names, and the tighten-only rule.
#include <functional>

#include <gtest/gtest.h>

#include "domain/notification.hpp"
#include "domain/settings.hpp"

namespace {

using namespace actas::domain;

std::optional<settings_error> validate_patch(const settings_patch& p) {
  return validate(p, apply(default_settings(), p));
}

std::string error_field(const settings_patch& p) {
  const auto e = validate_patch(p);
  return e ? e->field : "";
}

TEST(settings, defaults_follow_spec) {
  const realm_settings s = default_settings();
  EXPECT_FALSE(s.impersonation.enabled);
  EXPECT_EQ(s.impersonation.max_duration_s, 1800);
  EXPECT_EQ(s.impersonation.warn_before_s, 300);
  EXPECT_EQ(s.impersonation.reason_min_length, 10);
  EXPECT_EQ(s.impersonation.require_consent, (std::set<consent>{consent::terms, consent::privacy}));
  EXPECT_TRUE(s.impersonation.exclusive);
  EXPECT_FALSE(s.impersonation.target_can_end);
  EXPECT_TRUE(s.impersonation.show_target_live);
  const std::map<role, std::set<role>> allowed{
    {role::admin, {role::learner}},
    {role::power_user, {role::learner}},
    {role::superadmin, {role::learner, role::instructor, role::manager, role::power_user, role::admin}}};
  EXPECT_EQ(s.impersonation.allowed_targets, allowed);
  const std::vector<std::string> restricted{"messages.*", "forums.*",  "portal.switch", "2fa.*", "payments.*",
                                            "password.change", "admin.*", "esignature.*", "impersonation.*"};
  EXPECT_EQ(s.impersonation.restricted_actions, restricted);
  EXPECT_EQ(s.support.default_duration_s, 86400);
  EXPECT_EQ(s.support.max_duration_s, 2592000);
  EXPECT_EQ(s.support.warn_before_s, 3600);
  EXPECT_EQ(s.support.request_ttl_s, 259200);
  ASSERT_EQ(s.notifications.size(), all_notification_kinds.size());
  for (const auto k : all_notification_kinds) {
    EXPECT_TRUE(s.notifications.at(k).enabled);
    EXPECT_EQ(s.notifications.at(k).title, default_template(k).title);
  }
}

TEST(settings, defaults_are_valid) {
  EXPECT_FALSE(validate(settings_patch{}, default_settings()));
  EXPECT_TRUE(settings_patch{}.empty());
}

TEST(settings, apply_replaces_only_what_the_patch_sets) {
  settings_patch p;
  p.impersonation.enabled = true;
  p.impersonation.max_duration_s = 600;
  p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::admin, {}}};
  p.support.request_ttl_s = 3600;
  p.notifications[notification_kind::impersonation_ended].enabled = false;
  p.notifications[notification_kind::impersonation_started].title = "Hello {target_name}";
  EXPECT_FALSE(p.empty());
  const realm_settings s = apply(default_settings(), p);
  EXPECT_TRUE(s.impersonation.enabled);
  EXPECT_EQ(s.impersonation.max_duration_s, 600);
  EXPECT_EQ(s.impersonation.warn_before_s, 300);
  // allowed_targets is patched per caller role: the other roles keep their lists.
  EXPECT_TRUE(s.impersonation.allowed_targets.at(role::admin).empty());
  EXPECT_EQ(s.impersonation.allowed_targets.at(role::power_user), std::set<role>{role::learner});
  EXPECT_EQ(s.support.request_ttl_s, 3600);
  EXPECT_EQ(s.support.max_duration_s, 2592000);
  EXPECT_FALSE(s.notifications.at(notification_kind::impersonation_ended).enabled);
  EXPECT_EQ(s.notifications.at(notification_kind::impersonation_started).title, "Hello {target_name}");
  EXPECT_EQ(s.notifications.at(notification_kind::impersonation_started).body,
            default_template(notification_kind::impersonation_started).body);
}

TEST(settings, merge_lets_the_later_patch_win_field_by_field) {
  settings_patch earlier;
  earlier.impersonation.enabled = true;
  earlier.impersonation.max_duration_s = 900;
  earlier.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::admin, {role::learner}}};
  earlier.notifications[notification_kind::support_denied].title = "old";
  settings_patch later;
  later.impersonation.max_duration_s = 600;
  later.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::power_user, {}}};
  later.notifications[notification_kind::support_denied].body = "new";
  const settings_patch m = merge(earlier, later);
  EXPECT_EQ(m.impersonation.enabled, true);
  EXPECT_EQ(m.impersonation.max_duration_s, 600);
  EXPECT_EQ(m.impersonation.allowed_targets->size(), 2u);
  EXPECT_EQ(m.notifications.at(notification_kind::support_denied).title, "old");
  EXPECT_EQ(m.notifications.at(notification_kind::support_denied).body, "new");
  EXPECT_FALSE(m.impersonation.warn_before_s);
}

struct range_case {
  std::string field;
  std::function<void(settings_patch&, std::int64_t)> set;
  std::int64_t lowest, highest;
};

TEST(settings_validate, numeric_ranges_with_field_names) {
  const std::vector<range_case> cases{
    {"impersonation.max_duration_s", [](settings_patch& p, std::int64_t v) {
       p.impersonation.max_duration_s = v;
       p.impersonation.warn_before_s = 30;
     }, 60, 1800},
    {"impersonation.reason_min_length",
     [](settings_patch& p, std::int64_t v) { p.impersonation.reason_min_length = v; }, 1, 500},
    {"support.default_duration_s", [](settings_patch& p, std::int64_t v) { p.support.default_duration_s = v; },
     3600, 2592000},
    {"support.max_duration_s", [](settings_patch& p, std::int64_t v) {
       p.support.max_duration_s = v;
       p.support.default_duration_s = 3600;
       p.support.warn_before_s = 60;
     }, 3600, 2592000},
    {"support.request_ttl_s", [](settings_patch& p, std::int64_t v) { p.support.request_ttl_s = v; }, 60,
     2592000},
  };
  for (const auto& c : cases) {
    for (const std::int64_t ok : {c.lowest, c.highest}) {
      settings_patch p;
      c.set(p, ok);
      EXPECT_EQ(error_field(p), "") << c.field << " = " << ok;
    }
    for (const std::int64_t bad : {c.lowest - 1, c.highest + 1}) {
      settings_patch p;
      c.set(p, bad);
      EXPECT_EQ(error_field(p), c.field) << c.field << " = " << bad;
    }
  }
}

TEST(settings_validate, warnings_must_fall_inside_the_duration) {
  settings_patch p;
  p.impersonation.max_duration_s = 600;
  p.impersonation.warn_before_s = 599;
  EXPECT_EQ(error_field(p), "");
  p.impersonation.warn_before_s = 600;
  EXPECT_EQ(error_field(p), "impersonation.warn_before_s");
  p.impersonation.warn_before_s = 0;
  EXPECT_EQ(error_field(p), "impersonation.warn_before_s");
  // Lowering the duration alone under the default 300 s warning is refused too (a relation across fields).
  settings_patch q;
  q.impersonation.max_duration_s = 300;
  EXPECT_EQ(error_field(q), "impersonation.warn_before_s");

  settings_patch s;
  s.support.warn_before_s = 0;
  EXPECT_EQ(error_field(s), "support.warn_before_s");
  s.support.warn_before_s = 2592000;
  EXPECT_EQ(error_field(s), "support.warn_before_s");
  s.support.warn_before_s = 2591999;
  EXPECT_EQ(error_field(s), "");
}

TEST(settings_validate, default_support_duration_within_max) {
  settings_patch p;
  p.support.max_duration_s = 7200;
  EXPECT_EQ(error_field(p), "support.default_duration_s");  // the default 86400 now exceeds it
  p.support.default_duration_s = 7200;
  EXPECT_EQ(error_field(p), "");
}

TEST(settings_validate, allowed_targets_stay_below_the_caller) {
  settings_patch p;
  p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::admin, {role::admin}}};
  EXPECT_EQ(error_field(p), "impersonation.allowed_targets.admin");
  p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::superadmin, {role::support}}};
  EXPECT_EQ(error_field(p), "impersonation.allowed_targets.superadmin");
  p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::learner, {}}};
  EXPECT_EQ(error_field(p), "impersonation.allowed_targets.learner");
  p.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::admin, {role::learner, role::manager}}};
  EXPECT_EQ(error_field(p), "");
}

TEST(settings_validate, restricted_action_patterns) {
  for (const std::string good : {"messages.*", "*", "portal.switch", "a.*.c", "2fa_x.y"}) {
    settings_patch p;
    p.impersonation.restricted_actions = std::vector<std::string>{good};
    EXPECT_EQ(error_field(p), "") << good;
  }
  for (const std::string bad : {"", "Messages.*", "messages.", ".x", "a..b", "mess*", "a b", "a-b"}) {
    settings_patch p;
    p.impersonation.restricted_actions = std::vector<std::string>{"forums.*", bad};
    EXPECT_EQ(error_field(p), "impersonation.restricted_actions") << bad;
  }
}

TEST(settings_validate, templates_are_bounded_and_known) {
  const auto field_for = [](std::optional<std::string> title, std::optional<std::string> body) {
    settings_patch p;
    p.notifications[notification_kind::impersonation_started] = {std::nullopt, title, body};
    return error_field(p);
  };
  EXPECT_EQ(field_for(std::string(200, 'x'), std::nullopt), "");
  EXPECT_EQ(field_for(std::string(201, 'x'), std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for("", std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for("two\nlines", std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for("bad \xC3", std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for("{actor_nme} is here", std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for(std::nullopt, std::string(2000, 'x')), "");
  EXPECT_EQ(field_for(std::nullopt, std::string(2001, 'x')), "notifications.impersonation_started.body");
  EXPECT_EQ(field_for(std::nullopt, "line one\nline two by {actor_name}"), "");
  EXPECT_EQ(field_for(std::nullopt, "tab\there"), "notifications.impersonation_started.body");
  EXPECT_EQ(field_for(std::nullopt, "c1 \xC2\x85"), "notifications.impersonation_started.body");
  EXPECT_EQ(field_for("rtl \xE2\x80\xAE", std::nullopt), "notifications.impersonation_started.title");
  EXPECT_EQ(field_for(std::nullopt, "zero\xE2\x80\x8Bwidth"), "notifications.impersonation_started.body");
  EXPECT_EQ(field_for(std::nullopt, "Hi {whoever}"), "notifications.impersonation_started.body");
  const auto e = validate_patch([] {
    settings_patch p;
    p.notifications[notification_kind::support_denied].body = "{nope}";
    return p;
  }());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "notifications.support_denied.body");
  EXPECT_NE(e->message.find("nope"), std::string::npos);
}

// Tighten-only: each field has one direction that is allowed and one that is refused.
struct tighten_case {
  std::string field;
  std::function<void(realm_settings&)> stricter;
  std::function<void(realm_settings&)> looser;
};

TEST(settings_tighten, each_field_in_both_directions) {
  realm_settings parent = default_settings();
  parent.impersonation.enabled = true;
  parent.impersonation.max_duration_s = 1200;
  parent.impersonation.require_consent = {consent::terms};
  parent.impersonation.exclusive = false;
  parent.impersonation.target_can_end = false;
  parent.impersonation.show_target_live = false;
  parent.support.default_duration_s = 7200;
  parent.support.max_duration_s = 86400;

  const std::vector<tighten_case> cases{
    {"impersonation.enabled", [](auto& s) { s.impersonation.enabled = false; }, nullptr},
    {"impersonation.max_duration_s", [](auto& s) { s.impersonation.max_duration_s = 1199; },
     [](auto& s) { s.impersonation.max_duration_s = 1201; }},
    // A warning's lead time is free in both directions (it protects nobody).
    {"impersonation.warn_before_s", [](auto& s) { s.impersonation.warn_before_s = 60; }, nullptr},
    {"impersonation.reason_min_length", [](auto& s) { s.impersonation.reason_min_length = 11; },
     [](auto& s) { s.impersonation.reason_min_length = 9; }},
    {"impersonation.require_consent",
     [](auto& s) { s.impersonation.require_consent = {consent::terms, consent::privacy}; },
     [](auto& s) { s.impersonation.require_consent = {consent::privacy}; }},
    {"impersonation.exclusive", [](auto& s) { s.impersonation.exclusive = true; }, nullptr},
    {"impersonation.target_can_end", [](auto& s) { s.impersonation.target_can_end = true; }, nullptr},
    {"impersonation.show_target_live", [](auto& s) { s.impersonation.show_target_live = true; }, nullptr},
    {"impersonation.allowed_targets.admin",
     [](auto& s) { s.impersonation.allowed_targets[role::admin] = {}; },
     [](auto& s) { s.impersonation.allowed_targets[role::admin].insert(role::instructor); }},
    {"impersonation.restricted_actions",
     [](auto& s) { s.impersonation.restricted_actions.push_back("grades.*"); },
     [](auto& s) { s.impersonation.restricted_actions.pop_back(); }},
    {"support.default_duration_s", [](auto& s) { s.support.default_duration_s = 3600; },
     [](auto& s) { s.support.default_duration_s = 7201; }},
    {"support.max_duration_s", [](auto& s) { s.support.max_duration_s = 86399; },
     [](auto& s) { s.support.max_duration_s = 86401; }},
    {"support.warn_before_s", [](auto& s) { s.support.warn_before_s = 600; }, nullptr},
    {"support.request_ttl_s", [](auto& s) { s.support.request_ttl_s = 3600; },
     [](auto& s) { s.support.request_ttl_s = 259201; }},
    {"notifications.impersonation_started.enabled",
     [](auto& s) { s.notifications[notification_kind::impersonation_started].title = "Any new text"; },
     [](auto& s) { s.notifications[notification_kind::impersonation_started].enabled = false; }},
  };
  EXPECT_FALSE(check_tightens(parent, parent));
  for (const auto& c : cases) {
    realm_settings stricter = parent;
    c.stricter(stricter);
    EXPECT_FALSE(check_tightens(parent, stricter)) << c.field;
    if (!c.looser) continue;
    realm_settings looser = parent;
    c.looser(looser);
    const auto e = check_tightens(parent, looser);
    ASSERT_TRUE(e) << c.field;
    EXPECT_EQ(e->field, c.field);
  }
}

TEST(settings_tighten, turning_on_what_the_parent_turned_off_is_refused) {
  realm_settings parent = default_settings();  // impersonation off, exclusive on, show_target_live on
  realm_settings result = parent;
  result.impersonation.enabled = true;
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.enabled");
  result = parent;
  result.impersonation.exclusive = false;
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.exclusive");
  result = parent;
  result.impersonation.show_target_live = false;
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.show_target_live");
  parent.impersonation.target_can_end = true;
  result = parent;
  result.impersonation.target_can_end = false;
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.target_can_end");
}

TEST(settings_tighten, a_broader_restricted_pattern_covers_narrower_ones) {
  realm_settings parent = default_settings();
  parent.impersonation.restricted_actions = {"messages.read", "forums.*"};
  realm_settings result = parent;
  result.impersonation.restricted_actions = {"messages.*", "forums.*"};
  EXPECT_FALSE(check_tightens(parent, result));
  result.impersonation.restricted_actions = {"*"};
  EXPECT_FALSE(check_tightens(parent, result));
  result.impersonation.restricted_actions = {"messages.read", "forums.post"};
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.restricted_actions");
}

TEST(settings_tighten, a_parent_disabled_notification_may_be_turned_on) {
  realm_settings parent = default_settings();
  parent.notifications[notification_kind::support_denied].enabled = false;
  realm_settings result = parent;
  result.notifications[notification_kind::support_denied].enabled = true;
  EXPECT_FALSE(check_tightens(parent, result));
}

TEST(settings_tighten, a_new_caller_role_in_allowed_targets_is_looser) {
  realm_settings parent = default_settings();
  parent.impersonation.allowed_targets.erase(role::power_user);
  realm_settings result = parent;
  result.impersonation.allowed_targets[role::power_user] = {role::learner};
  EXPECT_EQ(check_tightens(parent, result)->field, "impersonation.allowed_targets.power_user");
  result.impersonation.allowed_targets[role::power_user] = {};
  EXPECT_FALSE(check_tightens(parent, result));
}

} // namespace
