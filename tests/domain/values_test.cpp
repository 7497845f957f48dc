// Roles, statuses, consents, error codes and time: the names and numbers every other layer relies on.
#include <gtest/gtest.h>

#include "domain/errc.hpp"
#include "domain/role.hpp"
#include "domain/time.hpp"

namespace {

using namespace actas::domain;

TEST(role, ranks_follow_the_spec) {
  EXPECT_EQ(rank(role::learner), 1);
  EXPECT_EQ(rank(role::instructor), 2);
  EXPECT_EQ(rank(role::manager), 2);
  EXPECT_EQ(rank(role::power_user), 3);
  EXPECT_EQ(rank(role::admin), 4);
  EXPECT_EQ(rank(role::superadmin), 5);
  EXPECT_EQ(rank(role::sysadmin), 6);
  EXPECT_EQ(rank(role::support), 0);
}

TEST(role, only_power_users_admins_and_superadmins_impersonate) {
  for (const role r : {role::learner, role::instructor, role::manager, role::sysadmin, role::support})
    EXPECT_FALSE(may_impersonate(r)) << to_string(r);
  for (const role r : {role::power_user, role::admin, role::superadmin}) EXPECT_TRUE(may_impersonate(r));
}

TEST(role, sysadmin_and_support_have_no_realm) {
  EXPECT_TRUE(is_realmless(role::sysadmin));
  EXPECT_TRUE(is_realmless(role::support));
  EXPECT_FALSE(is_realmless(role::superadmin));
  EXPECT_FALSE(is_realmless(role::learner));
}

TEST(role, names_round_trip) {
  for (const role r : {role::learner, role::instructor, role::manager, role::power_user, role::admin,
                       role::superadmin, role::sysadmin, role::support})
    EXPECT_EQ(role_from_string(to_string(r)), r);
  EXPECT_EQ(to_string(role::power_user), "power_user");
  EXPECT_FALSE(role_from_string("Admin"));
  EXPECT_FALSE(role_from_string(""));
  for (const user_status s :
       {user_status::active, user_status::inactive, user_status::pending, user_status::deleted})
    EXPECT_EQ(user_status_from_string(to_string(s)), s);
  EXPECT_EQ(to_string(user_status::pending), "pending");
  EXPECT_FALSE(user_status_from_string("gone"));
  EXPECT_EQ(consent_from_string("terms"), consent::terms);
  EXPECT_EQ(consent_from_string("privacy"), consent::privacy);
  EXPECT_EQ(to_string(consent::privacy), "privacy");
  EXPECT_FALSE(consent_from_string("cookies"));
}

TEST(errc, wire_names_are_the_enumerator_names) {
  EXPECT_EQ(to_string(errc::nested_impersonation), "nested_impersonation");
  EXPECT_EQ(to_string(errc::target_role_not_allowed), "target_role_not_allowed");
  EXPECT_EQ(to_string(errc::restricted_while_impersonating), "restricted_while_impersonating");
  EXPECT_EQ(to_string(errc::audit_unavailable), "audit_unavailable");
  for (int i = 0; i <= static_cast<int>(errc::restricted_while_impersonating); ++i) {
    const auto code = static_cast<errc>(i);
    EXPECT_NE(to_string(code), "unknown") << i;
    EXPECT_EQ(errc_from_string(to_string(code)), code) << to_string(code);
  }
  EXPECT_FALSE(errc_from_string("no_such_code"));
}

TEST(time, formats_with_six_fraction_digits) {
  EXPECT_EQ(format_utc(from_micros(0)), "1970-01-01T00:00:00.000000Z");
  const auto t = parse_utc("2026-11-21T08:24:17.123456Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_utc(*t), "2026-11-21T08:24:17.123456Z");
  EXPECT_EQ(format_utc(*t + std::chrono::microseconds{1}), "2026-11-21T08:24:17.123457Z");
  EXPECT_EQ(format_utc(from_micros(1'000'000)), "1970-01-01T00:00:01.000000Z");
}

TEST(time, parses_what_it_formats_and_no_fraction) {
  const auto whole = parse_utc("2026-11-21T08:24:17Z");
  ASSERT_TRUE(whole);
  EXPECT_EQ(format_utc(*whole), "2026-11-21T08:24:17.000000Z");
  EXPECT_EQ(parse_utc("2024-02-29T23:59:59.999999Z"),
            parse_utc("2024-03-01T00:00:00Z").value() - std::chrono::microseconds{1});
  const auto t = from_micros(1'795'766'657'123'456);
  EXPECT_EQ(parse_utc(format_utc(t)), t);
  EXPECT_EQ(parse_utc("1970-01-01T00:00:00.5Z"), from_micros(500'000));
}

TEST(time, refuses_anything_else) {
  for (const char* bad : {"", "2026-11-21", "2026-11-21T08:24:17", "2026-11-21 08:24:17Z",
                          "2026-11-21T08:24:17.Z", "2026-11-21T08:24:17.1234567Z", "2026-11-21T08:24:17+01:00",
                          "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-21T24:00:00Z",
                          "2026-11-21T08:60:00Z", "2026-11-21T08:24:17.123456Zx", "2026-1a-21T08:24:17Z"})
    EXPECT_FALSE(parse_utc(bad)) << bad;
}

TEST(time, seconds_after_adds_whole_seconds) {
  EXPECT_EQ(to_micros(seconds_after(from_micros(5), 2)), 2'000'005);
}

} // namespace
