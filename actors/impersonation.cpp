#include "actors/impersonation.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

using self_ptr = impersonation_actor::stateful_pointer<impersonation_state>;

live_event banner(self_ptr self, const char* kind) {
  const auto& st = self->state;
  return live_event{banner_set{kind, st.session, st.actor_name, st.target_name, std::nullopt}};
}

/// The end's transaction: the session is re-read (FOR UPDATE on PostgreSQL) and its end written only if
/// it is still active there. Another node that loaded the same session at its start may have ended it
/// first (its expiry timer, an end through it): then this end writes nothing, so a session ends once,
/// with one event.
end_writer::write_if_live end_job(session_end e) {
  return [e = std::move(e)](store::transaction& tx) {
    const auto& s = e.session;
    auto stored = tx.find_session(s.session_id);
    if (!stored || !stored->active())
      return false;
    tx.put_session(s);
    tx.revoke_session_tokens(s.session_id, *s.ended_at);
    for (const auto& n : e.notes)
      tx.put_notification(n);
    tx.append_audit(e.event);
    return true;
  };
}

/// The end is durable: the tabs learn `session_ended` and close, then the registry announces the end
/// elsewhere (the target's banner, dashboards, notes) and stops this actor.
void close_tabs(self_ptr self, bool written) {
  auto& st = self->state;
  st.tabs.push(self, live_event{session_closed{st.session}});
  // Only an end the actor asked for itself is a normal close. Any other (the deadline, the target, a
  // superadmin, a right removed, the grant or the actor's login gone) killed the tab's token under it:
  // SPEC §4 "when its token dies, the socket closes 1008".
  bool normal = st.session.ended_because == domain::end_reason::ended_by_actor;
  st.tabs.push(self, live_event{socket_close{static_cast<std::uint16_t>(normal ? 1000 : 1008), "impersonation ended"}});
  self->send(st.deps.registry, ended_atom::value, st.session.session_id, written);
}

} // namespace

impersonation_actor::behavior_type impersonation(self_ptr self, domain::impersonation_session session,
                                                 std::string actor_name, std::string target_name, entity_deps deps) {
  auto& st = self->state;
  st.session = std::move(session);
  st.actor_name = std::move(actor_name);
  st.target_name = std::move(target_name);
  st.deps = std::move(deps);
  auto me = caf::actor_cast<timer_client_actor>(self);
  self->send(st.deps.timers, schedule_atom::value, timer_request{st.session.warn_at, warn_cookie}, me);
  self->send(st.deps.timers, schedule_atom::value, timer_request{st.session.expires_at, expire_cookie}, me);
  self->set_down_handler([=](const caf::down_msg& down) { self->state.tabs.remove(down.source); });
  return guarded_behavior<impersonation_actor::behavior_type>(
    "a session's actor",
    [=](timeout_atom, std::uint64_t cookie) {
      auto& st = self->state;
      // Once the end is decided the deadlines mean nothing (an expiry is not decided twice).
      if (st.end.decided())
        return;
      if (cookie == warn_cookie && !st.warned && st.session.warn_at < st.session.expires_at) {
        st.warned = true;
        st.tabs.push(self, banner(self, "ending_soon"));
      } else if (cookie == expire_cookie) {
        self->send(st.deps.registry, expire_atom::value, st.session.session_id);
      }
    },
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash) {
      self->monitor(tab);
      self->state.tabs.add(tab, token_hash);
      tab_set::push_one(self, tab, banner(self, "impersonating"));
      if (self->state.warned)
        tab_set::push_one(self, tab, banner(self, "ending_soon"));
    },
    [=](end_atom, const session_end& e) -> caf::result<bool, bool> {
      auto& st = self->state;
      if (!st.end.decided())
        st.session = e.session;
      st.end.decide(end_job(e), [self](bool written) { close_tabs(self, written); });
      return st.end.wait_and_write<impersonation_actor>(self, st.deps);
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.end.complete(n, ok); },
    [=](retry_atom) { self->state.end.retry<impersonation_actor>(self, self->state.deps); },
    [=](drop_atom, const std::string& token_hash, std::uint16_t code) {
      self->state.tabs.close_token(self, token_hash, code, "this node is catching up; reconnect");
    },
    [=](stop_atom) { self->quit(); }
  );
}

} // namespace actas::actors
