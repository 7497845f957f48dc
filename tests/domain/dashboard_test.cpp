#include <gtest/gtest.h>

#include "domain/dashboard.hpp"
#include "fixture.hpp"

namespace actas::domain {
namespace {

using testing::demo_directory;
using testing::who;

TEST(dashboard_scope, superadmins_see_their_realm_admins_their_portals_power_users_their_assignments) {
  auto dir = demo_directory();
  auto sara = *dashboard_scope_of(dir, who(dir, "sara"));
  EXPECT_TRUE(sees(sara, "acme", "acme-us"));
  EXPECT_FALSE(sees(sara, "globex", "globex"));
  auto adam = *dashboard_scope_of(dir, who(dir, "adam"));
  EXPECT_TRUE(sees(adam, "acme", "acme-eu"));
  EXPECT_TRUE(sees(adam, "acme", "acme-eu-paris"));
  EXPECT_FALSE(sees(adam, "acme", "acme-us"));
  EXPECT_FALSE(sees(adam, "acme", "acme"));
  auto pia = *dashboard_scope_of(dir, who(dir, "pia"));
  EXPECT_TRUE(sees(pia, "acme", "acme-eu", "u-ann"));
  EXPECT_FALSE(sees(pia, "acme", "acme-eu", "u-ivan"));
  // The temporary admin of acme-eu sees acme-eu only, not its sub-portal.
  auto tom = *dashboard_scope_of(dir, who(dir, "tom"));
  EXPECT_TRUE(sees(tom, "acme", "acme-eu"));
  EXPECT_FALSE(sees(tom, "acme", "acme-eu-paris"));
}

TEST(dashboard_scope, learners_support_and_sysadmins_have_none) {
  auto dir = demo_directory();
  for (const char* name : {"ann", "ivan", "mia", "sam", "root", "ines"})
    EXPECT_FALSE(dashboard_scope_of(dir, who(dir, name))) << name;
}

} // namespace
} // namespace actas::domain
