#include "domain/end_rules.hpp"

#include "domain/text.hpp"

namespace actas::domain {

namespace {

bool is_realm_superadmin(const user& u, const impersonation_session& s) {
  return u.user_role == role::superadmin && !u.is_temporary() && u.status == user_status::active &&
         u.realm_id && s.realm_id && *u.realm_id == *s.realm_id;
}

} // namespace

end_permission may_end(const directory& dir, const end_caller& who, const impersonation_session& s) {
  const user& caller = *who.caller;
  if (who.token_session) {
    // An impersonation token speaks only for its own session.
    if (*who.token_session == s.session_id)
      return {std::nullopt, end_reason::ended_by_actor};
    return {errc::not_found, {}};
  }
  if (caller.user_id == s.actor)
    return {std::nullopt, end_reason::ended_by_actor};
  if (is_realm_superadmin(caller, s))
    return {std::nullopt, end_reason::terminated};
  if (caller.user_id == s.target) {
    bool can_end = s.portal && dir.effective_settings(*s.portal).impersonation.target_can_end;
    if (can_end)
      return {std::nullopt, end_reason::ended_by_target};
    return {errc::forbidden, {}};
  }
  return {errc::not_found, {}};
}

bool may_view(const directory& dir, const end_caller& who, const impersonation_session& s) {
  if (who.token_session)
    return *who.token_session == s.session_id;
  const user& caller = *who.caller;
  if (caller.user_id == s.actor || caller.user_id == s.target)
    return true;
  return s.portal && dir.administers(caller, *s.portal);
}

std::optional<std::string> accept_exit_message(std::string_view text) {
  return accept_text(text, 0, max_reason_length);
}

} // namespace actas::domain
