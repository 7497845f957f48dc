#include "actors/support_timer.hpp"

#include <caf/all.hpp>

namespace actas::actors {

support_timer_actor::behavior_type support_timer(support_timer_actor::stateful_pointer<support_timer_state> self,
                                                id owner, std::vector<timer_request> deadlines,
                                                registry_actor registry, timer_actor timers) {
  auto me = caf::actor_cast<timer_client_actor>(self);
  for (const auto& d : deadlines)
    self->send(timers, schedule_atom::value, d, me);
  return {
    [=](timeout_atom, std::uint64_t cookie) { self->send(registry, due_atom::value, owner, cookie); },
    [=](stop_atom) { self->quit(); },
  };
}

} // namespace actas::actors
