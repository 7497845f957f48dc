#include "domain/permissions.hpp"

namespace actas::domain {

// permission_missing is start rule 2 ("your role never impersonates"); a role that may not change settings
// or users is refused `forbidden`, the code for refusals no rule names (SPEC §6).

namespace {

// Another customer's portal looks like no portal at all (nothing leaks across realms).
bool portal_of_callers_realm(const directory& dir, const user& caller, const id& portal_id) {
  const portal* p = dir.find_portal(portal_id);
  return p && caller.realm_id && p->realm_id == *caller.realm_id;
}

// What status and role changes share: a permanent admin acting on someone else of lower rank in scope.
std::optional<errc> may_manage(const directory& dir, const user& caller, const user& target) {
  if (!is_admin_role(caller.user_role)) return errc::forbidden;
  // Support staff hold admin rights only to look and fix, never to reshape who may do what.
  if (caller.is_temporary()) return errc::forbidden;
  if (!caller.realm_id || target.realm_id != caller.realm_id) return errc::not_found;
  if (target.user_id == caller.user_id) return errc::forbidden;
  if (!dir.in_scope(caller, target)) return errc::forbidden;
  if (rank(target.user_role) >= rank(caller.user_role) || is_realmless(target.user_role)) return errc::forbidden;
  if (target.status == user_status::deleted) return errc::forbidden;  // a tombstone is final
  return std::nullopt;
}

} // namespace

std::optional<errc> may_change_settings(const directory& dir, const user& caller, const id& portal_id) {
  if (caller.user_role != role::superadmin) return errc::forbidden;
  if (caller.is_temporary()) return errc::forbidden;
  if (!portal_of_callers_realm(dir, caller, portal_id)) return errc::not_found;
  return std::nullopt;
}

std::optional<errc> may_read_settings(const directory& dir, const user& caller, const id& portal_id) {
  if (!is_admin_role(caller.user_role)) return errc::forbidden;
  if (!portal_of_callers_realm(dir, caller, portal_id)) return errc::not_found;
  if (!dir.administers(caller, portal_id)) return errc::forbidden;
  return std::nullopt;
}

std::optional<errc> may_read_metrics(const user& caller) {
  if (caller.user_role != role::sysadmin) return errc::forbidden;
  return std::nullopt;
}

std::optional<errc> may_change_status(const directory& dir, const user& caller, const user& target,
                                      user_status /*to*/) {
  // Every target status is reachable for a manageable user; only leaving `deleted` is not, and
  // may_manage already refuses a deleted target.
  return may_manage(dir, caller, target);
}

std::optional<errc> may_change_role(const directory& dir, const user& caller, const user& target, role to) {
  if (const auto refused = may_manage(dir, caller, target)) return refused;
  // Nobody hands out a rank it does not outrank, nor a role that lives outside realms.
  if (is_realmless(to) || rank(to) >= rank(caller.user_role)) return errc::forbidden;
  return std::nullopt;
}

std::optional<errc> may_change_consents(const user& caller, const user& target) {
  if (caller.is_temporary() || caller.user_id != target.user_id) return errc::forbidden;
  return std::nullopt;
}

} // namespace actas::domain
