#pragma once
/// What the platform provisions with its service key: realms, portals and users (SPEC §1, §6), checked
/// before anything is stored. The user rules are shared with PATCH /v1/users (user_change.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"
#include "domain/settings.hpp"

namespace actas::domain {

/// Why a request body was refused: the field (its JSON name, dotted when nested) and a sentence.
using field_error = settings_error;

/// Ids of realms, portals and users: [a-z0-9][a-z0-9_-]{0,63}.
bool valid_id(std::string_view s);

/// Usernames: 1 to 100 bytes of [a-z0-9._@-] (the platform lower-cases before it sends).
bool valid_username(std::string_view s);

/// Names are 1 to 200 code points after trimming, valid UTF-8, no control characters.
inline constexpr std::size_t max_name_length = 200;
inline constexpr std::size_t max_username_length = 100;
/// Bound on admin_portals, assigned_users and assigned_portals.
inline constexpr std::size_t max_list_length = 1000;

/// POST /v1/realms: `{id, name, top_portal: {id, name}}`.
struct new_realm {
  id realm_id;
  std::string name;
  id top_portal_id;
  std::string top_portal_name;
};

/// POST /v1/portals: `{id, parent, name}`; the realm is the parent's.
struct new_portal {
  id portal_id;
  id parent;
  std::string name;
};

/// POST /v1/users: `{id, username, name, role, status, portal?, admin_portals, assigned_users,
/// assigned_portals, consents}`.
struct new_user {
  id user_id;
  std::string username;
  std::string display_name;
  role user_role = role::learner;
  user_status status = user_status::active;
  std::optional<id> portal;
  std::vector<id> admin_portals;
  std::vector<id> assigned_users;
  std::vector<id> assigned_portals;
  consents accepted;
};

/// Field names: "id", "name", "top_portal.id", "top_portal.name". Realm and portal ids must be new
/// (portal ids are unique across realms: they are what every other call names).
std::optional<field_error> check_new_realm(const directory& dir, const new_realm& r);
/// Field names: "id", "parent" (must exist), "name".
std::optional<field_error> check_new_portal(const directory& dir, const new_portal& p);
/// The id and username must be new, the status must not be `deleted`, then validate_user on the user it
/// builds.
std::optional<field_error> check_new_user(const directory& dir, const new_user& u);

/// The stored values, with names trimmed. Call after the matching check_* accepted.
/// Whether a (non-platform) caller may create `u` (SPEC §1): an admin or superadmin that is not a
/// temporary admin, for a role strictly below its own (never sysadmin or support), in a portal it
/// administers, with admin portals, assignments and assigned users it administers, and no consent
/// accepted (only the user or the platform sets consents). nullopt: allowed; else `forbidden`, the same for
/// another realm's portal as for none at all. Asked before check_new_user, so a refused caller learns
/// nothing about what exists. (The platform's service key may create anyone; check_new_user applies to both.)
std::optional<errc> may_provision(const directory& dir, const user& caller, const new_user& u);

realm build_realm(const new_realm& r);
portal build_top_portal(const new_realm& r);
portal build_portal(const directory& dir, const new_portal& p);
/// The realm comes from the home portal; an admin sent without admin_portals administers its home portal.
user build_user(const directory& dir, const new_user& u);

/// The shape every stored user keeps (field names as in new_user): a valid id, username and name;
/// sysadmin and support users have no portal, no admin portals and no assignments; every other role has
/// an existing home portal (and its realm); a superadmin's home is its realm's top-level portal; admin
/// portals only for admins (at least one) and superadmins, assignments only for power users, every
/// entry an existing portal or user of the same realm, none twice, a power user never assigned itself.
std::optional<field_error> validate_user(const directory& dir, const user& u);

} // namespace actas::domain
