#include "domain/errc.hpp"

#include <array>
#include <utility>

namespace actas::domain {

namespace {

// The wire name is the enumerator's own name: clients and the audit log see exactly these strings.
constexpr std::array<std::pair<errc, std::string_view>, 28> names{{
  {errc::nested_impersonation, "nested_impersonation"},
  {errc::permission_missing, "permission_missing"},
  {errc::target_not_found, "target_not_found"},
  {errc::feature_disabled, "feature_disabled"},
  {errc::actor_busy, "actor_busy"},
  {errc::self_impersonation, "self_impersonation"},
  {errc::target_inactive, "target_inactive"},
  {errc::target_protected, "target_protected"},
  {errc::target_out_of_scope, "target_out_of_scope"},
  {errc::target_role_not_allowed, "target_role_not_allowed"},
  {errc::consent_missing, "consent_missing"},
  {errc::reason_required, "reason_required"},
  {errc::target_busy, "target_busy"},
  {errc::actor_inactive, "actor_inactive"},
  {errc::invalid_request, "invalid_request"},
  {errc::unauthenticated, "unauthenticated"},
  {errc::forbidden, "forbidden"},
  {errc::not_found, "not_found"},
  {errc::method_not_allowed, "method_not_allowed"},
  {errc::too_large, "too_large"},
  {errc::rate_limited, "rate_limited"},
  {errc::audit_unavailable, "audit_unavailable"},
  {errc::node_stale, "node_stale"},
  {errc::internal, "internal"},
  {errc::idempotency_key_reused, "idempotency_key_reused"},
  {errc::request_in_progress, "request_in_progress"},
  {errc::session_ended, "session_ended"},
  {errc::restricted_while_impersonating, "restricted_while_impersonating"},
}};

} // namespace

std::string_view to_string(errc code) {
  for (const auto& [c, name] : names)
    if (c == code) return name;
  return "unknown";
}

std::optional<errc> errc_from_string(std::string_view name) {
  for (const auto& [c, n] : names)
    if (n == name) return c;
  return std::nullopt;
}

} // namespace actas::domain
