// Restricted actions: segment globs, and the exits that are never restricted.
#include <gtest/gtest.h>

#include "domain/restricted.hpp"
#include "domain/settings.hpp"

namespace {

using namespace actas::domain;

TEST(restricted, trailing_star_takes_the_name_itself_and_everything_under_it) {
  EXPECT_TRUE(action_matches("messages.*", "messages.read"));
  EXPECT_TRUE(action_matches("messages.*", "messages.thread.open"));
  // SPEC §2: "a pattern x.* matches x itself" (issue 12: the bare name escaped the list).
  EXPECT_TRUE(action_matches("messages.*", "messages"));
  EXPECT_TRUE(action_matches("courses.*.*", "courses.42"));
  EXPECT_FALSE(action_matches("courses.*.*", "courses"));
  EXPECT_FALSE(action_matches("messages.*", "messages."));
  EXPECT_FALSE(action_matches("messages.*", "messagesx.read"));
  EXPECT_FALSE(action_matches("messages.*", "forums.messages.read"));
}

TEST(restricted, literal_pattern_matches_only_itself) {
  EXPECT_TRUE(action_matches("portal.switch", "portal.switch"));
  EXPECT_FALSE(action_matches("portal.switch", "portal.switch.now"));
  EXPECT_FALSE(action_matches("portal.switch", "portal"));
  EXPECT_FALSE(action_matches("portal.switch", "Portal.Switch"));
}

TEST(restricted, star_alone_and_inner_star) {
  EXPECT_TRUE(action_matches("*", "anything"));
  EXPECT_TRUE(action_matches("*", "a.b.c"));
  EXPECT_TRUE(action_matches("courses.*.delete", "courses.42.delete"));
  EXPECT_FALSE(action_matches("courses.*.delete", "courses.delete"));
  EXPECT_FALSE(action_matches("courses.*.delete", "courses.4.2.delete"));
  EXPECT_TRUE(action_matches("*.delete", "users.delete"));
  EXPECT_FALSE(action_matches("*.delete", "users.read"));
}

TEST(restricted, default_list_covers_the_spec_examples) {
  const auto patterns = default_settings().impersonation.restricted_actions;
  for (const char* denied : {"messages.send", "forums.post", "portal.switch", "2fa.disable", "payments.refund",
                             "password.change", "admin.users.delete", "esignature.sign", "impersonation.start"})
    EXPECT_TRUE(is_restricted(patterns, denied)) << denied;
  // The bare names of every "x.*" entry are restricted too.
  for (const char* denied : {"messages", "forums", "2fa", "payments", "admin", "esignature", "impersonation"})
    EXPECT_TRUE(is_restricted(patterns, denied)) << denied;
  // "password.change" and "portal.switch" are literal entries: they name one action, not their parent.
  for (const char* allowed : {"courses.view", "password.reset_view", "portal", "password", "preferences.write"})
    EXPECT_FALSE(is_restricted(patterns, allowed)) << allowed;
}

TEST(restricted, ending_and_logging_out_are_never_restricted) {
  EXPECT_TRUE(never_restricted("impersonation.end"));
  EXPECT_TRUE(never_restricted("session.logout"));
  EXPECT_TRUE(never_restricted("logout"));
  EXPECT_FALSE(never_restricted("impersonation.start"));
  const std::vector<std::string> everything{"*", "impersonation.*", "session.*"};
  EXPECT_FALSE(is_restricted(everything, "impersonation.end"));
  EXPECT_FALSE(is_restricted(everything, "session.logout"));
  EXPECT_FALSE(is_restricted(everything, "logout"));
  EXPECT_TRUE(is_restricted(everything, "impersonation.start"));
}

} // namespace
