#pragma once
/// Realms, portals and users: the values every rule reads (SPEC §1).
#include <optional>
#include <string>
#include <vector>

#include "domain/role.hpp"
#include "domain/time.hpp"

namespace actas::domain {

using id = std::string;

/// A customer. Its portals form one tree under `top_portal`.
struct realm {
  id realm_id;
  std::string name;
  id top_portal;
};

/// A node of a realm's portal tree; the top-level portal has no parent.
struct portal {
  id portal_id;
  id realm_id;
  std::optional<id> parent;
  std::string name;
};

/// Which consents a user has accepted.
struct consents {
  bool terms = false;
  bool privacy = false;
  bool has(consent c) const { return c == consent::terms ? terms : privacy; }
};

struct user {
  id user_id;
  std::string username;
  std::string display_name;
  role user_role = role::learner;
  user_status status = user_status::active;
  /// Home portal; empty for sysadmin and support users only.
  std::optional<id> home_portal;
  /// Realm of the home portal (denormalised so "another realm" needs no tree walk); empty when realmless.
  std::optional<id> realm_id;
  /// Portals an admin administers (each with its descendants, unless `exact_scope`).
  std::vector<id> admin_portals;
  /// A power user's assigned users and assigned portals ("domains").
  std::vector<id> assigned_users;
  std::vector<id> assigned_portals;
  consents accepted;
  /// A support grant's temporary admin: scope is its portal only, never descendants; no password, no
  /// /v1/tokens token. `grant_id` names the grant it lives for.
  bool exact_scope = false;
  std::optional<id> grant_id;
  std::optional<timestamp> last_seen_at;

  bool is_temporary() const { return grant_id.has_value(); }
};

} // namespace actas::domain
