// Provisioning with the service key: ids, names, realms, portal trees and the shape of every user.
#include <functional>

#include <gtest/gtest.h>

#include "domain/provisioning.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

std::string field_of(const std::optional<field_error>& e) { return e ? e->field : ""; }

TEST(provisioning, ids_and_usernames) {
  using names = std::vector<std::string>;
  for (const auto& good : names{"a", "0", "acme", "acme-eu", "u_1", std::string(64, 'x')})
    EXPECT_TRUE(valid_id(good)) << good;
  for (const auto& bad : names{"", "-a", "_a", "Acme", "acme eu", "acme.eu", "ümlaut", std::string(65, 'x')})
    EXPECT_FALSE(valid_id(bad)) << bad;
  for (const auto& good : names{"ann", "ann.lee", "ann@acme.example", "a-b_c", ".", std::string(100, 'a')})
    EXPECT_TRUE(valid_username(good)) << good;
  for (const auto& bad : names{"", "Ann", "ann lee", "ann+1", "ann\n", std::string(101, 'a')})
    EXPECT_FALSE(valid_username(bad)) << bad;
}

struct realm_case {
  std::string name;
  new_realm r;
  std::string field;  ///< "" when accepted
};

TEST(provisioning, new_realms) {
  const directory d = demo_directory();
  const std::vector<realm_case> cases{
    {"fresh", {"initech", "Initech", "initech", "Initech HQ"}, ""},
    {"top portal id differs from the realm id", {"initech", "Initech", "initech-hq", "HQ"}, ""},
    {"bad id", {"Initech", "Initech", "initech", "HQ"}, "id"},
    {"realm exists", {"acme", "Acme again", "acme2", "HQ"}, "id"},
    {"empty name", {"initech", "  ", "initech", "HQ"}, "name"},
    {"name with a newline", {"initech", "Ini\ntech", "initech", "HQ"}, "name"},
    {"name too long", {"initech", std::string(201, 'x'), "initech", "HQ"}, "name"},
    {"longest name", {"initech", std::string(200, 'x'), "initech", "HQ"}, ""},
    {"bad portal id", {"initech", "Initech", "", "HQ"}, "top_portal.id"},
    {"portal id taken by another realm", {"initech", "Initech", "acme-eu", "HQ"}, "top_portal.id"},
    {"bad portal name", {"initech", "Initech", "initech", "\x01"}, "top_portal.name"},
  };
  for (const auto& c : cases) EXPECT_EQ(field_of(check_new_realm(d, c.r)), c.field) << c.name;

  const new_realm r{"initech", "  Initech  ", "initech", " HQ "};
  EXPECT_EQ(build_realm(r).name, "Initech");
  EXPECT_EQ(build_realm(r).top_portal, "initech");
  const portal top = build_top_portal(r);
  EXPECT_EQ(top.realm_id, "initech");
  EXPECT_FALSE(top.parent);
  EXPECT_EQ(top.name, "HQ");
}

TEST(provisioning, new_portals_take_their_parents_realm) {
  const directory d = demo_directory();
  EXPECT_EQ(field_of(check_new_portal(d, {"acme-eu-lyon", "acme-eu", "Acme Lyon"})), "");
  EXPECT_EQ(field_of(check_new_portal(d, {"acme eu", "acme-eu", "x"})), "id");
  EXPECT_EQ(field_of(check_new_portal(d, {"acme-us", "acme-eu", "x"})), "id");
  EXPECT_EQ(field_of(check_new_portal(d, {"acme-lyon", "nowhere", "x"})), "parent");
  EXPECT_EQ(field_of(check_new_portal(d, {"acme-lyon", "acme", ""})), "name");
  const portal p = build_portal(d, {"acme-eu-lyon", "acme-eu", " Acme Lyon"});
  EXPECT_EQ(p.realm_id, "acme");
  EXPECT_EQ(p.parent, "acme-eu");
  EXPECT_EQ(p.name, "Acme Lyon");
  EXPECT_EQ(build_portal(d, {"globex-de", "globex", "DE"}).realm_id, "globex");
}

new_user learner(const std::string& name, const std::string& portal = "acme-eu") {
  new_user u;
  u.user_id = "u-" + name;
  u.username = name;
  u.display_name = name;
  u.portal = portal;
  return u;
}

struct user_case {
  std::string name;
  std::function<void(new_user&)> change;
  std::string field;  ///< "" when accepted
};

TEST(provisioning, new_users) {
  const directory d = demo_directory();
  const std::vector<user_case> cases{
    {"a learner", [](auto&) {}, ""},
    {"pending is fine", [](auto& u) { u.status = user_status::pending; }, ""},
    {"never created deleted", [](auto& u) { u.status = user_status::deleted; }, "status"},
    {"bad id", [](auto& u) { u.user_id = "U-1"; }, "id"},
    {"id exists", [](auto& u) { u.user_id = "u-ann"; }, "id"},
    {"bad username", [](auto& u) { u.username = "Zoe"; }, "username"},
    {"username taken", [](auto& u) { u.username = "ann"; }, "username"},
    {"empty name", [](auto& u) { u.display_name = " "; }, "name"},
    {"name with a tab", [](auto& u) { u.display_name = "Zoe\tZ"; }, "name"},
    {"no portal", [](auto& u) { u.portal.reset(); }, "portal"},
    {"unknown portal", [](auto& u) { u.portal = "nowhere"; }, "portal"},
    {"sysadmin without portal", [](auto& u) { u.user_role = role::sysadmin; u.portal.reset(); }, ""},
    {"support without portal", [](auto& u) { u.user_role = role::support; u.portal.reset(); }, ""},
    {"support with portal", [](auto& u) { u.user_role = role::support; }, "portal"},
    {"support with assignments",
     [](auto& u) {
       u.user_role = role::support;
       u.portal.reset();
       u.assigned_users = {"u-ann"};
     },
     "assigned_users"},
    {"superadmin at the top", [](auto& u) { u.user_role = role::superadmin; u.portal = "acme"; }, ""},
    {"superadmin below the top", [](auto& u) { u.user_role = role::superadmin; }, "portal"},
    {"superadmin may list its admin portals",
     [](auto& u) { u.user_role = role::superadmin; u.portal = "acme"; u.admin_portals = {"acme"}; }, ""},
    {"admin defaults to its portal", [](auto& u) { u.user_role = role::admin; }, ""},
    {"admin of several portals",
     [](auto& u) { u.user_role = role::admin; u.admin_portals = {"acme-eu", "acme-us"}; }, ""},
    {"admin of another realm's portal",
     [](auto& u) { u.user_role = role::admin; u.admin_portals = {"globex"}; }, "admin_portals"},
    {"admin of an unknown portal",
     [](auto& u) { u.user_role = role::admin; u.admin_portals = {"nowhere"}; }, "admin_portals"},
    {"admin portal twice",
     [](auto& u) { u.user_role = role::admin; u.admin_portals = {"acme-eu", "acme-eu"}; }, "admin_portals"},
    {"learner with admin portals", [](auto& u) { u.admin_portals = {"acme-eu"}; }, "admin_portals"},
    {"power user with assignments",
     [](auto& u) {
       u.user_role = role::power_user;
       u.assigned_users = {"u-ann", "u-bob"};
       u.assigned_portals = {"acme-us"};
     },
     ""},
    {"power user assigned another realm's user",
     [](auto& u) { u.user_role = role::power_user; u.assigned_users = {"u-gwen"}; }, "assigned_users"},
    {"power user assigned a support user",
     [](auto& u) { u.user_role = role::power_user; u.assigned_users = {"u-sam"}; }, "assigned_users"},
    {"power user assigned an unknown user",
     [](auto& u) { u.user_role = role::power_user; u.assigned_users = {"u-nobody"}; }, "assigned_users"},
    {"power user assigned itself",
     [](auto& u) { u.user_role = role::power_user; u.assigned_users = {"u-zoe"}; }, "assigned_users"},
    {"power user assigned another realm's portal",
     [](auto& u) { u.user_role = role::power_user; u.assigned_portals = {"globex"}; }, "assigned_portals"},
    {"learner with assigned users", [](auto& u) { u.assigned_users = {"u-ann"}; }, "assigned_users"},
    {"admin with assigned portals",
     [](auto& u) { u.user_role = role::admin; u.assigned_portals = {"acme-eu"}; }, "assigned_portals"},
    {"too many assignments",
     [](auto& u) {
       u.user_role = role::power_user;
       u.assigned_portals.assign(max_list_length + 1, "acme-eu");
     },
     "assigned_portals"},
  };
  for (const auto& c : cases) {
    new_user u = learner("zoe");
    c.change(u);
    EXPECT_EQ(field_of(check_new_user(d, u)), c.field) << c.name;
  }
}

TEST(provisioning, built_users_carry_their_realm) {
  const directory d = demo_directory();
  new_user n = learner("zoe", "acme-eu-paris");
  n.display_name = "  Zoe Zhang ";
  n.user_role = role::admin;
  n.accepted = consents{true, false};
  const user u = build_user(d, n);
  EXPECT_EQ(u.realm_id, "acme");
  EXPECT_EQ(u.home_portal, "acme-eu-paris");
  EXPECT_EQ(u.display_name, "Zoe Zhang");
  EXPECT_EQ(u.admin_portals, std::vector<id>{"acme-eu-paris"});
  EXPECT_TRUE(u.accepted.terms);
  EXPECT_FALSE(u.accepted.privacy);
  EXPECT_FALSE(u.is_temporary());
  new_user s = learner("sue");
  s.user_role = role::support;
  s.portal.reset();
  EXPECT_FALSE(build_user(d, s).realm_id);
}

TEST(provisioning, the_demo_users_are_valid) {
  const directory d = demo_directory();
  for (const auto& [uid, u] : d.users()) EXPECT_EQ(field_of(validate_user(d, u)), "") << uid;
}

} // namespace
