// POST /v1/authorize: action names, restricted actions while impersonating, what a temporary support
// admin may never do, and which decisions are audit events.
#include <gtest/gtest.h>

#include "domain/authorize.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

// The tokens a case can carry.
enum class token { ann_self, adam_self, ann_by_adam, paul_by_adam, tom_grant, ann_by_tom };

authorize_context context(const directory& d, token t) {
  switch (t) {
    case token::ann_self: return {&who(d, "ann"), false, std::nullopt, false};
    case token::adam_self: return {&who(d, "adam"), false, std::nullopt, false};
    case token::ann_by_adam: return {&who(d, "ann"), true, id{"acme-eu"}, false};
    case token::paul_by_adam: return {&who(d, "paul"), true, id{"acme-eu-paris"}, false};
    case token::tom_grant: return {&who(d, "tom"), false, std::nullopt, false};  // tom is temporary
    case token::ann_by_tom: return {&who(d, "ann"), true, id{"acme-eu"}, true};
  }
  return {};
}

struct authorize_case {
  token t;
  std::string action;
  std::optional<errc> expected;  ///< nullopt: allowed
};

directory authorize_directory() {
  directory d = demo_directory();
  settings_patch paris;  // Paris restricts grades on top of the realm's list
  paris.impersonation.restricted_actions = std::vector<std::string>{"grades.*"};
  d.put_settings("acme-eu-paris", paris);
  return d;
}

void expect_cases(const directory& d, const std::vector<authorize_case>& cases) {
  for (const auto& c : cases) {
    const authorize_decision got = authorize(d, context(d, c.t), c.action);
    EXPECT_EQ(got.allowed, !c.expected) << c.action;
    EXPECT_EQ(got.code, c.expected) << c.action << ": got " << (got.code ? to_string(*got.code) : "allowed");
  }
}

TEST(authorize, action_names_are_dotted_lowercase_segments) {
  const directory d = authorize_directory();
  std::vector<authorize_case> cases;
  const std::vector<std::string> good{"courses", "courses.view", "courses.42.delete", "2fa.setup", "a_b.c_d",
                                      std::string(200, 'a')};
  for (const auto& action : good) cases.push_back({token::ann_self, action, std::nullopt});
  const std::vector<std::string> bad{"", ".", "courses.", ".courses", "courses..view", "Courses.view",
                                     "courses.*", "courses view", "courses-view", "courses/view",
                                     "kurs\xC3\xA9.view", std::string(201, 'a')};
  for (const auto& action : bad) cases.push_back({token::ann_self, action, errc::invalid_request});
  // The name is checked first, whatever the token.
  cases.push_back({token::ann_by_tom, "messages..send", errc::invalid_request});
  expect_cases(d, cases);
}

TEST(authorize, restricted_actions_are_denied_while_impersonating) {
  const directory d = authorize_directory();
  expect_cases(d, {
    {token::ann_self, "messages.send", std::nullopt},  // the learner herself may
    {token::ann_by_adam, "messages.send", errc::restricted_while_impersonating},
    {token::ann_by_adam, "forums.thread.post", errc::restricted_while_impersonating},
    {token::ann_by_adam, "portal.switch", errc::restricted_while_impersonating},
    {token::ann_by_adam, "password.change", errc::restricted_while_impersonating},
    {token::ann_by_adam, "impersonation.start", errc::restricted_while_impersonating},
    {token::ann_by_adam, "impersonation.end", std::nullopt},  // the exits are never restricted
    {token::ann_by_adam, "logout", std::nullopt},
    {token::ann_by_adam, "courses.view", std::nullopt},
    {token::ann_by_adam, "messages", errc::restricted_while_impersonating},  // "x.*" matches x itself
    {token::ann_by_adam, "admin", errc::restricted_while_impersonating},
    {token::ann_by_adam, "password", std::nullopt},  // "password.change" names one action, not its parent
    {token::ann_by_adam, "grades.edit", std::nullopt},
    {token::paul_by_adam, "grades.edit", errc::restricted_while_impersonating},  // the session's portal
    {token::paul_by_adam, "messages.send", errc::restricted_while_impersonating},  // inherited too
  });
}

TEST(authorize, temporary_admins_never_provision_or_change_policy) {
  const directory d = authorize_directory();
  std::vector<authorize_case> cases;
  for (const std::string denied : {"users.create", "users.provision", "users.delete", "users.role",
                                   "users.role.set", "users.assignments", "users.admin_portals", "users.consents",
                                   "settings", "settings.update", "realms.create", "portals.create"}) {
    cases.push_back({token::tom_grant, denied, errc::forbidden});
    cases.push_back({token::adam_self, denied, std::nullopt});  // a permanent admin is not refused here
  }
  for (const std::string allowed : {"users.status", "users.read", "users.list", "settings.read", "settings.view",
                                    "portals.list", "courses.edit", "users.creator", "reports.export"})
    cases.push_back({token::tom_grant, allowed, std::nullopt});
  expect_cases(d, cases);
}

TEST(authorize, a_temporary_admin_impersonating_meets_both_rules) {
  const directory d = authorize_directory();
  expect_cases(d, {
    {token::ann_by_tom, "messages.send", errc::restricted_while_impersonating},  // restriction first
    {token::ann_by_tom, "users.create", errc::forbidden},
    {token::ann_by_tom, "settings.update", errc::forbidden},
    {token::ann_by_tom, "courses.view", std::nullopt},
    {token::ann_by_tom, "impersonation.end", std::nullopt},
    {token::ann_by_adam, "users.create", std::nullopt},
  });
}

TEST(authorize, a_subject_without_portal_reads_the_default_restrictions) {
  const directory d = authorize_directory();
  const authorize_context ctx{&who(d, "root"), true, std::nullopt, false};
  EXPECT_EQ(authorize(d, ctx, "messages.send").code, errc::restricted_while_impersonating);
  EXPECT_TRUE(authorize(d, ctx, "courses.view").allowed);
}

struct audit_case {
  token t;
  std::string action;
  bool audited;
};

TEST(authorize, audit_every_denial_and_every_decision_under_impersonation_or_grant) {
  const directory d = authorize_directory();
  const std::vector<audit_case> cases{
    {token::ann_self, "courses.view", false},  // a plain user acting as itself: counted, not logged
    {token::adam_self, "users.create", false},
    {token::ann_self, "Bad.Name", true},  // every denial
    {token::ann_by_adam, "courses.view", true},
    {token::ann_by_adam, "messages.send", true},
    {token::tom_grant, "courses.view", true},
    {token::tom_grant, "users.create", true},
    {token::ann_by_tom, "courses.view", true},
  };
  for (const auto& c : cases) {
    const auto ctx = context(d, c.t);
    EXPECT_EQ(must_audit(ctx, authorize(d, ctx, c.action)), c.audited) << c.action;
  }
}

} // namespace
