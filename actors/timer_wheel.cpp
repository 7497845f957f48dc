#include "actors/timer_wheel.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

using self_ptr = timer_actor::stateful_pointer<timer_wheel_state>;

void arm(self_ptr self, caf::actor_clock::time_point due) {
  auto& st = self->state;
  ++st.generation;
  st.armed = true;
  st.armed_for = due;
  auto now = self->clock().now();
  if (due <= now)
    self->send(self, tick_atom::value, st.generation);
  else
    self->delayed_send(self, due - now, tick_atom::value, st.generation);
}

void fire_due(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  while (!st.heap.empty() && st.heap.top().due <= now) {
    const auto& top = st.heap.top();
    self->send(top.client, timeout_atom::value, top.cookie);
    ++st.fired;
    st.heap.pop();
  }
}

} // namespace

timer_actor::behavior_type timer_wheel(timer_actor::stateful_pointer<timer_wheel_state> self, time_base times) {
  self->state.times = times;
  return guarded_behavior<timer_actor::behavior_type>(
    "the timer wheel",
    [=](schedule_atom, const timer_request& req, const timer_client_actor& client) {
      auto& st = self->state;
      auto due = st.times.clock_time(req.at);
      st.heap.push({due, st.next_order++, client, req.cookie});
      if (!st.armed || due < st.armed_for)
        arm(self, due);
    },
    [=](tick_atom, std::uint64_t generation) {
      auto& st = self->state;
      if (generation != st.generation)
        return;
      st.armed = false;
      fire_due(self);
      if (!st.heap.empty())
        arm(self, st.heap.top().due);
    }
  );
}

} // namespace actas::actors
