#include "actors/pending_request.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

#include "actors/decision_view.hpp"

namespace actas::actors {

namespace {

using domain::errc;
using request_self = request_actor::stateful_pointer<pending_request_state>;

const refusal no_longer_pending{errc::session_ended, {}, "the request is no longer pending"};

/// The lapse is due: the registry decides what it says, unless a decision is in flight (then it waits for
/// that one's outcome) or the request is closed.
void lapse_due(request_self self) {
  auto& st = self->state;
  if (st.closed)
    return;
  if (st.deciding) {
    st.lapse_due = true;
    return;
  }
  self->send(st.deps.registry, due_atom::value, st.request_id, lapse_cookie);
}

/// A decision came back without closing the request: it is pending again, and a lapse that fell due
/// meanwhile is asked for now.
void pending_again(request_self self) {
  auto& st = self->state;
  st.deciding = false;
  if (std::exchange(st.lapse_due, false))
    lapse_due(self);
}

} // namespace

void decide_close(store::transaction& tx, const request_close& close, close_outcome& outcome) {
  outcome = {};  // a run after a deadlock starts over (store::writer::job)
  outcome.durable = true;
  auto stored = tx.find_request(close.request.request_id);
  outcome.no_longer_pending = !stored || !stored->pending();
  if (close.caller_id) {
    auto committed = read_in(tx, close.tree, {*close.caller_id});
    if (auto gone = caller_gone(committed, *close.caller_id)) {
      outcome.refused = refusal{*gone, {}, {}};
      return;
    }
    const auto& caller = *committed.find_user(*close.caller_id);
    bool may = close.request.state == domain::request_state::denied
                 ? domain::is_superadmin_of(caller, close.request.realm_id)
                 : caller.user_id == close.request.support_user;
    if (!may) {
      outcome.refused = refusal{errc::not_found, {}, {}};
      return;
    }
  }
  if (outcome.no_longer_pending) {
    outcome.refused = no_longer_pending;
    return;
  }
  tx.put_request(close.request);
  for (const auto& n : close.notes)
    tx.put_notification(n);
  tx.append_audit(close.event);
}

request_actor::behavior_type pending_request(request_self self, id request_id, domain::timestamp lapses_at,
                                             entity_deps deps) {
  auto& st = self->state;
  st.request_id = std::move(request_id);
  st.deps = std::move(deps);
  self->send(st.deps.timers, schedule_atom::value, timer_request{lapses_at, lapse_cookie},
             caf::actor_cast<timer_client_actor>(self));
  return guarded_behavior<request_actor::behavior_type>(
    "a support request's actor",
    [=](timeout_atom, std::uint64_t) { lapse_due(self); },
    [=](take_atom) {
      auto& st = self->state;
      if (st.closed || st.deciding)
        return false;
      st.deciding = true;
      return true;
    },
    [=](release_atom) { pending_again(self); },
    [=](close_atom, const request_close& close) -> caf::result<close_outcome> {
      auto& st = self->state;
      if (st.closed || st.deciding) {
        // A lapse that reaches the request while another decision is in flight waits for that one: it is
        // asked for again if the decision is not written (its timer may have fired before the decision).
        if (!st.closed && !close.caller_id)
          st.lapse_due = true;
        return close_outcome{true, no_longer_pending, false};
      }
      st.deciding = true;
      auto rp = self->make_response_promise<close_outcome>();
      st.closing = rp;
      auto outcome = std::make_shared<close_outcome>();
      bool is_lapse = !close.caller_id;
      st.commits.submit(*st.deps.writer, caf::actor_cast<request_actor>(self),
                        [close, outcome](store::transaction& tx) { decide_close(tx, close, *outcome); },
                        [self, rp, outcome, is_lapse](bool ok) mutable {
                          auto& st = self->state;
                          st.closing.reset();
                          // What the job found counts only once its transaction committed.
                          auto result = ok ? *outcome : close_outcome{};
                          if (result.durable && (!result.refused || result.no_longer_pending)) {
                            st.deciding = false;
                            st.closed = true;
                          } else if (!ok && is_lapse) {
                            // The log refused the lapse: asked for again after `retry_after`, not at once
                            // (the deadline has passed, so an immediate lapse would spin on the writer).
                            st.deciding = false;
                            if (!std::exchange(st.retry_armed, true))
                              self->delayed_send(self, st.deps.retry_after, retry_atom::value);
                          } else {
                            pending_again(self);
                          }
                          rp.deliver(result);
                        });
      return rp;
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.commits.complete(n, ok); },
    [=](retry_atom) {
      self->state.retry_armed = false;
      lapse_due(self);
    },
    [=](stop_atom) {
      // Stopped while a close is in flight: the request was decided another way first (an allow written
      // through the registry), so that close's transaction finds it decided; its asker must not wait for
      // ever on an actor that is gone.
      if (auto& closing = self->state.closing; closing && closing->pending())
        closing->deliver(close_outcome{true, no_longer_pending, true});
      self->quit();
    }
  );
}

} // namespace actas::actors
