#pragma once
/// The thirteen start rules of SPEC §2, checked in SPEC order; the first that fails decides. `return_to`
/// is the request's own text like the reason, so it is checked with it: right after rule 12 (a nested
/// impersonation with a bad `return_to` is still refused as nested_impersonation).
#include <optional>
#include <string>
#include <string_view>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"

namespace actas::domain {

/// What the caller asked, and the facts about running sessions the rules need.
struct start_request {
  /// The caller's token was minted by an impersonation start (rule 1).
  bool token_is_impersonation = false;
  /// The token's subject (the caller).
  const user* caller = nullptr;
  /// The requested target id, as sent.
  std::string_view target_id;
  /// The reason, as sent (nullopt when missing).
  std::optional<std::string_view> reason;
  /// Where to go back after the end, as sent (nullopt when absent).
  std::optional<std::string_view> return_to;
  /// The caller already runs an active (or starting) impersonation (rule 5).
  bool caller_busy = false;
  /// The target is already being impersonated by someone (rule 13, only when exclusive).
  bool target_busy = false;
};

/// The outcome: either `code` (the first failing rule) or the accepted, trimmed reason and the target.
struct start_verdict {
  std::optional<errc> code;
  const user* target = nullptr;
  std::string reason;
  bool allowed() const { return !code; }
};

/// Checks the rules in order against `dir`.
start_verdict check_start(const directory& dir, const start_request& req);

/// Rules 2–4 and 6–11 for an (actor, target) pair, without the reason and the busy rules: the question
/// "could `actor` impersonate `target` right now?". Used by the user list's `can_impersonate`/`why_not`
/// and by the re-check of running sessions. Returns the first failing rule's code.
std::optional<errc> impersonation_blocker(const directory& dir, const user& actor, const user& target);

} // namespace actas::domain
