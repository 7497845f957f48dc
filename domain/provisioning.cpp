#include "domain/provisioning.hpp"

#include <algorithm>
#include <set>

#include "domain/text.hpp"

namespace actas::domain {

namespace {

using error = std::optional<field_error>;

bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

error check_id(const std::string& field, std::string_view value) {
  if (valid_id(value)) return std::nullopt;
  return field_error{field, "must be 1 to 64 of a-z, 0-9, _ and -, starting with a letter or digit"};
}

error check_name(const std::string& field, std::string_view value) {
  if (accept_text(value, 1, max_name_length)) return std::nullopt;
  return field_error{field, "must be 1 to " + std::to_string(max_name_length) +
                                " characters of valid UTF-8 without control characters"};
}

std::string trimmed(std::string_view s) { return std::string{trim(s)}; }

// A list of portals of `realm_id`, each once.
error check_portal_list(const directory& dir, const std::string& field, const std::vector<id>& portals,
                        const id& realm_id) {
  if (portals.size() > max_list_length)
    return field_error{field, "at most " + std::to_string(max_list_length) + " entries"};
  std::set<id> seen;
  for (const id& p : portals) {
    const portal* found = dir.find_portal(p);
    if (!found || found->realm_id != realm_id)
      return field_error{field, "\"" + p + "\" is not a portal of this realm"};
    if (!seen.insert(p).second) return field_error{field, "\"" + p + "\" is listed twice"};
  }
  return std::nullopt;
}

error check_user_list(const directory& dir, const user& owner, const std::vector<id>& users) {
  const std::string field = "assigned_users";
  if (users.size() > max_list_length)
    return field_error{field, "at most " + std::to_string(max_list_length) + " entries"};
  std::set<id> seen;
  for (const id& uid : users) {
    const user* found = dir.find_user(uid);
    if (!found || found->realm_id != owner.realm_id)
      return field_error{field, "\"" + uid + "\" is not a user of this realm"};
    if (uid == owner.user_id) return field_error{field, "a power user is not assigned to itself"};
    if (!seen.insert(uid).second) return field_error{field, "\"" + uid + "\" is listed twice"};
  }
  return std::nullopt;
}

// Realm membership: realmless roles have none, every other role has an existing home portal.
error check_home(const directory& dir, const user& u) {
  if (is_realmless(u.user_role)) {
    if (u.home_portal || u.realm_id) return field_error{"portal", "sysadmin and support users have no portal"};
    return std::nullopt;
  }
  if (!u.home_portal) return field_error{"portal", "is required for this role"};
  const portal* home = dir.find_portal(*u.home_portal);
  if (!home) return field_error{"portal", "no such portal"};
  if (u.realm_id != home->realm_id) return field_error{"portal", "belongs to another realm"};
  if (u.user_role == role::superadmin) {
    const realm* r = dir.find_realm(home->realm_id);
    if (!r || r->top_portal != home->portal_id)
      return field_error{"portal", "a superadmin belongs to its realm's top-level portal"};
  }
  return std::nullopt;
}

error check_scope_lists(const directory& dir, const user& u) {
  if (!is_admin_role(u.user_role) && !u.admin_portals.empty())
    return field_error{"admin_portals", "only admins and superadmins administer portals"};
  if (u.user_role == role::admin && u.admin_portals.empty())
    return field_error{"admin_portals", "an admin administers at least one portal"};
  if (u.user_role != role::power_user && !u.assigned_users.empty())
    return field_error{"assigned_users", "only power users have assigned users"};
  if (u.user_role != role::power_user && !u.assigned_portals.empty())
    return field_error{"assigned_portals", "only power users have assigned portals"};
  if (!u.realm_id) return std::nullopt;  // realmless: every list is empty by now
  if (auto e = check_portal_list(dir, "admin_portals", u.admin_portals, *u.realm_id)) return e;
  if (auto e = check_user_list(dir, u, u.assigned_users)) return e;
  return check_portal_list(dir, "assigned_portals", u.assigned_portals, *u.realm_id);
}

} // namespace

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 64 || !lower_or_digit(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_or_digit(c) || c == '_' || c == '-'; });
}

bool valid_username(std::string_view s) {
  if (s.empty() || s.size() > max_username_length) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '@' || c == '-'; });
}

std::optional<field_error> check_new_realm(const directory& dir, const new_realm& r) {
  if (auto e = check_id("id", r.realm_id)) return e;
  if (dir.find_realm(r.realm_id)) return field_error{"id", "a realm with this id exists"};
  if (auto e = check_name("name", r.name)) return e;
  if (auto e = check_id("top_portal.id", r.top_portal_id)) return e;
  if (dir.find_portal(r.top_portal_id)) return field_error{"top_portal.id", "a portal with this id exists"};
  return check_name("top_portal.name", r.top_portal_name);
}

std::optional<field_error> check_new_portal(const directory& dir, const new_portal& p) {
  if (auto e = check_id("id", p.portal_id)) return e;
  if (dir.find_portal(p.portal_id)) return field_error{"id", "a portal with this id exists"};
  if (!dir.find_portal(p.parent)) return field_error{"parent", "no such portal"};
  return check_name("name", p.name);
}

std::optional<field_error> check_new_user(const directory& dir, const new_user& u) {
  if (auto e = check_id("id", u.user_id)) return e;
  // Ids and usernames are unique across realms; the answer is the same whichever realm holds the other one.
  if (dir.find_user(u.user_id)) return field_error{"id", "is already in use"};
  if (!valid_username(u.username))
    return field_error{"username", "must be 1 to 100 of a-z, 0-9, '.', '_', '@' and '-'"};
  if (dir.find_username(u.username)) return field_error{"username", "is already in use"};
  if (u.status == user_status::deleted) return field_error{"status", "a user cannot be created deleted"};
  return validate_user(dir, build_user(dir, u));
}

std::optional<errc> may_provision(const directory& dir, const user& caller, const new_user& u) {
  if (caller.is_temporary() || caller.status != user_status::active)
    return errc::forbidden;
  if (caller.user_role != role::admin && caller.user_role != role::superadmin)
    return errc::forbidden;
  // SPEC §1: consents are set only by the user or by the platform.
  if (u.accepted.terms || u.accepted.privacy)
    return errc::forbidden;
  if (is_realmless(u.user_role) || rank(u.user_role) >= rank(caller.user_role))
    return errc::forbidden;
  if (!u.portal || !dir.administers(caller, *u.portal))
    return errc::forbidden;
  for (const auto& p : u.admin_portals)
    if (!dir.administers(caller, p))
      return errc::forbidden;
  for (const auto& p : u.assigned_portals)
    if (!dir.administers(caller, p))
      return errc::forbidden;
  for (const auto& other : u.assigned_users) {
    const auto* assigned = dir.find_user(other);
    if (!assigned || !assigned->home_portal || !dir.administers(caller, *assigned->home_portal))
      return errc::forbidden;
  }
  return std::nullopt;
}

realm build_realm(const new_realm& r) { return {r.realm_id, trimmed(r.name), r.top_portal_id}; }

portal build_top_portal(const new_realm& r) {
  return {r.top_portal_id, r.realm_id, std::nullopt, trimmed(r.top_portal_name)};
}

portal build_portal(const directory& dir, const new_portal& p) {
  const portal* parent = dir.find_portal(p.parent);
  return {p.portal_id, parent ? parent->realm_id : id{}, p.parent, trimmed(p.name)};
}

user build_user(const directory& dir, const new_user& n) {
  user u;
  u.user_id = n.user_id;
  u.username = n.username;
  u.display_name = trimmed(n.display_name);
  u.user_role = n.user_role;
  u.status = n.status;
  u.home_portal = n.portal;
  if (n.portal)
    if (const portal* home = dir.find_portal(*n.portal)) u.realm_id = home->realm_id;
  u.admin_portals = n.admin_portals;
  // "An admin of portal P": sent without a list, the admin administers the portal it belongs to.
  if (n.user_role == role::admin && u.admin_portals.empty() && n.portal) u.admin_portals = {*n.portal};
  u.assigned_users = n.assigned_users;
  u.assigned_portals = n.assigned_portals;
  u.accepted = n.accepted;
  return u;
}

std::optional<field_error> validate_user(const directory& dir, const user& u) {
  if (auto e = check_id("id", u.user_id)) return e;
  if (!valid_username(u.username))
    return field_error{"username", "must be 1 to 100 of a-z, 0-9, '.', '_', '@' and '-'"};
  if (auto e = check_name("name", u.display_name)) return e;
  if (auto e = check_home(dir, u)) return e;
  return check_scope_lists(dir, u);
}

} // namespace actas::domain
