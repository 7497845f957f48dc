#pragma once
/// Logging in as a user of the --demo seed (password "demo"), for the tests that drive the real binary.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "client.hpp"

namespace actas::testing {

/// A reason every start rule accepts.
inline const std::string demo_reason = "Checking why the course player fails";

/// The token of a password login as `user` (empty, with a test failure, when refused).
inline std::string login(std::uint16_t port, const std::string& user) {
  auto r = http(port, "POST", "/v1/login", json{{"username", user}, {"password", "demo"}}.dump());
  EXPECT_EQ(r.status, 200u) << user << ": " << r.text << r.error;
  return r.body.value("token", "");
}

/// Lowers acme's impersonation limit to its floor, one minute, so a test can see a session expire.
inline void one_minute_sessions(std::uint16_t port, const std::string& superadmin) {
  auto r = http(port, "PATCH", "/v1/portals/acme/settings",
                json{{"impersonation", {{"max_duration_s", 60}, {"warn_before_s", 30}}}}.dump(), superadmin);
  ASSERT_EQ(r.status, 200u) << r.text;
}

} // namespace actas::testing
