#pragma once
/// POST /v1/authorize {action, resource?}: may this token do action X? (SPEC §2 "While active", §1, §5).
#include <cstddef>
#include <optional>
#include <string_view>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"

namespace actas::domain {

/// What the token tells about who asks. The caller has already refused unknown, dead and inactive
/// tokens (unauthenticated) and an unwritable audit log (audit_unavailable); those are not decided here.
struct authorize_context {
  /// The token's subject (`sub`): the target while impersonating, the temporary admin under a grant.
  const user* subject = nullptr;
  /// The token was minted by an impersonation start.
  bool impersonating = false;
  /// The impersonation session's portal (its restricted actions are read there); when empty, the
  /// subject's home portal is used.
  std::optional<id> session_portal;
  /// The person really acting is a support grant's temporary admin: a grant token, or an impersonation
  /// started by a temporary admin. A subject that is itself temporary counts too.
  bool temporary_admin = false;
};

struct authorize_decision {
  bool allowed = false;
  std::optional<errc> code;  ///< why not; empty when allowed
};

/// Longest action name, in bytes.
inline constexpr std::size_t max_action_length = 200;

/// A dotted name of [a-z0-9_]+ segments, 1 to 200 bytes, no empty segment ("courses.42.delete").
bool valid_action(std::string_view action);

/// Actions a temporary support admin may never be allowed (SPEC §1: no provisioning, no roles,
/// assignments, consents or settings): the action itself or anything below it ("users.role.set"), except
/// a look whose last segment is `read`, `view` or `list` (support is there to see the portal as it is).
bool denied_to_temporary_admins(std::string_view action);

/// In order: an invalid action name is invalid_request; while impersonating, an action matching the
/// session portal's effective restricted_actions is restricted_while_impersonating (never the exits:
/// impersonation.end, logout); a temporary admin (also while it impersonates) asking a provisioning or
/// policy action is forbidden. Everything else is allowed.
authorize_decision authorize(const directory& dir, const authorize_context& ctx, std::string_view action);

/// Whether the decision is an audit event (SPEC §5): every denial, and every decision made under an
/// impersonation or grant token. A plain user acting as itself and allowed is counted, not logged.
bool must_audit(const authorize_context& ctx, const authorize_decision& decision);

} // namespace actas::domain
