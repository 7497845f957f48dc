#pragma once
/// One actor per pending support request (SPEC §3.1). It owns the request's state machine (pending, being
/// decided, closed), its lapse deadline (through the timer wheel) and its close: a deny, a cancel or a
/// lapse is written here, in the transaction that re-reads the request and the caller (SPEC §6
/// "Concurrency"). An allow is written with its grants by the registry, after taking the request from
/// here, so this node sends one decision per request at a time to the writer. What a close says (its
/// notes, its event) the registry decides on its caches; it announces the close once it is durable.
#include <optional>

#include <caf/typed_response_promise.hpp>

#include "actors/commit_book.hpp"
#include "actors/end_writer.hpp"

namespace actas::actors {

/// Timer cookie of a request's lapse (a grant's are 11 and 12, actors/grant.hpp).
inline constexpr std::uint64_t lapse_cookie = 10;

struct pending_request_state {
  entity_deps deps;
  id request_id;
  bool deciding = false;   ///< an allow or a close is on its way through the writer
  bool closed = false;     ///< decided in the database; from then on nothing is decided here
  bool lapse_due = false;  ///< the deadline passed while a decision was in flight
  bool retry_armed = false;
  commit_book commits;
  /// The asker of the close in flight, if any (answered even when the actor is stopped meanwhile).
  std::optional<caf::typed_response_promise<close_outcome>> closing;

  static inline const char* name = "support_request";
};

/// Asks `deps.timers` for the lapse at `lapses_at` (at once when it already passed); the lapse goes to
/// the registry as (due, request id, lapse_cookie), which decides what it says and sends it back as a close.
request_actor::behavior_type pending_request(request_actor::stateful_pointer<pending_request_state> self,
                                             id request_id, domain::timestamp lapses_at, entity_deps deps);

/// The close's transaction: re-reads the request (locked) and the caller, and writes the close only if the
/// caller may still decide it and it is still pending there. So a deny racing an allow (or a lapse) finds
/// the other committed, and a lapse never overwrites a decision made in time.
void decide_close(store::transaction& tx, const request_close& close, close_outcome& outcome);

} // namespace actas::actors
