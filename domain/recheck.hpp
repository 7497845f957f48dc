#pragma once
/// Rights are re-checked on every change (SPEC §2): does a running session have to end, and why?
#include <optional>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/session.hpp"

namespace actas::domain {

/// Which side a change touched: the actor (status, role, scope), the target (status, role, consents,
/// deletion), or the realm's settings (feature off, allowed targets), which counts as the actor's side:
/// the actor's right is what was withdrawn.
enum class change_side { actor, target, settings };

struct end_verdict {
  end_reason why;  ///< actor_revoked or target_changed
  errc code;       ///< the rule that now refuses the session
};

/// Re-evaluates the start rules that still apply to a running session (2–4, 6–11, plus the actor and the
/// support user behind it, if any, being active) against `dir` after a change. nullopt: the session may go on.
std::optional<end_verdict> recheck(const directory& dir, const impersonation_session& s, change_side side);

} // namespace actas::domain
