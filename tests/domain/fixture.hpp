#pragma once
/// A demo-like directory shared by the domain tests.
///
///   acme (realm)                         globex (realm)
///     acme ── acme-eu ── acme-eu-paris     globex
///          └─ acme-us
///
/// Users (id "u-<name>"): sara superadmin of acme; adam admin of acme-eu; pia power user with ann assigned;
/// learners ann, bob (acme-us), paul (acme-eu-paris); ivan instructor; mia manager; ines inactive;
/// pete pending; noel without terms; tom a support grant's temporary admin of acme-eu; gary superadmin and
/// gwen learner of globex; root sysadmin and sam support (no realm). Impersonation is on in both realms.
#include <string>

#include "domain/directory.hpp"

namespace actas::testing {

using namespace actas::domain;

inline user make_user(const std::string& name, role r, std::optional<id> home, std::optional<id> realm_id) {
  user u;
  u.user_id = "u-" + name;
  u.username = name;
  u.display_name = name;
  u.user_role = r;
  u.home_portal = std::move(home);
  u.realm_id = std::move(realm_id);
  u.accepted = consents{true, true};
  return u;
}

inline settings_patch enable_impersonation() {
  settings_patch p;
  p.impersonation.enabled = true;
  return p;
}

inline directory demo_directory() {
  directory d;
  d.put_realm({"acme", "Acme Corp", "acme"});
  d.put_portal({"acme", "acme", std::nullopt, "Acme"});
  d.put_portal({"acme-eu", "acme", "acme", "Acme Europe"});
  d.put_portal({"acme-eu-paris", "acme", "acme-eu", "Acme Paris"});
  d.put_portal({"acme-us", "acme", "acme", "Acme US"});
  d.put_realm({"globex", "Globex", "globex"});
  d.put_portal({"globex", "globex", std::nullopt, "Globex"});
  d.put_settings("acme", enable_impersonation());
  d.put_settings("globex", enable_impersonation());

  const auto acme = [&](const std::string& name, role r, const std::string& portal) {
    return make_user(name, r, portal, "acme");
  };
  d.put_user(acme("sara", role::superadmin, "acme"));
  user adam = acme("adam", role::admin, "acme-eu");
  adam.admin_portals = {"acme-eu"};
  d.put_user(adam);
  user pia = acme("pia", role::power_user, "acme");
  pia.assigned_users = {"u-ann"};
  d.put_user(pia);
  d.put_user(acme("ann", role::learner, "acme-eu"));
  d.put_user(acme("bob", role::learner, "acme-us"));
  d.put_user(acme("paul", role::learner, "acme-eu-paris"));
  d.put_user(acme("ivan", role::instructor, "acme-eu"));
  d.put_user(acme("mia", role::manager, "acme-eu"));
  user ines = acme("ines", role::learner, "acme-eu");
  ines.status = user_status::inactive;
  d.put_user(ines);
  user pete = acme("pete", role::learner, "acme-eu");
  pete.status = user_status::pending;
  d.put_user(pete);
  user noel = acme("noel", role::learner, "acme-eu");
  noel.accepted.terms = false;
  d.put_user(noel);
  user tom = acme("tom", role::admin, "acme-eu");
  tom.admin_portals = {"acme-eu"};
  tom.exact_scope = true;
  tom.grant_id = "g-1";
  d.put_user(tom);

  d.put_user(make_user("gary", role::superadmin, "globex", "globex"));
  d.put_user(make_user("gwen", role::learner, "globex", "globex"));
  d.put_user(make_user("root", role::sysadmin, std::nullopt, std::nullopt));
  d.put_user(make_user("sam", role::support, std::nullopt, std::nullopt));
  return d;
}

/// The user named `name` ("ann" finds "u-ann"); the directory must outlive the reference.
inline const user& who(const directory& d, const std::string& name) { return *d.find_username(name); }

} // namespace actas::testing
