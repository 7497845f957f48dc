#pragma once
/// Who may change what (SPEC §1).
#include <optional>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"

namespace actas::domain {

/// A superadmin of the portal's realm that is not a temporary admin. nullopt: allowed.
std::optional<errc> may_change_settings(const directory& dir, const user& caller, const id& portal_id);

/// Reading settings: admins in scope (and superadmins of the realm).
std::optional<errc> may_read_settings(const directory& dir, const user& caller, const id& portal_id);

/// SPEC §10 Metrics: GET /metrics is for a sysadmin token (or a metrics key, which net/ compares).
std::optional<errc> may_read_metrics(const user& caller);

/// Status changes: an admin or superadmin (not temporary) whose scope holds the target, of strictly lower
/// rank, never itself; `deleted` is final.
std::optional<errc> may_change_status(const directory& dir, const user& caller, const user& target,
                                      user_status to);

/// Roles, assignments and provisioning: superadmins of the realm and admins in scope (not temporary), and
/// only to roles strictly below their own.
std::optional<errc> may_change_role(const directory& dir, const user& caller, const user& target, role to);

/// Consents are set only by the user itself (or by the platform with its service key, not modelled here).
std::optional<errc> may_change_consents(const user& caller, const user& target);

} // namespace actas::domain
