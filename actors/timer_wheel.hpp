#pragma once
/// The deadline service. Every session and grant asks it for wake-ups instead of keeping its own CAF
/// `delayed_send`: CAF 0.17's clock keeps one multimap entry per pending message and its p99 lateness
/// reaches 0.8–4 ms at 100k timers (BENCH.md). The wheel keeps one binary heap and arms exactly one CAF
/// timer, for the earliest deadline, so CAF's clock only ever holds one entry; spawned detached in
/// production it has its own thread and never waits behind session work on the shared workers.
#include <cstdint>
#include <queue>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/time_base.hpp"

namespace actas::actors {

struct timer_wheel_state {
  struct entry {
    caf::actor_clock::time_point due;
    std::uint64_t order;  ///< FIFO among equal deadlines
    timer_client_actor client;
    std::uint64_t cookie;
  };
  struct later {
    bool operator()(const entry& a, const entry& b) const {
      return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
  };

  std::priority_queue<entry, std::vector<entry>, later> heap;
  std::uint64_t next_order = 0;
  /// Generation of the armed CAF timer; a tick of an older generation is stale and ignored
  /// (CAF 0.17 cannot cancel a delayed_send).
  std::uint64_t generation = 0;
  bool armed = false;
  caf::actor_clock::time_point armed_for{};
  time_base times;
  std::uint64_t fired = 0;

  static inline const char* name = "timer_wheel";
};

/// Behavior of the timer wheel; `times` converts wall deadlines to clock time.
timer_actor::behavior_type timer_wheel(timer_actor::stateful_pointer<timer_wheel_state> self, time_base times);

} // namespace actas::actors
