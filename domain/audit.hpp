#pragma once
/// Audit events and their per-chain SHA-256 linking over canonical JSON (SPEC §5).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "domain/time.hpp"

namespace actas::domain {

enum class outcome { allowed, denied, done };
std::string_view to_string(outcome o);

/// The chain of system events (sysadmin and support users, realm provisioning).
inline constexpr std::string_view system_chain = "system";

struct audit_event {
  std::string chain;  ///< a realm id, or "system"
  std::int64_t seq = 0;
  timestamp at{};
  std::string event;  ///< e.g. "impersonation.start", "impersonation.end", "settings.change"
  std::optional<id> performed_by;
  std::optional<id> active_account;
  std::optional<id> via;
  std::optional<id> session;
  std::optional<id> grant;
  std::optional<id> portal;
  std::optional<std::string> action;
  outcome result = outcome::done;
  std::optional<std::string> code;
  std::optional<std::string> reason;
  std::optional<std::string> ip;
  /// Extra facts as canonical JSON text (e.g. a settings change's old and new values); empty for none.
  std::string detail_json;
  std::string prev_hash;
  std::string hash;
};

/// Canonical JSON of an event without its `hash`: keys sorted, no insignificant white space, absent
/// optionals as null, `at` in format_utc, `detail` embedded as JSON.
std::string canonical_json(const audit_event& e);

/// Escapes a string as a JSON string literal (with the quotes), for canonical JSON writers.
std::string json_quote(std::string_view s);

/// SHA-256 of bytes as 64 lowercase hex digits. Injected so domain/ stays free of libraries.
using hash_function = std::function<std::string(std::string_view)>;

/// The hash of the very first event's predecessor.
inline const std::string genesis_hash(64, '0');

/// Fills seq, prev_hash and hash of `e` so it follows (`prev_seq`, `prev_hash`) on its chain.
void link(audit_event& e, std::int64_t prev_seq, const std::string& prev_hash, const hash_function& sha256);

/// Result of walking one chain.
struct verify_result {
  bool ok = true;
  std::int64_t events = 0;
  std::string head;  ///< hash of the last event (genesis_hash when empty)
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;
};

/// A point on a chain: the seq and hash of one event (seq 0 and genesis_hash: before the first).
struct chain_point {
  std::int64_t seq = 0;
  std::string hash = genesis_hash;
};

/// Checks that seqs follow `from` without gaps, each prev_hash is the previous hash and each hash
/// matches. `events` are the chain's events after `from` in seq order; `events` and `head` of the
/// result count from `from` (a walk from a verified checkpoint need not read the verified prefix).
verify_result verify_chain(const std::vector<audit_event>& events, const hash_function& sha256,
                           const chain_point& from = {});

/// The head rule: the chain must end exactly at the head recorded in the same transaction as its newest
/// event. A walk that verified but ends short of that head lost its tail (rows deleted at the end leave a
/// chain that links perfectly); one that ends elsewhere was rewritten. `walked_to` is where the walk of `r`
/// ended (the last verified event); a failed walk is left as it is.
void check_head(verify_result& r, const chain_point& walked_to, const std::optional<chain_point>& head);

/// Filters of GET /v1/audit (SPEC §6); `limit` is bounded by the caller.
struct audit_query {
  std::string chain;
  std::optional<id> portal, session, grant, performed_by, active_account;
  std::int64_t after_seq = 0;
  std::int64_t limit = 100;
};

} // namespace actas::domain
