#pragma once
/// PATCH /v1/users/{id}: what a change does to a user, whether the result is a valid user, and who may
/// make it (SPEC §1 "Who may change what").
#include <optional>
#include <string>
#include <vector>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"
#include "domain/provisioning.hpp"

namespace actas::domain {

/// The fields a PATCH sets; everything else stays.
struct user_patch {
  std::optional<user_status> status;
  std::optional<role> user_role;
  std::optional<std::string> display_name;
  struct consents_part {
    std::optional<bool> terms;
    std::optional<bool> privacy;
  } consents;
  std::optional<std::vector<id>> admin_portals;
  std::optional<std::vector<id>> assigned_users;
  std::optional<std::vector<id>> assigned_portals;

  bool empty() const;
  /// Sets status, role, admin portals or assignments: the fields only managers (or the platform) change.
  bool manages() const;
};

/// `u` with the patch's fields replaced (the name trimmed). A role change that leaves the lists unsaid
/// keeps them consistent: a new admin administers its home portal; a role without admin portals or
/// assignments drops them.
user apply(user u, const user_patch& patch);

/// The result of the change checked with validate_user (provisioning.hpp), and a deleted user never
/// leaving `deleted` (field "status").
std::optional<field_error> validate_change(const directory& dir, const user& target, const user_patch& patch);

/// Who may make the change. nullopt: allowed. An empty patch is allowed to anyone who may see the target.
/// - Nobody changes a deleted user (a tombstone is final), nor a support grant's temporary admin (its grant
///   owns it): forbidden. Another realm's user looks like no user: not_found.
/// - The platform (`caller_is_service`; `caller` is then not read) may change everything else.
/// - A temporary admin changes nothing: forbidden.
/// - Consents: only the user itself (may_change_consents). The display name: the user itself or whoever
///   may change its status.
/// - Status, role, admin portals and assignments: a permanent admin or superadmin whose scope holds the
///   target, of strictly higher rank, never on itself (may_change_status, may_change_role); a role only
///   below the caller's own; admin portals and assignments it adds must lie in its own scope.
std::optional<errc> may_apply(const directory& dir, const user& caller, bool caller_is_service,
                              const user& target, const user_patch& patch);

} // namespace actas::domain
