#include "domain/session.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "domain/text.hpp"

namespace actas::domain {

namespace {

constexpr std::array<std::pair<end_reason, std::string_view>, 8> reason_names{{
  {end_reason::ended_by_actor, "ended_by_actor"},
  {end_reason::expired, "expired"},
  {end_reason::terminated, "terminated"},
  {end_reason::ended_by_target, "ended_by_target"},
  {end_reason::actor_logged_out, "actor_logged_out"},
  {end_reason::actor_revoked, "actor_revoked"},
  {end_reason::target_changed, "target_changed"},
  {end_reason::grant_ended, "grant_ended"},
}};

constexpr std::size_t max_return_to_bytes = 2048;

} // namespace

std::string_view to_string(session_state s) { return s == session_state::active ? "active" : "ended"; }

std::optional<session_state> session_state_from_string(std::string_view name) {
  if (name == "active") return session_state::active;
  if (name == "ended") return session_state::ended;
  return std::nullopt;
}

std::string_view to_string(end_reason r) {
  for (const auto& [v, name] : reason_names)
    if (v == r) return name;
  return "unknown";
}

std::optional<end_reason> end_reason_from_string(std::string_view name) {
  for (const auto& [v, n] : reason_names)
    if (n == name) return v;
  return std::nullopt;
}

impersonation_session open_session(id session_id, const user& actor, const user& target,
                                   std::string reason, std::optional<std::string> return_to,
                                   std::int64_t max_duration_s, std::int64_t warn_before_s,
                                   timestamp now) {
  impersonation_session s;
  s.session_id = std::move(session_id);
  s.actor = actor.user_id;
  s.target = target.user_id;
  s.portal = target.home_portal;
  s.realm_id = target.realm_id;
  s.grant_id = actor.grant_id;  // `via` (the support user) is known to the grant, not to the user row
  s.reason = std::move(reason);
  s.return_to = std::move(return_to);
  s.started_at = now;
  s.expires_at = seconds_after(now, max_duration_s);
  // A warning longer than the session would be due before it started: show it at the start instead.
  s.warn_at = std::max(now, seconds_after(s.expires_at, -warn_before_s));
  return s;
}

std::optional<errc> end_session(impersonation_session& s, end_reason why, timestamp at) {
  if (!s.active()) return errc::session_ended;
  s.state = session_state::ended;
  s.ended_at = at;
  s.ended_because = why;
  return std::nullopt;
}

bool valid_return_to(std::string_view path) {
  // Only a path on this site: "//host" and "/\host" are read by browsers as another site.
  if (path.empty() || path.size() > max_return_to_bytes) return false;
  if (path[0] != '/' || (path.size() > 1 && path[1] == '/')) return false;
  if (path.find('\\') != std::string_view::npos) return false;
  return is_valid_utf8(path) && !has_control_character(path);
}

} // namespace actas::domain
