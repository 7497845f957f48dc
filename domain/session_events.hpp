#pragma once
/// The audit events and notification values an impersonation produces (SPEC §2, §4, §5). Pure builders:
/// the registry decides when, these say what.
#include <map>
#include <optional>
#include <string>

#include "domain/audit.hpp"
#include "domain/errc.hpp"
#include "domain/session.hpp"

namespace actas::domain {

/// The chain a session's events go to: its realm, or the system chain.
std::string chain_of(const impersonation_session& s);

/// `impersonation.start`, outcome done: performed_by the actor, active_account the target, `via` the
/// support user behind a temporary admin.
audit_event start_event(const impersonation_session& s, const std::string& ip);

/// Who acts, as the audit trail names it: the real person (`performed_by`), the account in use when it is
/// not that person's own (`active_account`), and the support user behind a temporary admin (`via`).
struct acting {
  id performed_by;
  std::optional<id> active_account;
  std::optional<id> via;
  std::optional<id> grant;
};

/// `impersonation.end`, outcome done, dated at the end (an expiry at its deadline). `performed_by` is who
/// ended it when a person did, else the actor; `detail` records the end reason, who ended it and, for a
/// re-check, the rule (also in `code`).
audit_event end_event(const impersonation_session& s, const std::optional<id>& ended_by,
                      const std::optional<errc>& rule, const std::string& ip);

/// Placeholder values for the impersonation notifications.
std::map<std::string, std::string> session_values(const impersonation_session& s, const std::string& actor_name,
                                                  const std::string& target_name, const std::string& portal_name);

} // namespace actas::domain
