// Notification templates: defaults use only known placeholders, rendering fills them, disabled kinds stay silent.
#include <gtest/gtest.h>

#include "domain/notification.hpp"
#include "domain/text.hpp"

namespace {

using namespace actas::domain;

TEST(notification, kind_names_round_trip) {
  for (const auto k : all_notification_kinds) {
    EXPECT_NE(to_string(k), "unknown");
    EXPECT_EQ(notification_kind_from_string(to_string(k)), k);
  }
  EXPECT_EQ(to_string(notification_kind::support_ending_soon), "support_ending_soon");
  EXPECT_FALSE(notification_kind_from_string("impersonation"));
}

TEST(notification, default_templates_are_valid) {
  for (const auto k : all_notification_kinds) {
    const auto t = default_template(k);
    EXPECT_TRUE(t.enabled);
    EXPECT_FALSE(t.title.empty()) << to_string(k);
    EXPECT_FALSE(t.body.empty()) << to_string(k);
    EXPECT_TRUE(unknown_placeholders(t.title).empty()) << to_string(k);
    EXPECT_TRUE(unknown_placeholders(t.body).empty()) << to_string(k);
    EXPECT_FALSE(has_control_character(t.title));
    EXPECT_LE(code_points(t.title), 200u);
  }
  EXPECT_EQ(default_template(notification_kind::impersonation_started).title,
            "An administrator signed in to your account");
  EXPECT_EQ(default_template(notification_kind::impersonation_started).body,
            "{actor_name} signed in to your account at {started_at}. Reason: {reason}");
  EXPECT_EQ(default_template(notification_kind::impersonation_message).body,
            "{actor_name} left you a message: {message}");
  for (const auto k : {notification_kind::support_request, notification_kind::support_granted,
                       notification_kind::support_ending_soon, notification_kind::support_revoked,
                       notification_kind::support_expired, notification_kind::support_denied}) {
    const auto body = default_template(k).body;
    EXPECT_NE(body.find("{portal_name}"), std::string::npos) << to_string(k);
    EXPECT_NE(body.find("{ticket}"), std::string::npos) << to_string(k);
  }
}

TEST(notification, unknown_placeholders_are_listed_once) {
  EXPECT_TRUE(unknown_placeholders("no placeholders").empty());
  EXPECT_TRUE(unknown_placeholders("{actor_name} {target_name} {expires_at}").empty());
  EXPECT_EQ(unknown_placeholders("{actor} and {actor} and {x}"), (std::vector<std::string>{"actor", "x"}));
  EXPECT_EQ(unknown_placeholders("empty {}"), std::vector<std::string>{""});
  EXPECT_EQ(unknown_placeholders("{Actor_Name}"), std::vector<std::string>{"Actor_Name"});
  EXPECT_TRUE(unknown_placeholders("an open { brace").empty());
  EXPECT_EQ(unknown_placeholders("{a {reason}"), std::vector<std::string>{});
}

TEST(notification, render_fills_placeholders) {
  const std::map<std::string, std::string> values{{"actor_name", "Adam Admin"}, {"reason", "ticket {42}"}};
  EXPECT_EQ(render("{actor_name} says: {reason}", values), "Adam Admin says: ticket {42}");
  EXPECT_EQ(render("missing: [{started_at}]", values), "missing: []");
  EXPECT_EQ(render("unknown: [{nope}]", values), "unknown: []");
  EXPECT_EQ(render("open { brace {actor_name}", values), "open { brace Adam Admin");
  EXPECT_EQ(render("", values), "");
}

TEST(notification, render_notification_respects_enabled) {
  realm_settings s = default_settings();
  const std::map<std::string, std::string> values{
    {"actor_name", "Adam"}, {"started_at", "2026-11-21T08:24:17.000000Z"}, {"reason", "fix the course"}};
  const auto r = render_notification(s, notification_kind::impersonation_started, values);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->title, "An administrator signed in to your account");
  EXPECT_EQ(r->body, "Adam signed in to your account at 2026-11-21T08:24:17.000000Z. Reason: fix the course");
  s.notifications[notification_kind::impersonation_started] = {true, "Hi {target_name}", "By {actor_name}"};
  const auto custom = render_notification(s, notification_kind::impersonation_started, {{"actor_name", "Adam"}});
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->title, "Hi ");
  EXPECT_EQ(custom->body, "By Adam");
  s.notifications[notification_kind::impersonation_started].enabled = false;
  EXPECT_FALSE(render_notification(s, notification_kind::impersonation_started, values));
}

} // namespace
