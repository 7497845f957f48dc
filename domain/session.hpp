#pragma once
/// The impersonation session and its state machine: active, then ended exactly once (SPEC §2).
#include <optional>
#include <string>
#include <string_view>

#include "domain/errc.hpp"
#include "domain/model.hpp"
#include "domain/time.hpp"

namespace actas::domain {

enum class session_state { active, ended };

enum class end_reason {
  ended_by_actor,
  expired,
  terminated,
  ended_by_target,
  actor_logged_out,
  actor_revoked,
  target_changed,
  grant_ended,
};

std::string_view to_string(session_state s);
std::string_view to_string(end_reason r);
std::optional<end_reason> end_reason_from_string(std::string_view name);
std::optional<session_state> session_state_from_string(std::string_view name);

struct impersonation_session {
  id session_id;
  id actor;
  id target;
  /// The target's portal at start (settings and scope are read there).
  std::optional<id> portal;
  std::optional<id> realm_id;
  /// The support grant behind a temporary-admin actor, and the support user (`via`).
  std::optional<id> grant_id;
  std::optional<id> via;
  std::string reason;
  std::optional<std::string> return_to;
  session_state state = session_state::active;
  timestamp started_at{};
  timestamp expires_at{};
  /// When the `ending_soon` banner is due (expires_at - warn_before_s, never before started_at).
  timestamp warn_at{};
  std::optional<timestamp> ended_at;
  std::optional<end_reason> ended_because;

  bool active() const { return state == session_state::active; }
};

/// Builds a fresh active session; expires_at = now + max_duration_s.
impersonation_session open_session(id session_id, const user& actor, const user& target,
                                   std::string reason, std::optional<std::string> return_to,
                                   std::int64_t max_duration_s, std::int64_t warn_before_s,
                                   timestamp now);

/// Ends an active session at `at` for `why`. A session ends exactly once: ending an ended session
/// returns errc::session_ended and changes nothing.
std::optional<errc> end_session(impersonation_session& s, end_reason why, timestamp at);

/// The moment an expiry ends a session: its deadline, even when noticed later (after a restart the
/// audit event is dated at the deadline, SPEC §7).
inline timestamp expiry_time(const impersonation_session& s) { return s.expires_at; }

/// `return_to` must be a relative path: starts with "/", not "//", no control characters, ≤ 2048 bytes.
bool valid_return_to(std::string_view path);

} // namespace actas::domain
