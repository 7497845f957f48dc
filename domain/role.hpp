#pragma once
/// Roles with their privilege ranks and user statuses (SPEC §1).
#include <optional>
#include <string_view>

namespace actas::domain {

enum class role { learner, instructor, manager, power_user, admin, superadmin, sysadmin, support };

/// learner 1, instructor 2, manager 2, power_user 3, admin 4, superadmin 5, sysadmin 6; support 0
/// (vendor staff have no rank inside a realm: they act only through a grant's temporary admin).
int rank(role r);

/// Roles that may ever start an impersonation (SPEC §2 rule 2).
bool may_impersonate(role r);

/// Roles that never belong to a realm.
bool is_realmless(role r);

/// admin or superadmin: the roles that manage users and settings of a realm.
inline bool is_admin_role(role r) { return r == role::admin || r == role::superadmin; }

std::string_view to_string(role r);
std::optional<role> role_from_string(std::string_view name);

enum class user_status { active, inactive, pending, deleted };

std::string_view to_string(user_status s);
std::optional<user_status> user_status_from_string(std::string_view name);

enum class consent { terms, privacy };

std::string_view to_string(consent c);
std::optional<consent> consent_from_string(std::string_view name);

} // namespace actas::domain
