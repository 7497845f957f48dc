// The directory: portal trees, effective settings, and who administers or may act on whom.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace {

using namespace actas::testing;

class directory_test : public ::testing::Test {
protected:
  directory d = demo_directory();
  const user& u(const std::string& name) { return who(d, name); }
};

TEST_F(directory_test, lookups) {
  ASSERT_NE(d.find_realm("acme"), nullptr);
  EXPECT_EQ(d.find_realm("acme")->top_portal, "acme");
  EXPECT_EQ(d.find_realm("initech"), nullptr);
  EXPECT_EQ(d.find_portal("acme-eu")->parent, "acme");
  EXPECT_EQ(d.find_portal("nowhere"), nullptr);
  EXPECT_EQ(d.find_user("u-ann")->username, "ann");
  EXPECT_EQ(d.find_user("ann"), nullptr);  // ids and usernames are different keys
  EXPECT_EQ(d.find_username("ann")->user_id, "u-ann");
  EXPECT_EQ(d.find_username("nobody"), nullptr);
}

TEST_F(directory_test, renaming_a_user_moves_the_username_index) {
  user ann = u("ann");
  ann.username = "ann.lee";
  d.put_user(ann);
  EXPECT_EQ(d.find_username("ann"), nullptr);
  EXPECT_EQ(d.find_username("ann.lee")->user_id, "u-ann");
}

TEST_F(directory_test, tree_walks) {
  EXPECT_EQ(d.path_to_top("acme-eu-paris"), (std::vector<id>{"acme-eu-paris", "acme-eu", "acme"}));
  EXPECT_EQ(d.path_to_top("acme"), std::vector<id>{"acme"});
  EXPECT_TRUE(d.path_to_top("nowhere").empty());
  EXPECT_TRUE(d.within("acme-eu-paris", "acme"));
  EXPECT_TRUE(d.within("acme-eu-paris", "acme-eu"));
  EXPECT_TRUE(d.within("acme-eu", "acme-eu"));
  EXPECT_FALSE(d.within("acme-us", "acme-eu"));
  EXPECT_FALSE(d.within("acme", "acme-eu"));
  EXPECT_FALSE(d.within("globex", "acme"));
}

TEST_F(directory_test, realm_portals_lists_parents_before_children) {
  const auto portals = d.realm_portals("acme");
  ASSERT_EQ(portals.size(), 4u);
  EXPECT_EQ(portals.front(), "acme");
  const auto pos = [&](const id& p) { return std::find(portals.begin(), portals.end(), p) - portals.begin(); };
  EXPECT_LT(pos("acme-eu"), pos("acme-eu-paris"));
  EXPECT_LT(pos("acme"), pos("acme-us"));
  EXPECT_EQ(d.realm_portals("globex"), std::vector<id>{"globex"});
  EXPECT_TRUE(d.realm_portals("initech").empty());
}

TEST_F(directory_test, effective_settings_fold_overrides_top_down) {
  settings_patch eu;
  eu.impersonation.max_duration_s = 900;
  d.put_settings("acme-eu", eu);
  settings_patch paris;
  paris.impersonation.max_duration_s = 600;
  paris.impersonation.reason_min_length = 20;
  d.put_settings("acme-eu-paris", paris);

  EXPECT_TRUE(d.effective_settings("acme").impersonation.enabled);
  EXPECT_EQ(d.effective_settings("acme").impersonation.max_duration_s, 1800);
  EXPECT_EQ(d.effective_settings("acme-eu").impersonation.max_duration_s, 900);
  EXPECT_TRUE(d.effective_settings("acme-eu-paris").impersonation.enabled);
  EXPECT_EQ(d.effective_settings("acme-eu-paris").impersonation.max_duration_s, 600);
  EXPECT_EQ(d.effective_settings("acme-eu-paris").impersonation.reason_min_length, 20);
  EXPECT_EQ(d.effective_settings("acme-us").impersonation.max_duration_s, 1800);
  EXPECT_EQ(d.parent_settings("acme-eu-paris").impersonation.max_duration_s, 900);
  EXPECT_FALSE(d.parent_settings("acme").impersonation.enabled);  // defaults above the top
  EXPECT_EQ(d.settings_override("acme-eu").impersonation.max_duration_s, 900);
  EXPECT_TRUE(d.settings_override("acme-us").empty());

  d.put_settings("acme-eu", settings_patch{});
  EXPECT_EQ(d.effective_settings("acme-eu-paris").impersonation.max_duration_s, 600);
  EXPECT_EQ(d.effective_settings("acme-eu").impersonation.max_duration_s, 1800);
}

TEST_F(directory_test, superadmin_administers_its_whole_realm_only) {
  for (const char* p : {"acme", "acme-eu", "acme-eu-paris", "acme-us"})
    EXPECT_TRUE(d.administers(u("sara"), p)) << p;
  EXPECT_FALSE(d.administers(u("sara"), "globex"));
  EXPECT_FALSE(d.administers(u("sara"), "nowhere"));
  EXPECT_FALSE(d.administers(u("gary"), "acme"));
}

TEST_F(directory_test, admin_administers_its_subtree) {
  EXPECT_TRUE(d.administers(u("adam"), "acme-eu"));
  EXPECT_TRUE(d.administers(u("adam"), "acme-eu-paris"));
  EXPECT_FALSE(d.administers(u("adam"), "acme"));
  EXPECT_FALSE(d.administers(u("adam"), "acme-us"));
  user multi = u("adam");
  multi.admin_portals = {"acme-eu", "acme-us"};
  EXPECT_TRUE(d.administers(multi, "acme-us"));
}

TEST_F(directory_test, temporary_admin_has_exact_scope) {
  EXPECT_TRUE(d.administers(u("tom"), "acme-eu"));
  EXPECT_FALSE(d.administers(u("tom"), "acme-eu-paris"));
  EXPECT_TRUE(d.in_scope(u("tom"), u("ann")));
  EXPECT_FALSE(d.in_scope(u("tom"), u("paul")));
}

TEST_F(directory_test, other_roles_administer_nothing) {
  for (const char* name : {"pia", "ann", "ivan", "mia", "root", "sam"})
    EXPECT_FALSE(d.administers(u(name), "acme-eu")) << name;
}

TEST_F(directory_test, admin_scope_follows_the_targets_home_portal) {
  EXPECT_TRUE(d.in_scope(u("adam"), u("ann")));
  EXPECT_TRUE(d.in_scope(u("adam"), u("paul")));
  EXPECT_FALSE(d.in_scope(u("adam"), u("bob")));
  EXPECT_TRUE(d.in_scope(u("sara"), u("bob")));
  EXPECT_TRUE(d.in_scope(u("sara"), u("paul")));
}

TEST_F(directory_test, power_user_reaches_assigned_users_and_portals) {
  EXPECT_TRUE(d.in_scope(u("pia"), u("ann")));
  EXPECT_FALSE(d.in_scope(u("pia"), u("bob")));
  EXPECT_FALSE(d.in_scope(u("pia"), u("paul")));
  user pia = u("pia");
  pia.assigned_portals = {"acme-eu"};
  EXPECT_TRUE(d.in_scope(pia, u("paul")));  // descendants of an assigned portal count
  EXPECT_TRUE(d.in_scope(pia, u("ivan")));
  EXPECT_FALSE(d.in_scope(pia, u("bob")));
}

TEST_F(directory_test, never_across_realms) {
  EXPECT_FALSE(d.in_scope(u("sara"), u("gwen")));
  EXPECT_FALSE(d.in_scope(u("gary"), u("ann")));
  user pia = u("pia");
  pia.assigned_users = {"u-gwen"};
  pia.assigned_portals = {"globex"};
  EXPECT_FALSE(d.in_scope(pia, u("gwen")));
  user adam = u("adam");
  adam.admin_portals = {"globex"};
  EXPECT_FALSE(d.in_scope(adam, u("gwen")));
  EXPECT_FALSE(d.administers(adam, "globex"));
}

TEST_F(directory_test, realmless_users_are_never_in_scope) {
  EXPECT_FALSE(d.in_scope(u("sara"), u("root")));
  EXPECT_FALSE(d.in_scope(u("sara"), u("sam")));
  EXPECT_FALSE(d.in_scope(u("root"), u("ann")));
  EXPECT_FALSE(d.in_scope(u("sam"), u("ann")));
}

TEST_F(directory_test, lower_roles_have_no_scope) {
  EXPECT_FALSE(d.in_scope(u("ivan"), u("ann")));
  EXPECT_FALSE(d.in_scope(u("mia"), u("ann")));
}

} // namespace
