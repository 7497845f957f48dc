// Who may change what (SPEC §1): settings, statuses, roles and consents.
#include <gtest/gtest.h>

#include "domain/permissions.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

class permissions_test : public ::testing::Test {
protected:
  directory d = demo_directory();
  const user& u(const std::string& name) { return who(d, name); }
};

TEST_F(permissions_test, only_a_permanent_superadmin_of_the_realm_changes_settings) {
  EXPECT_EQ(may_change_settings(d, u("sara"), "acme"), std::nullopt);
  EXPECT_EQ(may_change_settings(d, u("sara"), "acme-eu-paris"), std::nullopt);
  EXPECT_EQ(may_change_settings(d, u("sara"), "globex"), errc::not_found);
  EXPECT_EQ(may_change_settings(d, u("sara"), "nowhere"), errc::not_found);
  EXPECT_EQ(may_change_settings(d, u("adam"), "acme-eu"), errc::forbidden);
  EXPECT_EQ(may_change_settings(d, u("tom"), "acme-eu"), errc::forbidden);
  EXPECT_EQ(may_change_settings(d, u("root"), "acme"), errc::forbidden);
  EXPECT_EQ(may_change_settings(d, u("ann"), "acme"), errc::forbidden);
  user temp_super = u("sara");
  temp_super.grant_id = "g-9";
  EXPECT_EQ(may_change_settings(d, temp_super, "acme"), errc::forbidden);
}

TEST_F(permissions_test, admins_in_scope_read_settings) {
  EXPECT_EQ(may_read_settings(d, u("sara"), "acme-us"), std::nullopt);
  EXPECT_EQ(may_read_settings(d, u("adam"), "acme-eu"), std::nullopt);
  EXPECT_EQ(may_read_settings(d, u("adam"), "acme-eu-paris"), std::nullopt);
  EXPECT_EQ(may_read_settings(d, u("adam"), "acme-us"), errc::forbidden);
  EXPECT_EQ(may_read_settings(d, u("adam"), "globex"), errc::not_found);
  EXPECT_EQ(may_read_settings(d, u("tom"), "acme-eu"), std::nullopt);
  EXPECT_EQ(may_read_settings(d, u("tom"), "acme-eu-paris"), errc::forbidden);
  EXPECT_EQ(may_read_settings(d, u("pia"), "acme"), errc::forbidden);
  EXPECT_EQ(may_read_settings(d, u("ann"), "acme-eu"), errc::forbidden);
}

TEST_F(permissions_test, status_changes_go_down_in_scope) {
  const auto to = user_status::inactive;
  EXPECT_EQ(may_change_status(d, u("adam"), u("ann"), to), std::nullopt);
  EXPECT_EQ(may_change_status(d, u("adam"), u("ivan"), to), std::nullopt);
  EXPECT_EQ(may_change_status(d, u("adam"), u("ines"), user_status::active), std::nullopt);
  EXPECT_EQ(may_change_status(d, u("adam"), u("bob"), to), errc::forbidden);          // out of scope
  EXPECT_EQ(may_change_status(d, u("adam"), u("tom"), to), errc::forbidden);          // same rank
  EXPECT_EQ(may_change_status(d, u("adam"), u("sara"), to), errc::forbidden);         // higher rank
  EXPECT_EQ(may_change_status(d, u("adam"), u("adam"), to), errc::forbidden);         // never itself
  EXPECT_EQ(may_change_status(d, u("sara"), u("adam"), user_status::deleted), std::nullopt);
  EXPECT_EQ(may_change_status(d, u("sara"), u("sara"), to), errc::forbidden);
  EXPECT_EQ(may_change_status(d, u("sara"), u("gwen"), to), errc::not_found);         // other realm
  EXPECT_EQ(may_change_status(d, u("sara"), u("sam"), to), errc::not_found);          // realmless
  EXPECT_EQ(may_change_status(d, u("tom"), u("ann"), to), errc::forbidden);           // temporary admin
  EXPECT_EQ(may_change_status(d, u("pia"), u("ann"), to), errc::forbidden);
  EXPECT_EQ(may_change_status(d, u("ann"), u("bob"), to), errc::forbidden);
  EXPECT_EQ(may_change_status(d, u("root"), u("ann"), to), errc::forbidden);
  user gone = u("ann");
  gone.status = user_status::deleted;
  d.put_user(gone);
  EXPECT_EQ(may_change_status(d, u("adam"), u("ann"), user_status::active), errc::forbidden);  // final
}

TEST_F(permissions_test, roles_are_handed_out_below_the_callers_rank) {
  EXPECT_EQ(may_change_role(d, u("adam"), u("ann"), role::instructor), std::nullopt);
  EXPECT_EQ(may_change_role(d, u("adam"), u("ann"), role::power_user), std::nullopt);
  EXPECT_EQ(may_change_role(d, u("adam"), u("ann"), role::admin), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("sara"), u("ann"), role::admin), std::nullopt);
  EXPECT_EQ(may_change_role(d, u("sara"), u("ann"), role::superadmin), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("sara"), u("ann"), role::support), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("sara"), u("ann"), role::sysadmin), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("sara"), u("adam"), role::learner), std::nullopt);
  EXPECT_EQ(may_change_role(d, u("adam"), u("bob"), role::instructor), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("tom"), u("ann"), role::instructor), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("pia"), u("ann"), role::instructor), errc::forbidden);
  EXPECT_EQ(may_change_role(d, u("gary"), u("ann"), role::instructor), errc::not_found);
}

TEST_F(permissions_test, consents_are_the_users_own) {
  EXPECT_EQ(may_change_consents(u("ann"), u("ann")), std::nullopt);
  EXPECT_EQ(may_change_consents(u("sara"), u("ann")), errc::forbidden);
  EXPECT_EQ(may_change_consents(u("adam"), u("ann")), errc::forbidden);
  EXPECT_EQ(may_change_consents(u("tom"), u("tom")), errc::forbidden);
}

} // namespace
