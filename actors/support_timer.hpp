#pragma once
/// The deadline owner of one support request (its lapse) or one support grant (its warning and expiry).
/// Like an impersonation actor it asks the timer wheel for wake-ups; the registry, which owns the durable
/// state, decides what a wake-up means and ignores one that comes after the request or grant ended.
#include "actors/interfaces.hpp"

namespace actas::actors {

/// Timer cookies of support deadlines.
inline constexpr std::uint64_t lapse_cookie = 10;
inline constexpr std::uint64_t grant_warn_cookie = 11;
inline constexpr std::uint64_t grant_expire_cookie = 12;

struct support_timer_state {
  static inline const char* name = "support_timer";
};

/// Asks `timers` for each (at, cookie) of `deadlines` and forwards every wake-up to `registry` as
/// (due, owner, cookie).
timer_client_actor::behavior_type support_timer(timer_client_actor::stateful_pointer<support_timer_state> self,
                                                id owner, std::vector<timer_request> deadlines,
                                                registry_actor registry, timer_actor timers);

} // namespace actas::actors
