#pragma once
/// Every error and rule code of SPEC.md, as values. net/ owns the single mapping to HTTP statuses.
#include <optional>
#include <string_view>

namespace actas::domain {

enum class errc {
  // Start rules of SPEC §2, in rule order.
  nested_impersonation,
  permission_missing,
  target_not_found,
  feature_disabled,
  actor_busy,
  self_impersonation,
  target_inactive,
  target_protected,
  target_out_of_scope,
  target_role_not_allowed,
  consent_missing,
  reason_required,
  target_busy,
  // Re-check only: the actor itself is no longer active (audit code of an `actor_revoked` end).
  actor_inactive,
  // Generic API codes of SPEC §6.
  invalid_request,
  unauthenticated,
  forbidden,
  not_found,
  // A path that exists, asked with a method it does not answer (405, with `Allow`).
  method_not_allowed,
  too_large,
  rate_limited,
  audit_unavailable,
  // A cluster node that has not caught up with the others within cluster.max_staleness_ms (SPEC §8).
  node_stale,
  // A request whose handling failed unexpectedly (an exception): 500, logged with the request id.
  internal,
  // Lifecycle and authorization.
  session_ended,
  restricted_while_impersonating,
  // Retries (SPEC §6).
  idempotency_key_reused,
  request_in_progress,
};

/// The wire name of a code, e.g. "target_busy".
std::string_view to_string(errc code);

/// Inverse of to_string; nullopt for an unknown name.
std::optional<errc> errc_from_string(std::string_view name);

} // namespace actas::domain
