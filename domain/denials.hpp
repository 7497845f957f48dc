#pragma once
/// Denials as the audit trail records them (SPEC §5): every refused request is an event naming who asked,
/// the rule's code and at most the first 200 code points of each client text, because a refused reason is
/// evidence, not content. How many are written per caller is decided by denial_limiter.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/audit.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"
#include "domain/session_events.hpp"

namespace actas::domain {

/// Most code points of one client text a denial records.
inline constexpr std::size_t denial_text_limit = 200;

/// Client text as a denial records it: its first 200 code points, cut on a code-point boundary, with
/// ill-formed UTF-8 replaced by U+FFFD so the event can always be stored, hashed and shown.
std::string denial_text(std::string_view s);

/// One refused request. Client texts are kept as sent here and cut when the event is built.
struct denial {
  std::string chain;   ///< see denial_chain
  std::string event;   ///< the event the request would have made ("user.change", "support.grant", "login"…)
  acting who;          ///< empty performed_by for an anonymous caller (a failed login)
  std::optional<id> session;
  std::optional<id> portal;
  errc code = errc::forbidden;
  std::optional<std::string> reason;            ///< the client's reason, if the request had one
  std::map<std::string, std::string> texts;     ///< other client text (ids, names, ticket…), into `detail`
  std::string ip;
  timestamp at{};
};

/// The chain a denial goes to: the caller's realm; for a caller without one (sysadmin, support, the
/// platform, an unknown login), the realm of what it acted on, when that is known; else the system chain.
std::string denial_chain(const user* caller, const std::optional<id>& realm_acted_on);

/// The audit event of a denial: outcome denied, `code` the rule, every client text cut by denial_text.
audit_event denial_event(const denial& d);

/// A refused start (SPEC §2): the requested target, the reason and `return_to` as the caller sent them.
denial start_denial(const user& caller, const acting& who, std::string_view target, errc code,
                    const std::optional<std::string>& reason, const std::optional<std::string>& return_to,
                    const std::string& ip, timestamp at);

/// A refused password login: the username as typed, never the password (the caller is anonymous; the
/// event goes to the realm of the user the name belongs to, if any, else to the system chain).
denial login_denial(const user* named, std::string_view username, errc code, const std::string& ip, timestamp at);

/// Client ids of a list as one text for a denial ("a, b, c"), no longer than a denial keeps.
std::string denial_list(const std::vector<std::string>& items);

} // namespace actas::domain
