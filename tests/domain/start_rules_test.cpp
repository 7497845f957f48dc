// The thirteen start rules of SPEC §2: every code is reachable, and the earliest failing rule decides.
#include <gtest/gtest.h>

#include "domain/start_rules.hpp"
#include "fixture.hpp"
#include "tests/domain/repeat.hpp"

namespace {

using namespace actas::testing;

const std::string good_reason = "ticket 4711: learner cannot see course";

using actas::testing::repeat;

struct start_case {
  std::string name;
  std::string caller;
  std::string target;  ///< user id
  std::optional<std::string> reason = good_reason;
  bool impersonation_token = false;
  bool caller_busy = false;
  bool target_busy = false;
  std::optional<std::string> return_to{};
  std::optional<errc> expected{};  ///< nullopt: the start is allowed
};

// The demo directory plus a few users only some cases need, and acme-us with impersonation off.
directory rules_directory() {
  directory d = demo_directory();
  user dora = make_user("dora", role::learner, "acme-eu", "acme");
  dora.status = user_status::deleted;
  d.put_user(dora);
  user ina = make_user("ina", role::admin, "acme-eu", "acme");
  ina.status = user_status::inactive;
  d.put_user(ina);
  user una = make_user("una", role::learner, "acme-us", "acme");
  una.status = user_status::inactive;
  d.put_user(una);
  user ida = make_user("ida", role::instructor, "acme-eu", "acme");
  ida.accepted.privacy = false;
  d.put_user(ida);
  d.put_portal({"acme-lab", "acme", "acme", "Acme Lab"});
  settings_patch off;
  off.impersonation.enabled = false;
  d.put_settings("acme-lab", off);
  d.put_user(make_user("lou", role::learner, "acme-lab", "acme"));
  user ivy = make_user("ivy", role::instructor, "acme-lab", "acme");
  ivy.status = user_status::inactive;
  d.put_user(ivy);
  return d;
}

start_verdict run(const directory& d, const start_case& c) {
  start_request req;
  req.token_is_impersonation = c.impersonation_token;
  req.caller = d.find_username(c.caller);
  req.target_id = c.target;
  if (c.reason) req.reason = *c.reason;
  req.caller_busy = c.caller_busy;
  req.target_busy = c.target_busy;
  if (c.return_to) req.return_to = *c.return_to;
  return check_start(d, req);
}

void expect_cases(const directory& d, const std::vector<start_case>& cases) {
  for (const auto& c : cases) {
    const start_verdict v = run(d, c);
    if (c.expected)
      EXPECT_EQ(v.code, c.expected) << c.name << ": got " << (v.code ? to_string(*v.code) : "allowed");
    else
      EXPECT_TRUE(v.allowed()) << c.name << ": got " << to_string(*v.code);
  }
}

// `return_to` is the request's own text like the reason: judged right after rule 12, so every rule before
// it still answers with its own code (a nested impersonation stays nested_impersonation).
TEST(start_rules, a_bad_return_to_is_judged_after_the_reason) {
  const directory d = rules_directory();
  expect_cases(d, {
    {.name = "1 before return_to", .caller = "sara", .target = "u-ann", .impersonation_token = true,
     .return_to = "https://evil.example/", .expected = errc::nested_impersonation},
    {.name = "2 before return_to", .caller = "ann", .target = "u-bob", .return_to = "//evil",
     .expected = errc::permission_missing},
    {.name = "3 before return_to", .caller = "sara", .target = "u-nobody", .return_to = "//evil",
     .expected = errc::target_not_found},
    {.name = "12 before return_to", .caller = "adam", .target = "u-ann", .reason = "short",
     .return_to = "//evil", .expected = errc::reason_required},
    {.name = "return_to before 13", .caller = "adam", .target = "u-ann", .target_busy = true,
     .return_to = "//evil", .expected = errc::invalid_request},
    {.name = "absolute", .caller = "adam", .target = "u-ann", .return_to = "https://evil.example/",
     .expected = errc::invalid_request},
    {.name = "relative is fine", .caller = "adam", .target = "u-ann", .return_to = "/admin/users"},
  });
}

TEST(start_rules, every_rule_code_is_reached) {
  const directory d = rules_directory();
  expect_cases(d, {
    {.name = "1 impersonation token", .caller = "sara", .target = "u-ann",
     .impersonation_token = true, .expected = errc::nested_impersonation},
    {.name = "2 learner", .caller = "ann", .target = "u-bob", .expected = errc::permission_missing},
    {.name = "2 instructor", .caller = "ivan", .target = "u-ann", .expected = errc::permission_missing},
    {.name = "2 manager", .caller = "mia", .target = "u-ann", .expected = errc::permission_missing},
    {.name = "2 sysadmin", .caller = "root", .target = "u-ann", .expected = errc::permission_missing},
    {.name = "2 support", .caller = "sam", .target = "u-ann", .expected = errc::permission_missing},
    {.name = "3 unknown id", .caller = "sara", .target = "u-nobody", .expected = errc::target_not_found},
    {.name = "3 deleted", .caller = "sara", .target = "u-dora", .expected = errc::target_not_found},
    {.name = "3 other realm", .caller = "sara", .target = "u-gwen", .expected = errc::target_not_found},
    {.name = "3 other realm, other way", .caller = "gary", .target = "u-ann",
     .expected = errc::target_not_found},
    {.name = "3 username is not an id", .caller = "sara", .target = "ann", .expected = errc::target_not_found},
    {.name = "4 feature off at target portal", .caller = "sara", .target = "u-lou",
     .expected = errc::feature_disabled},
    {.name = "5 caller busy", .caller = "sara", .target = "u-ann",
     .caller_busy = true, .expected = errc::actor_busy},
    {.name = "6 self", .caller = "sara", .target = "u-sara", .expected = errc::self_impersonation},
    {.name = "7 inactive", .caller = "adam", .target = "u-ines", .expected = errc::target_inactive},
    {.name = "7 pending", .caller = "adam", .target = "u-pete", .expected = errc::target_inactive},
    {.name = "8 sysadmin target", .caller = "sara", .target = "u-root", .expected = errc::target_protected},
    {.name = "8 support target", .caller = "sara", .target = "u-sam", .expected = errc::target_protected},
    {.name = "8 higher rank", .caller = "adam", .target = "u-sara", .expected = errc::target_protected},
    {.name = "8 admin on admin", .caller = "adam", .target = "u-tom", .expected = errc::target_protected},
    {.name = "8 power user on admin", .caller = "pia", .target = "u-adam", .expected = errc::target_protected},
    {.name = "9 admin outside subtree", .caller = "adam", .target = "u-bob",
     .expected = errc::target_out_of_scope},
    {.name = "9 power user unassigned", .caller = "pia", .target = "u-bob",
     .expected = errc::target_out_of_scope},
    {.name = "9 temporary admin below its portal", .caller = "tom", .target = "u-paul",
     .expected = errc::target_out_of_scope},
    {.name = "10 admin on instructor", .caller = "adam", .target = "u-ivan",
     .expected = errc::target_role_not_allowed},
    {.name = "10 admin on manager", .caller = "adam", .target = "u-mia",
     .expected = errc::target_role_not_allowed},
    {.name = "11 no terms", .caller = "adam", .target = "u-noel", .expected = errc::consent_missing},
    {.name = "12 missing", .caller = "adam", .target = "u-ann",
     .reason = std::nullopt, .expected = errc::reason_required},
    {.name = "12 short", .caller = "adam", .target = "u-ann",
     .reason = "too short", .expected = errc::reason_required},
    {.name = "12 newline", .caller = "adam", .target = "u-ann",
     .reason = "line one\nline two", .expected = errc::reason_required},
    {.name = "13 target busy", .caller = "adam", .target = "u-ann",
     .target_busy = true, .expected = errc::target_busy},
    {.name = "ok admin", .caller = "adam", .target = "u-ann"},
    {.name = "ok admin in a sub-portal", .caller = "adam", .target = "u-paul"},
    {.name = "ok superadmin on instructor", .caller = "sara", .target = "u-ivan"},
    {.name = "ok superadmin on admin", .caller = "sara", .target = "u-adam"},
    {.name = "ok power user", .caller = "pia", .target = "u-ann"},
    {.name = "ok temporary admin", .caller = "tom", .target = "u-ann"},
    {.name = "ok other realm's own superadmin", .caller = "gary", .target = "u-gwen"},
  });
}

TEST(start_rules, earliest_failing_rule_wins) {
  const directory d = rules_directory();
  expect_cases(d, {
    {.name = "1 before 2", .caller = "ivan", .target = "u-ann",
     .impersonation_token = true, .expected = errc::nested_impersonation},
    {.name = "2 before 3", .caller = "ivan", .target = "u-nobody", .expected = errc::permission_missing},
    {.name = "3 before 4", .caller = "sara", .target = "u-nobody",
     .reason = std::nullopt, .caller_busy = true, .target_busy = true, .expected = errc::target_not_found},
    {.name = "3 before 6", .caller = "sara", .target = "u-dora", .expected = errc::target_not_found},
    {.name = "4 before 5", .caller = "sara", .target = "u-lou",
     .caller_busy = true, .expected = errc::feature_disabled},
    {.name = "4 before 7", .caller = "sara", .target = "u-ivy", .expected = errc::feature_disabled},
    {.name = "5 before 6", .caller = "sara", .target = "u-sara",
     .caller_busy = true, .expected = errc::actor_busy},
    {.name = "6 before 8", .caller = "adam", .target = "u-adam", .expected = errc::self_impersonation},
    {.name = "7 before 8", .caller = "adam", .target = "u-ina", .expected = errc::target_inactive},
    {.name = "7 before 9", .caller = "adam", .target = "u-una", .expected = errc::target_inactive},
    {.name = "8 before 9", .caller = "adam", .target = "u-sara", .expected = errc::target_protected},
    {.name = "9 before 10", .caller = "pia", .target = "u-ivan", .expected = errc::target_out_of_scope},
    {.name = "10 before 11", .caller = "adam", .target = "u-ida", .expected = errc::target_role_not_allowed},
    {.name = "11 before 12", .caller = "adam", .target = "u-noel",
     .reason = std::nullopt, .expected = errc::consent_missing},
    {.name = "12 before 13", .caller = "adam", .target = "u-ann",
     .reason = "short", .target_busy = true, .expected = errc::reason_required},
  });
}

TEST(start_rules, scope_is_checked_before_allowed_roles) {
  directory d = rules_directory();
  d.put_user(make_user("iris", role::instructor, "acme-us", "acme"));
  expect_cases(d, {{.name = "9 before 10", .caller = "adam", .target = "u-iris",
                    .expected = errc::target_out_of_scope}});
}

TEST(start_rules, inactive_target_is_checked_after_self) {
  directory d = rules_directory();
  user adam = who(d, "adam");
  adam.status = user_status::inactive;
  d.put_user(adam);
  expect_cases(d, {{.name = "6 before 7", .caller = "adam", .target = "u-adam",
                    .expected = errc::self_impersonation}});
}

TEST(start_rules, success_returns_target_and_trimmed_reason) {
  const directory d = rules_directory();
  const auto v = run(d, {.name = "ok", .caller = "adam", .target = "u-ann",
                         .reason = "  \xC2\xA0" + good_reason + " \xE3\x80\x80"});
  ASSERT_TRUE(v.allowed());
  ASSERT_NE(v.target, nullptr);
  EXPECT_EQ(v.target->user_id, "u-ann");
  EXPECT_EQ(v.reason, good_reason);
}

TEST(start_rules, reason_length_boundaries_in_code_points) {
  const directory d = rules_directory();
  for (const std::string unit : {"a", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80"}) {
    const auto code_for = [&](std::size_t n) {
      const std::string reason = "  " + repeat(unit, n) + "  ";
      return run(d, {.name = "len", .caller = "adam", .target = "u-ann", .reason = reason}).code;
    };
    EXPECT_EQ(code_for(9), errc::reason_required) << unit;
    EXPECT_EQ(code_for(10), std::nullopt) << unit;
    EXPECT_EQ(code_for(500), std::nullopt) << unit;
    EXPECT_EQ(code_for(501), errc::reason_required) << unit;
  }
}

TEST(start_rules, reason_with_any_control_character_is_refused) {
  const directory d = rules_directory();
  for (const std::string& ctl : {std::string(1, '\0'), std::string{"\t"}, std::string{"\n"},
                                 std::string{"\x1F"}, std::string{"\x7F"}, std::string{"\xC2\x80"},
                                 std::string{"\xC2\x9F"}, std::string{"\xC3"}}) {
    EXPECT_EQ(run(d, {.name = "ctl", .caller = "adam", .target = "u-ann", .reason = good_reason + ctl}).code,
              errc::reason_required);
    EXPECT_EQ(run(d, {.name = "ctl", .caller = "adam", .target = "u-ann", .reason = ctl + good_reason}).code,
              errc::reason_required);
  }
}

TEST(start_rules, settings_come_from_the_targets_portal) {
  directory d = rules_directory();
  // Loosening is the top-level portal's privilege; sub-portals only tighten (stricter wins).
  settings_patch top = enable_impersonation();
  top.impersonation.exclusive = false;
  d.put_settings("acme", top);
  settings_patch paris;
  paris.impersonation.reason_min_length = 20;
  paris.impersonation.exclusive = true;
  d.put_settings("acme-eu-paris", paris);
  settings_patch eu_us;
  eu_us.impersonation.allowed_targets = std::map<role, std::set<role>>{{role::superadmin, {}}};
  d.put_settings("acme-us", eu_us);
  const std::string nineteen = repeat("x", 19);
  expect_cases(d, {
    {.name = "min length at paris", .caller = "adam", .target = "u-paul",
     .reason = nineteen, .expected = errc::reason_required},
    {.name = "min length at eu", .caller = "adam", .target = "u-ann", .reason = nineteen},
    {.name = "not exclusive at eu", .caller = "adam", .target = "u-ann", .reason = nineteen, .target_busy = true},
    {.name = "exclusive at paris", .caller = "adam", .target = "u-paul",
     .reason = repeat("x", 20), .target_busy = true, .expected = errc::target_busy},
    {.name = "superadmin's allowed roles at us", .caller = "sara", .target = "u-bob",
     .expected = errc::target_role_not_allowed},
    {.name = "superadmin's allowed roles at eu", .caller = "sara", .target = "u-ann"},
  });
}

TEST(start_rules, consent_follows_require_consent) {
  directory d = rules_directory();
  settings_patch only_privacy = enable_impersonation();
  only_privacy.impersonation.require_consent = std::set<consent>{consent::privacy};
  d.put_settings("acme", only_privacy);
  expect_cases(d, {{.name = "noel lacks terms only", .caller = "adam", .target = "u-noel"}});
  user noel = who(d, "noel");
  noel.accepted.privacy = false;
  d.put_user(noel);
  expect_cases(d, {{.name = "now privacy too", .caller = "adam", .target = "u-noel",
                    .expected = errc::consent_missing}});
  // A sub-portal cannot drop a consent its parent requires.
  settings_patch eu;
  eu.impersonation.require_consent = std::set<consent>{};
  d.put_settings("acme-eu", eu);
  expect_cases(d, {{.name = "privacy still required below", .caller = "adam", .target = "u-noel",
                    .expected = errc::consent_missing}});
  noel.accepted.privacy = true;
  d.put_user(noel);
  expect_cases(d, {{.name = "privacy accepted", .caller = "adam", .target = "u-noel"}});
  settings_patch strict_eu;
  strict_eu.impersonation.require_consent = std::set<consent>{consent::terms};
  d.put_settings("acme-eu", strict_eu);
  expect_cases(d, {{.name = "terms added below", .caller = "adam", .target = "u-noel",
                    .expected = errc::consent_missing}});
}

TEST(start_rules, missing_caller_is_refused) {
  const directory d = rules_directory();
  start_request req;
  req.target_id = "u-ann";
  req.reason = good_reason;
  EXPECT_EQ(check_start(d, req).code, errc::permission_missing);
}

TEST(impersonation_blocker, answers_could_impersonate_now) {
  const directory d = rules_directory();
  const auto block = [&](const char* actor, const char* target) {
    return impersonation_blocker(d, who(d, actor), who(d, target));
  };
  EXPECT_EQ(block("adam", "ann"), std::nullopt);
  EXPECT_EQ(block("ivan", "ann"), errc::permission_missing);
  EXPECT_EQ(block("sara", "gwen"), errc::target_not_found);
  EXPECT_EQ(block("sara", "dora"), errc::target_not_found);
  EXPECT_EQ(block("sara", "lou"), errc::feature_disabled);
  EXPECT_EQ(block("sara", "sara"), errc::self_impersonation);
  EXPECT_EQ(block("adam", "ines"), errc::target_inactive);
  EXPECT_EQ(block("adam", "sara"), errc::target_protected);
  EXPECT_EQ(block("sara", "sam"), errc::target_protected);
  EXPECT_EQ(block("adam", "bob"), errc::target_out_of_scope);
  EXPECT_EQ(block("adam", "ivan"), errc::target_role_not_allowed);
  EXPECT_EQ(block("adam", "noel"), errc::consent_missing);
}

} // namespace
