// SPEC §9 Forward auth: a proxied request's method and path become an action; the path is normalised
// first so an encoded or dotted path cannot slip past a rule.
#include <gtest/gtest.h>

#include "domain/forward_auth.hpp"

namespace {

using namespace actas::domain;

TEST(forward_auth, paths_are_decoded_and_dot_segments_resolved_before_matching) {
  EXPECT_EQ(normalized_forward_path("/admin/users"), "/admin/users");
  EXPECT_EQ(normalized_forward_path("/%61dmin/users"), "/admin/users");
  EXPECT_EQ(normalized_forward_path("/course/../admin"), "/admin");
  EXPECT_EQ(normalized_forward_path("/course/%2e%2e/admin"), "/admin");
  EXPECT_EQ(normalized_forward_path("//admin///users/./x"), "/admin/users/x");
  EXPECT_EQ(normalized_forward_path("/../../admin"), "/admin");
  EXPECT_EQ(normalized_forward_path("/admin/"), "/admin/");
  EXPECT_EQ(normalized_forward_path("/"), "/");
  EXPECT_EQ(normalized_forward_path("/a/b/.."), "/a/");
  for (const auto* bad : {"", "admin", "/%zz", "/%4", "/%00", "/%ff%fe", "/%2561dmin", "/100%25"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(normalized_forward_path(bad));
  }
}

TEST(forward_auth, globs_match_within_and_across_segments) {
  EXPECT_TRUE(forward_glob_matches("/admin/**", "/admin"));
  EXPECT_TRUE(forward_glob_matches("/admin/**", "/admin/"));
  EXPECT_TRUE(forward_glob_matches("/admin/**", "/admin/users/7/edit"));
  EXPECT_FALSE(forward_glob_matches("/admin/**", "/administrator"));
  EXPECT_FALSE(forward_glob_matches("/admin/**", "/courses/admin"));
  EXPECT_TRUE(forward_glob_matches("/**/grades", "/courses/7/grades"));
  EXPECT_TRUE(forward_glob_matches("/**/grades", "/grades"));
  EXPECT_FALSE(forward_glob_matches("/**/grades", "/courses/7/grades/export"));
  EXPECT_TRUE(forward_glob_matches("/courses/*/grades", "/courses/7/grades"));
  EXPECT_FALSE(forward_glob_matches("/courses/*/grades", "/courses/7/8/grades"));
  EXPECT_TRUE(forward_glob_matches("/reports/*.csv", "/reports/q1.csv"));
  EXPECT_FALSE(forward_glob_matches("/reports/*.csv", "/reports/q1.csv.exe"));
  EXPECT_TRUE(forward_glob_matches("/a/**/b/**/c", "/a/x/b/y/z/c"));
  EXPECT_FALSE(forward_glob_matches("/a/**/b/**/c", "/a/x/c/y/b"));
  // Matching stays cheap on hostile input: many stars against a long path that almost matches.
  const std::string glob = "/*a*a*a*a*a*a*a*a*b/**/*a*a*a*a*a*a*a*b";
  EXPECT_FALSE(forward_glob_matches(glob, "/" + std::string(4000, 'a') + "/" + std::string(4000, 'a')));
}

TEST(forward_auth, the_first_matching_rule_names_the_action_else_http_and_the_method) {
  const std::vector<forward_rule> rules{
    {"GET", "/admin/**", "admin.view"},
    {"*", "/admin/**", "admin.manage"},
    {"POST", "/courses/*/grades", "grades.write"},
  };
  EXPECT_EQ(forward_action(rules, "GET", "/admin/users"), "admin.view");
  EXPECT_EQ(forward_action(rules, "DELETE", "/admin/users/7"), "admin.manage");
  EXPECT_EQ(forward_action(rules, "POST", "/courses/7/grades"), "grades.write");
  EXPECT_EQ(forward_action(rules, "GET", "/courses/7/grades"), "http.get");
  EXPECT_EQ(forward_action({}, "PATCH", "/anything"), "http.patch");
}

TEST(forward_auth, a_rule_that_cannot_work_is_named_with_its_problem) {
  EXPECT_FALSE(forward_rule_problem({"GET", "/admin/**", "admin.view"}));
  EXPECT_FALSE(forward_rule_problem({"*", "/", "site.view"}));
  for (const forward_rule& bad : std::vector<forward_rule>{{"get", "/a", "x.y"},
                                                          {"FETCH", "/a", "x.y"},
                                                          {"GET", "a/b", "x.y"},
                                                          {"GET", "", "x.y"},
                                                          {"GET", "/a**", "x.y"},
                                                          {"GET", "/a", ""},
                                                          {"GET", "/a", "not an action"}}) {
    SCOPED_TRACE(bad.method + " " + bad.path + " " + bad.action);
    EXPECT_TRUE(forward_rule_problem(bad));
  }
}

} // namespace
