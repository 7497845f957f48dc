#include "domain/user_change.hpp"

#include <algorithm>

#include "domain/permissions.hpp"
#include "domain/text.hpp"

namespace actas::domain {

namespace {

// Entries of `after` that `before` did not hold: what a change hands out.
std::vector<id> added(const std::vector<id>& before, const std::vector<id>& after) {
  std::vector<id> out;
  for (const id& x : after)
    if (std::find(before.begin(), before.end(), x) == before.end()) out.push_back(x);
  return out;
}

// Nobody hands out reach it does not have itself. Unknown ids are left to validate_change.
bool within_callers_scope(const directory& dir, const user& caller, const user& before, const user& after) {
  const auto administered = [&](const id& p) { return !dir.find_portal(p) || dir.administers(caller, p); };
  const auto reachable = [&](const id& uid) {
    const user* u = dir.find_user(uid);
    return !u || dir.in_scope(caller, *u);
  };
  const auto admin = added(before.admin_portals, after.admin_portals);
  const auto portals = added(before.assigned_portals, after.assigned_portals);
  const auto users = added(before.assigned_users, after.assigned_users);
  return std::all_of(admin.begin(), admin.end(), administered) &&
         std::all_of(portals.begin(), portals.end(), administered) &&
         std::all_of(users.begin(), users.end(), reachable);
}

// Another realm's user looks like no user (SPEC §1); a sysadmin sees every realm.
bool visible(const user& caller, const user& target) {
  if (caller.user_id == target.user_id || caller.user_role == role::sysadmin) return true;
  return caller.realm_id && target.realm_id == caller.realm_id;
}

} // namespace

bool user_patch::empty() const { return !display_name && !consents.terms && !consents.privacy && !manages(); }

bool user_patch::manages() const {
  return status || user_role || admin_portals || assigned_users || assigned_portals;
}

user apply(user u, const user_patch& patch) {
  const role before = u.user_role;
  if (patch.status) u.status = *patch.status;
  if (patch.user_role) u.user_role = *patch.user_role;
  if (patch.display_name) u.display_name = std::string{trim(*patch.display_name)};
  if (patch.consents.terms) u.accepted.terms = *patch.consents.terms;
  if (patch.consents.privacy) u.accepted.privacy = *patch.consents.privacy;

  if (patch.admin_portals) {
    u.admin_portals = *patch.admin_portals;
  } else if (u.user_role != before) {
    if (!is_admin_role(u.user_role)) u.admin_portals.clear();
    if (u.user_role == role::admin && u.admin_portals.empty() && u.home_portal)
      u.admin_portals = {*u.home_portal};
  }
  if (patch.assigned_users)
    u.assigned_users = *patch.assigned_users;
  else if (u.user_role != before && u.user_role != role::power_user)
    u.assigned_users.clear();
  if (patch.assigned_portals)
    u.assigned_portals = *patch.assigned_portals;
  else if (u.user_role != before && u.user_role != role::power_user)
    u.assigned_portals.clear();
  return u;
}

std::optional<field_error> validate_change(const directory& dir, const user& target, const user_patch& patch) {
  if (target.status == user_status::deleted && patch.status && *patch.status != user_status::deleted)
    return field_error{"status", "a deleted user stays deleted"};
  return validate_user(dir, apply(target, patch));
}

std::optional<errc> may_apply(const directory& dir, const user& caller, bool caller_is_service,
                              const user& target, const user_patch& patch) {
  if (!caller_is_service && !visible(caller, target)) return errc::not_found;
  if (patch.empty()) return std::nullopt;
  if (target.status == user_status::deleted || target.is_temporary()) return errc::forbidden;
  if (caller_is_service) return std::nullopt;
  if (caller.is_temporary()) return errc::forbidden;

  if (patch.consents.terms || patch.consents.privacy)
    if (const auto refused = may_change_consents(caller, target)) return refused;
  if (patch.display_name && caller.user_id != target.user_id)
    if (const auto refused = may_change_status(dir, caller, target, target.status)) return refused;
  if (!patch.manages()) return std::nullopt;

  if (const auto refused = may_change_status(dir, caller, target, patch.status.value_or(target.status)))
    return refused;
  if (patch.user_role)
    if (const auto refused = may_change_role(dir, caller, target, *patch.user_role)) return refused;
  if (!within_callers_scope(dir, caller, target, apply(target, patch))) return errc::forbidden;
  return std::nullopt;
}

} // namespace actas::domain
