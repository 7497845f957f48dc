#include "actors/grant.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

using grant_self = grant_actor::stateful_pointer<grant_actor_state>;

/// The end's transaction: the grant is re-read (FOR UPDATE on PostgreSQL) and its end written only if it
/// is still live there. Another node that loaded the same grant may have revoked it, or its own timer
/// expired it, first: then nothing is written and nothing announced, so a grant ends once, with one event
/// and one set of notifications.
store::writer::job end_job(const grant_end& e, std::shared_ptr<bool> written) {
  return [e, written](store::transaction& tx) {
    *written = false;  // a run after a deadlock or a failed write starts over
    auto stored = tx.find_grant(e.grant.grant_id);
    if (!stored || stored->state != domain::grant_state::active)
      return;
    tx.put_grant(e.grant);
    tx.revoke_user_tokens(e.grant.temp_admin, *e.grant.ended_at);
    if (e.tombstone)
      tx.put_user(*e.tombstone);
    for (const auto& n : e.notes)
      tx.put_notification(n);
    tx.append_audit(e.event);
    *written = true;
  };
}

void arm_retry(grant_self self) {
  auto& st = self->state;
  if (st.retry_armed)
    return;
  st.retry_armed = true;
  self->delayed_send(self, st.deps.retry_after, retry_atom::value);
}

/// Writes the end unless a write of it is in flight or it is durable. Once durable the registry hears of
/// it (it announces the end, then stops this actor) before the waiters do; a failed write is tried again.
void write_end(grant_self self) {
  auto& st = self->state;
  if (st.writing || !st.end || st.durable)
    return;
  st.writing = true;
  st.commits.submit(*st.deps.writer, caf::actor_cast<grant_actor>(self), end_job(*st.end, st.written),
                    [self](bool ok) {
                      auto& st = self->state;
                      st.writing = false;
                      auto waiters = std::move(st.waiters);
                      st.waiters.clear();
                      bool written = ok && *st.written;
                      st.durable = ok;
                      if (ok)
                        self->send(st.deps.registry, ended_atom::value, st.grant_id, written);
                      else
                        arm_retry(self);
                      for (auto& w : waiters)
                        w.deliver(ok, written);
                    });
}

} // namespace

grant_actor::behavior_type grant(grant_self self, id grant_id, std::vector<timer_request> deadlines, grant_deps deps) {
  auto& st = self->state;
  st.grant_id = std::move(grant_id);
  st.deps = std::move(deps);
  auto me = caf::actor_cast<timer_client_actor>(self);
  for (const auto& d : deadlines)
    self->send(st.deps.timers, schedule_atom::value, d, me);
  return {
    [=](timeout_atom, std::uint64_t cookie) {
      // Once the end is decided the deadlines mean nothing (an expiry is not decided twice).
      if (!self->state.end)
        self->send(self->state.deps.registry, due_atom::value, self->state.grant_id, cookie);
    },
    [=](end_atom, const grant_end& e) -> caf::result<bool, bool> {
      auto& st = self->state;
      if (!st.end)
        st.end = e;  // the registry decides an end once; a second one would be its mistake, not a new end
      auto rp = self->make_response_promise<bool, bool>();
      st.waiters.push_back(rp);
      write_end(self);
      return rp;
    },
    [=](end_atom) -> caf::result<bool, bool> {
      // Asked after the end became durable (the registry had not yet heard): that write was the earlier
      // revoke's, so this one ended nothing.
      if (self->state.durable)
        return {true, false};
      if (!self->state.end)
        return {false, false};  // nothing decided to wait for (the registry asks only after deciding)
      auto rp = self->make_response_promise<bool, bool>();
      self->state.waiters.push_back(rp);
      write_end(self);
      return rp;
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.commits.complete(n, ok); },
    [=](retry_atom) {
      self->state.retry_armed = false;
      write_end(self);
    },
  };
}

} // namespace actas::actors
