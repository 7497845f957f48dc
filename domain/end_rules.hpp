#pragma once
/// Who may end an impersonation session, and with which end reason (SPEC §2 "End").
#include <optional>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/session.hpp"

namespace actas::domain {

/// The caller of an end request, as its token describes it.
struct end_caller {
  const user* caller = nullptr;  ///< the token's subject
  /// Set when the token is an impersonation token: the session it was minted for.
  std::optional<id> token_session;
};

/// Either the reason the session ends with, or why the caller may not end it.
struct end_permission {
  std::optional<errc> code;
  end_reason why = end_reason::ended_by_actor;
  bool allowed() const { return !code; }
};

/// The impersonation token of that session or the actor's own user token: ended_by_actor; a superadmin of
/// the session's realm: terminated (the kill switch); the target's own user token if `target_can_end`:
/// ended_by_target. An impersonation token of another session, and anybody who cannot see the session,
/// get not_found; a target without `target_can_end` gets forbidden. Who may end is checked before
/// whether the session already ended, so a stranger learns nothing from session_ended.
end_permission may_end(const directory& dir, const end_caller& who, const impersonation_session& s);

/// Who may read a session (GET /v1/impersonations/{id}): its actor, its target, the impersonation token
/// of that session, and admins whose scope holds the target's portal (superadmins: their realm).
bool may_view(const directory& dir, const end_caller& who, const impersonation_session& s);

/// An optional exit message (≤ 500 code points, no control characters); returns the trimmed text, or
/// nullopt when it is unacceptable. An empty message is no message.
std::optional<std::string> accept_exit_message(std::string_view text);

} // namespace actas::domain
