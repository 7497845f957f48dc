#pragma once
/// Who sees what on the live dashboard (SPEC §4): an admin the active impersonations and grants within its
/// scope, a superadmin its whole realm (and the pending support requests it may answer).
#include <optional>
#include <set>

#include "domain/directory.hpp"
#include "domain/model.hpp"

namespace actas::domain {

/// A subscriber's scope, computed once at subscription from the directory.
struct dashboard_scope {
  id realm_id;
  bool whole_realm = false;  ///< superadmins
  std::set<id> portals;      ///< administered portals with their descendants (admins), assigned ones (power users)
  std::set<id> users;        ///< a power user's assigned users

  bool operator==(const dashboard_scope&) const = default;
};

/// The scope of `u`, or nullopt when its role has no dashboard (learners, instructors, managers, support
/// and sysadmin users, and inactive users).
std::optional<dashboard_scope> dashboard_scope_of(const directory& dir, const user& u);

/// Whether an item about `portal` (and, for a session, its `target`) is within the scope.
bool sees(const dashboard_scope& scope, const std::optional<id>& realm_id, const std::optional<id>& portal,
          const std::optional<id>& target = std::nullopt);

} // namespace actas::domain
