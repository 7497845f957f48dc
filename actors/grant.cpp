#include "actors/grant.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

using grant_self = grant_actor::stateful_pointer<grant_actor_state>;

/// The end's transaction: the grant is re-read (FOR UPDATE on PostgreSQL) and its end written only if it
/// is still live there. Another node that loaded the same grant may have revoked it, or its own timer
/// expired it, first: then nothing is written and nothing announced, so a grant ends once, with one event
/// and one set of notifications.
end_writer::write_if_live end_job(grant_end e) {
  return [e = std::move(e)](store::transaction& tx) {
    auto stored = tx.find_grant(e.grant.grant_id);
    if (!stored || stored->state != domain::grant_state::active)
      return false;
    tx.put_grant(e.grant);
    tx.revoke_user_tokens(e.grant.temp_admin, *e.grant.ended_at);
    if (e.tombstone)
      tx.put_user(*e.tombstone);
    for (const auto& n : e.notes)
      tx.put_notification(n);
    tx.append_audit(e.event);
    return true;
  };
}

} // namespace

grant_actor::behavior_type grant(grant_self self, id grant_id, std::vector<timer_request> deadlines, entity_deps deps) {
  auto& st = self->state;
  st.grant_id = std::move(grant_id);
  st.deps = std::move(deps);
  auto me = caf::actor_cast<timer_client_actor>(self);
  for (const auto& d : deadlines)
    self->send(st.deps.timers, schedule_atom::value, d, me);
  return guarded_behavior<grant_actor::behavior_type>(
    "a grant's actor",
    [=](timeout_atom, std::uint64_t cookie) {
      // Once the end is decided the deadlines mean nothing (an expiry is not decided twice).
      if (!self->state.end.decided())
        self->send(self->state.deps.registry, due_atom::value, self->state.grant_id, cookie);
    },
    [=](end_atom, const grant_end& e) -> caf::result<bool, bool> {
      auto& st = self->state;
      // Once durable the registry hears of it (it announces the end, then stops this actor) before the
      // waiters do. The registry decides an end once; a second one would be its mistake, not a new end.
      st.end.decide(end_job(e), [self](bool written) {
        self->send(self->state.deps.registry, ended_atom::value, self->state.grant_id, written);
      });
      return st.end.wait_and_write<grant_actor>(self, st.deps);
    },
    [=](end_atom) -> caf::result<bool, bool> {
      auto& st = self->state;
      // Asked after the end became durable (the registry had not yet heard): that write was the earlier
      // revoke's, so this one ended nothing.
      if (st.end.durable())
        return {true, false};
      if (!st.end.decided())
        return {false, false};  // nothing decided to wait for (the registry asks only after deciding)
      return st.end.wait_and_write<grant_actor>(self, st.deps);
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.end.complete(n, ok); },
    [=](retry_atom) { self->state.end.retry<grant_actor>(self, self->state.deps); },
    [=](stop_atom) { self->quit(); }
  );
}

} // namespace actas::actors
