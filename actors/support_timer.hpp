#pragma once
/// The deadline owner of one support request (its lapse; a grant's deadlines are its grant actor's).
/// Like an impersonation actor it asks the timer wheel for wake-ups; the registry, which owns the durable
/// state, decides what a wake-up means and ignores one that comes after the request was decided.
#include "actors/interfaces.hpp"

namespace actas::actors {

/// Timer cookie of a request's lapse (a grant's are 11 and 12, actors/grant.hpp).
inline constexpr std::uint64_t lapse_cookie = 10;

struct support_timer_state {
  static inline const char* name = "support_timer";
};

/// Asks `timers` for each (at, cookie) of `deadlines` and forwards every wake-up to `registry` as
/// (due, owner, cookie).
support_timer_actor::behavior_type support_timer(support_timer_actor::stateful_pointer<support_timer_state> self,
                                                id owner, std::vector<timer_request> deadlines,
                                                registry_actor registry, timer_actor timers);

} // namespace actas::actors
