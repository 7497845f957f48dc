#include "domain/dashboard.hpp"

namespace actas::domain {

std::optional<dashboard_scope> dashboard_scope_of(const directory& dir, const user& u) {
  if (u.status != user_status::active || !u.realm_id)
    return std::nullopt;
  dashboard_scope scope;
  scope.realm_id = *u.realm_id;
  switch (u.user_role) {
    case role::superadmin:
      scope.whole_realm = !u.is_temporary();
      return scope;
    case role::admin:
      for (const auto& p : dir.realm_portals(*u.realm_id))
        if (dir.administers(u, p))
          scope.portals.insert(p);
      return scope;
    case role::power_user:
      for (const auto& p : dir.realm_portals(*u.realm_id))
        for (const auto& assigned : u.assigned_portals)
          if (dir.within(p, assigned))
            scope.portals.insert(p);
      scope.users.insert(u.assigned_users.begin(), u.assigned_users.end());
      return scope;
    default:
      return std::nullopt;
  }
}

bool sees(const dashboard_scope& scope, const std::optional<id>& realm_id, const std::optional<id>& portal,
          const std::optional<id>& target) {
  if (!realm_id || *realm_id != scope.realm_id)
    return false;
  if (scope.whole_realm)
    return true;
  if (portal && scope.portals.contains(*portal))
    return true;
  return target && scope.users.contains(*target);
}

} // namespace actas::domain
