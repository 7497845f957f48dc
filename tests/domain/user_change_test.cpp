// PATCH /v1/users/{id}: what a change does, whether its result is a valid user, and who may make it.
#include <functional>

#include <gtest/gtest.h>

#include "domain/user_change.hpp"
#include "fixture.hpp"

namespace {

using namespace actas::testing;

// The demo directory plus a deleted learner and a power user of acme-eu assigned outside it.
directory change_directory() {
  directory d = demo_directory();
  user dora = make_user("dora", role::learner, "acme-eu", "acme");
  dora.status = user_status::deleted;
  d.put_user(dora);
  user pat = make_user("pat", role::power_user, "acme-eu", "acme");
  pat.assigned_portals = {"acme-us"};
  d.put_user(pat);
  return d;
}

user_patch status(user_status s) {
  user_patch p;
  p.status = s;
  return p;
}
user_patch new_role(role r) {
  user_patch p;
  p.user_role = r;
  return p;
}
user_patch renamed(const std::string& name) {
  user_patch p;
  p.display_name = name;
  return p;
}
user_patch terms(bool accepted) {
  user_patch p;
  p.consents.terms = accepted;
  return p;
}
user_patch assigned_portals(std::vector<id> portals) {
  user_patch p;
  p.assigned_portals = std::move(portals);
  return p;
}
user_patch assigned_users(std::vector<id> users) {
  user_patch p;
  p.assigned_users = std::move(users);
  return p;
}

user_patch power_user_with(std::vector<id> users) {
  user_patch p = new_role(role::power_user);
  p.assigned_users = std::move(users);
  return p;
}

const std::string service = "(service)";

struct may_case {
  std::string caller;  ///< a username, or `service`
  std::string target;  ///< a username
  user_patch patch;
  std::optional<errc> expected;  ///< nullopt: allowed
  std::string why;
};

TEST(user_change, who_may_change_what) {
  const directory d = change_directory();
  user_patch ann_to_power = new_role(role::power_user);
  ann_to_power.assigned_portals = std::vector<id>{"acme-eu-paris"};
  user_patch ann_to_power_us = new_role(role::power_user);
  ann_to_power_us.assigned_portals = std::vector<id>{"acme-us"};
  user_patch ann_to_admin_us = new_role(role::admin);
  ann_to_admin_us.admin_portals = std::vector<id>{"acme-us"};

  const std::vector<may_case> cases{
    // The platform.
    {service, "ann", status(user_status::inactive), std::nullopt, "service changes status"},
    {service, "ann", new_role(role::superadmin), std::nullopt, "service hands out any role"},
    {service, "ann", terms(false), std::nullopt, "service sets consents"},
    {service, "gwen", renamed("Gwen G."), std::nullopt, "service sees every realm"},
    {service, "dora", status(user_status::active), errc::forbidden, "never resurrects"},
    {service, "dora", renamed("Dora"), errc::forbidden, "a tombstone is final"},
    {service, "tom", status(user_status::inactive), errc::forbidden, "a grant owns its temporary admin"},
    // Status and role: down, in scope, never itself.
    {"adam", "ann", status(user_status::inactive), std::nullopt, "admin in scope"},
    {"adam", "ann", new_role(role::instructor), std::nullopt, "a role below the admin's"},
    {"adam", "ann", new_role(role::admin), errc::forbidden, "not the admin's own rank"},
    {"adam", "adam", status(user_status::inactive), errc::forbidden, "never itself"},
    {"adam", "bob", status(user_status::inactive), errc::forbidden, "out of scope"},
    {"adam", "sara", status(user_status::inactive), errc::forbidden, "higher rank"},
    {"adam", "dora", status(user_status::active), errc::forbidden, "deleted"},
    {"sara", "adam", status(user_status::deleted), std::nullopt, "superadmin deletes an admin"},
    {"sara", "ann", ann_to_admin_us, std::nullopt, "superadmin makes an admin of any portal"},
    {"tom", "ann", status(user_status::inactive), errc::forbidden, "temporary admins change nothing"},
    {"tom", "tom", terms(true), errc::forbidden, "not even their own consents"},
    {"pia", "ann", status(user_status::inactive), errc::forbidden, "power users manage nobody"},
    {"ann", "ann", status(user_status::inactive), errc::forbidden, "learners manage nobody"},
    {"root", "ann", status(user_status::inactive), errc::forbidden, "sysadmin edits no users"},
    // Another realm looks like nothing.
    {"sara", "gwen", status(user_status::inactive), errc::not_found, "other realm"},
    {"sara", "gwen", user_patch{}, errc::not_found, "other realm, even for nothing"},
    {"gary", "sam", status(user_status::inactive), errc::not_found, "realmless target"},
    {"sara", "ann", user_patch{}, std::nullopt, "an empty change"},
    // Consents and names.
    {"ann", "ann", terms(false), std::nullopt, "own consents"},
    {"adam", "ann", terms(true), errc::forbidden, "nobody else's consents"},
    {"sam", "sam", terms(true), std::nullopt, "support staff's own consents"},
    {"ann", "ann", renamed("Ann Lee"), std::nullopt, "own name"},
    {"adam", "ann", renamed("Ann Lee"), std::nullopt, "a manager renames"},
    {"bob", "ann", renamed("Ann Lee"), errc::forbidden, "a peer does not"},
    // Assignments: only reach the caller has itself.
    {"adam", "ann", ann_to_power, std::nullopt, "assigned portal in the admin's scope"},
    {"adam", "ann", ann_to_power_us, errc::forbidden, "assigned portal outside the admin's scope"},
    {"adam", "ann", power_user_with({"u-bob"}), errc::forbidden, "assigned user outside the admin's scope"},
    {"adam", "ann", power_user_with({"u-paul"}), std::nullopt, "assigned user in the admin's scope"},
    {"adam", "pat", assigned_portals({"acme-us", "acme-eu-paris"}), std::nullopt, "keeps what it did not add"},
    {"adam", "pat", assigned_portals({}), std::nullopt, "removing is always within reach"},
    {"adam", "pat", assigned_users({"u-bob"}), errc::forbidden, "adds a user outside its scope"},
    {"sara", "pia", assigned_users({"u-bob", "u-paul"}), std::nullopt, "superadmin reaches the realm"},
  };
  for (const auto& c : cases) {
    const bool is_service = c.caller == service;
    const user& caller = is_service ? who(d, "root") : who(d, c.caller);
    const auto got = may_apply(d, caller, is_service, who(d, c.target), c.patch);
    EXPECT_EQ(got, c.expected) << c.caller << " -> " << c.target << ": " << c.why << ": got "
                               << (got ? to_string(*got) : "allowed");
  }
}

struct validate_case {
  std::string target;
  user_patch patch;
  std::string field;  ///< "" when the result is valid
  std::string why;
};

TEST(user_change, the_result_must_be_a_valid_user) {
  const directory d = change_directory();
  user_patch learner_with_list = new_role(role::learner);
  learner_with_list.assigned_users = std::vector<id>{"u-bob"};
  user_patch no_portals;
  no_portals.admin_portals = std::vector<id>{};
  const std::vector<validate_case> cases{
    {"ann", status(user_status::deleted), "", "deleting"},
    {"ann", new_role(role::admin), "", "a new admin administers its home portal"},
    {"ann", new_role(role::superadmin), "portal", "a superadmin lives at the top-level portal"},
    {"sara", new_role(role::admin), "", "a demoted superadmin keeps a portal to administer"},
    {"adam", new_role(role::learner), "", "a demoted admin drops its portals"},
    {"pia", new_role(role::learner), "", "a demoted power user drops its assignments"},
    {"pia", learner_with_list, "assigned_users", "unless the change sends them"},
    {"ann", [] { user_patch p; p.admin_portals = std::vector<id>{"acme-eu"}; return p; }(), "admin_portals",
     "a learner administers nothing"},
    {"adam", no_portals, "admin_portals", "an admin administers at least one portal"},
    {"pia", assigned_portals({"globex"}), "assigned_portals", "another realm's portal"},
    {"pia", assigned_users({"u-pia"}), "assigned_users", "not itself"},
    {"ann", renamed("  "), "name", "an empty name"},
    {"ann", renamed("Ann\x7F"), "name", "a control character"},
    {"ann", new_role(role::support), "portal", "support staff have no portal"},
    {"dora", status(user_status::active), "status", "a deleted user stays deleted"},
    {"dora", status(user_status::deleted), "", "staying deleted"},
  };
  for (const auto& c : cases) {
    const auto e = validate_change(d, who(d, c.target), c.patch);
    EXPECT_EQ(e ? e->field : "", c.field) << c.target << ": " << c.why;
  }
}

TEST(user_change, apply_replaces_only_what_the_patch_sets) {
  const directory d = change_directory();
  user_patch p;
  p.display_name = "  Ann Lee ";
  p.consents.privacy = false;
  p.status = user_status::inactive;
  const user ann = apply(who(d, "ann"), p);
  EXPECT_EQ(ann.display_name, "Ann Lee");
  EXPECT_TRUE(ann.accepted.terms);
  EXPECT_FALSE(ann.accepted.privacy);
  EXPECT_EQ(ann.status, user_status::inactive);
  EXPECT_EQ(ann.user_role, role::learner);
  EXPECT_EQ(ann.home_portal, "acme-eu");
  EXPECT_TRUE(user_patch{}.empty());
  EXPECT_FALSE(p.empty());
  EXPECT_TRUE(p.manages());
  EXPECT_FALSE(renamed("x").manages());

  const user admin = apply(who(d, "ann"), new_role(role::admin));
  EXPECT_EQ(admin.admin_portals, std::vector<id>{"acme-eu"});
  const user learner = apply(who(d, "adam"), new_role(role::learner));
  EXPECT_TRUE(learner.admin_portals.empty());
  const user same = apply(who(d, "pia"), new_role(role::power_user));  // no role change: lists stay
  EXPECT_EQ(same.assigned_users, std::vector<id>{"u-ann"});
}

} // namespace
