#pragma once
/// One actor per active support grant (SPEC §3.2–3.4). It owns the grant's deadlines (the warning and the
/// expiry, through the timer wheel) and its end: the one place that writes the end, again until it is
/// durable, and reports it durable exactly once. What an end decides on the node's caches (tokens dead,
/// the temporary admin tombstoned, its sessions ended) the registry does when it decides the end; whether
/// the end is written is decided here, in the transaction that records it (SPEC §6 "Concurrency").
#include <memory>
#include <optional>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/commit_book.hpp"
#include "actors/interfaces.hpp"

namespace actas::actors {

/// Timer cookies of a grant (the registry's `due` handler tells them apart from a request's lapse).
inline constexpr std::uint64_t grant_warn_cookie = 11;
inline constexpr std::uint64_t grant_expire_cookie = 12;

/// What a grant actor is built with.
struct grant_deps {
  std::shared_ptr<store::writer> writer;
  registry_actor registry;
  timer_actor timers;
  /// How long to wait before writing again an end that the audit log refused.
  std::chrono::milliseconds retry_after{1000};
};

struct grant_actor_state {
  grant_deps deps;
  id grant_id;
  commit_book commits;
  /// The end as the registry decided it, once it did; from then on the deadlines are ignored.
  std::optional<grant_end> end;
  /// Whether the last run of the write found the grant live and wrote its end (read only as its write
  /// comes back: a run after a deadlock starts over).
  std::shared_ptr<bool> written = std::make_shared<bool>(false);
  bool writing = false;      ///< a write is in flight: a retry must not write the event twice
  bool durable = false;      ///< the end is durable; the registry stops the actor once it heard so
  bool retry_armed = false;  ///< one retry is already asked for
  /// Who learns how the next write comes out: (durable, this write ended the grant).
  std::vector<caf::typed_response_promise<bool, bool>> waiters;

  static inline const char* name = "grant";
};

/// Asks `deps.timers` for each (at, cookie) of `deadlines`; a wake-up before the end is decided goes to
/// the registry as (due, grant id, cookie).
grant_actor::behavior_type grant(grant_actor::stateful_pointer<grant_actor_state> self, id grant_id,
                                 std::vector<timer_request> deadlines, grant_deps deps);

} // namespace actas::actors
