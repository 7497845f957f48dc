#include "domain/recheck.hpp"

#include "domain/start_rules.hpp"

namespace actas::domain {

std::optional<end_verdict> recheck(const directory& dir, const impersonation_session& s, change_side side) {
  // An actor that can no longer sign in cannot keep acting through someone else's account.
  const user* actor = dir.find_user(s.actor);
  if (!actor || actor->status != user_status::active)
    return end_verdict{end_reason::actor_revoked, errc::actor_inactive};
  // Nor can the support user behind a temporary admin (`via`) once it may no longer sign in itself.
  if (s.via) {
    const user* via = dir.find_user(*s.via);
    if (!via || via->status != user_status::active) return end_verdict{end_reason::actor_revoked, errc::actor_inactive};
  }

  // Who caused the change decides the end reason; the failing rule is recorded as the code either way.
  const end_reason why = side == change_side::target ? end_reason::target_changed : end_reason::actor_revoked;
  const user* target = dir.find_user(s.target);
  if (!target) return end_verdict{why, errc::target_not_found};
  if (const auto code = impersonation_blocker(dir, *actor, *target)) return end_verdict{why, *code};
  return std::nullopt;
}

} // namespace actas::domain
