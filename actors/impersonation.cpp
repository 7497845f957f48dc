#include "actors/impersonation.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

using self_ptr = impersonation_actor::stateful_pointer<impersonation_state>;

live_event banner(self_ptr self, const char* kind) {
  const auto& st = self->state;
  return live_event{banner_set{kind, st.session, st.actor_name, st.target_name, std::nullopt}};
}

} // namespace

impersonation_actor::behavior_type impersonation(self_ptr self, domain::impersonation_session session,
                                                 std::string actor_name, std::string target_name,
                                                 registry_actor registry, timer_actor timers) {
  auto& st = self->state;
  st.session = std::move(session);
  st.actor_name = std::move(actor_name);
  st.target_name = std::move(target_name);
  st.registry = std::move(registry);
  auto me = caf::actor_cast<timer_client_actor>(self);
  self->send(timers, schedule_atom::value, timer_request{st.session.warn_at, warn_cookie}, me);
  self->send(timers, schedule_atom::value, timer_request{st.session.expires_at, expire_cookie}, me);
  self->set_down_handler([=](const caf::down_msg& down) { self->state.tabs.remove(down.source); });
  return {
    [=](timeout_atom, std::uint64_t cookie) {
      auto& st = self->state;
      if (cookie == warn_cookie && !st.warned && st.session.warn_at < st.session.expires_at) {
        st.warned = true;
        st.tabs.push(self, banner(self, "ending_soon"));
      } else if (cookie == expire_cookie) {
        self->send(st.registry, expire_atom::value, st.session.session_id);
      }
    },
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash) {
      self->monitor(tab);
      self->state.tabs.add(tab, token_hash);
      tab_set::push_one(self, tab, banner(self, "impersonating"));
      if (self->state.warned)
        tab_set::push_one(self, tab, banner(self, "ending_soon"));
    },
    [=](ended_atom, const domain::impersonation_session& ended) {
      auto& st = self->state;
      st.session = ended;
      st.tabs.push(self, live_event{session_closed{ended}});
      // Only an end the actor asked for itself is a normal close. Any other (the deadline, the target, a
      // superadmin, a right removed, the grant or the actor's login gone) killed the tab's token under it:
      // SPEC §4 "when its token dies, the socket closes 1008".
      bool normal = ended.ended_because == domain::end_reason::ended_by_actor;
      st.tabs.push(self, live_event{socket_close{static_cast<std::uint16_t>(normal ? 1000 : 1008), "impersonation ended"}});
      self->quit();
    },
  };
}

} // namespace actas::actors
