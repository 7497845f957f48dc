#pragma once
/// One actor per active support grant (SPEC §3.2–3.4). It owns the grant's deadlines (the warning and the
/// expiry, through the timer wheel) and its end: the one place that writes the end, again until it is
/// durable, and reports it durable exactly once. What an end decides on the node's caches (tokens dead,
/// the temporary admin tombstoned, its sessions ended) the registry does when it decides the end; whether
/// the end is written is decided here, in the transaction that records it (SPEC §6 "Concurrency").
#include <vector>

#include "actors/end_writer.hpp"

namespace actas::actors {

/// Timer cookies of a grant (the registry's `due` handler tells them apart from a request's lapse).
inline constexpr std::uint64_t grant_warn_cookie = 11;
inline constexpr std::uint64_t grant_expire_cookie = 12;

struct grant_actor_state {
  entity_deps deps;
  id grant_id;
  /// The end as the registry decided it, once it did; from then on the deadlines are ignored.
  end_writer end;

  static inline const char* name = "grant";
};

/// Asks `deps.timers` for each (at, cookie) of `deadlines`; a wake-up before the end is decided goes to
/// the registry as (due, grant id, cookie).
grant_actor::behavior_type grant(grant_actor::stateful_pointer<grant_actor_state> self, id grant_id,
                                 std::vector<timer_request> deadlines, entity_deps deps);

} // namespace actas::actors
