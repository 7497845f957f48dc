#include "net/errors.hpp"

#include <nlohmann/json.hpp>

namespace actas::net {

using domain::errc;

unsigned http_status(errc code) {
  switch (code) {
    case errc::reason_required:
    case errc::invalid_request:
      return 400;
    case errc::unauthenticated:
      return 401;
    case errc::nested_impersonation:
    case errc::permission_missing:
    case errc::feature_disabled:
    case errc::self_impersonation:
    case errc::target_inactive:
    case errc::target_protected:
    case errc::target_out_of_scope:
    case errc::target_role_not_allowed:
    case errc::consent_missing:
    case errc::actor_inactive:
    case errc::forbidden:
    case errc::restricted_while_impersonating:
      return 403;
    case errc::target_not_found:
    case errc::not_found:
      return 404;
    case errc::method_not_allowed:
      return 405;
    case errc::actor_busy:
    case errc::target_busy:
    case errc::session_ended:
    case errc::request_in_progress:
      return 409;
    case errc::idempotency_key_reused:
      return 422;
    case errc::too_large:
      return 413;
    case errc::rate_limited:
      return 429;
    case errc::audit_unavailable:
    case errc::node_stale:
      return 503;
    case errc::internal:
      return 500;
  }
  return 500;
}

std::string_view default_message(errc code) {
  switch (code) {
    case errc::nested_impersonation: return "an impersonation token cannot start another impersonation";
    case errc::permission_missing: return "your role may not impersonate";
    case errc::target_not_found: return "no such user";
    case errc::feature_disabled: return "impersonation is turned off for the target's portal";
    case errc::actor_busy: return "you are already impersonating someone; end that session first";
    case errc::self_impersonation: return "you cannot impersonate yourself";
    case errc::target_inactive: return "the target user is not active";
    case errc::target_protected: return "the target user may not be impersonated by you";
    case errc::target_out_of_scope: return "the target user is outside the portals you administer";
    case errc::target_role_not_allowed: return "your role may not impersonate users of the target's role";
    case errc::consent_missing: return "the target user has not accepted a required consent";
    case errc::reason_required:
      return "a reason is required: long enough, at most 500 characters, no control characters";
    case errc::target_busy: return "the target user is already being impersonated";
    case errc::actor_inactive: return "your account is not active";
    case errc::invalid_request: return "the request is not valid";
    case errc::unauthenticated: return "a valid bearer token is required";
    case errc::forbidden: return "you may not do this";
    case errc::not_found: return "not found";
    case errc::method_not_allowed: return "this path does not answer that method; the Allow header lists those it does";
    case errc::too_large: return "the request body is over 64 KiB";
    case errc::rate_limited: return "too many attempts; try again later";
    case errc::audit_unavailable: return "the audit log cannot be written right now; try again later";
    case errc::node_stale:
      return "this node has not caught up with the other nodes; try again (another node may answer)";
    case errc::internal: return "the server failed to handle this request; it was logged";
    case errc::session_ended: return "the session has already ended";
    case errc::restricted_while_impersonating: return "this action is not allowed while impersonating";
    case errc::idempotency_key_reused: return "this Idempotency-Key was already used for another request";
    case errc::request_in_progress: return "the first request with this Idempotency-Key has not been answered yet";
  }
  return "error";
}

std::string error_body(errc code, std::string_view message, std::string_view request_id) {
  const nlohmann::json body{
    {"error",
     {{"code", domain::to_string(code)},
      {"message", message.empty() ? default_message(code) : message},
      {"request_id", request_id}}}};
  // The message may quote client bytes that are not UTF-8: they become U+FFFD instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace actas::net
