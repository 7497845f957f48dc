#include "actors/registry.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/guarded.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "actors/user.hpp"
#include "crypto/crypto.hpp"

namespace actas::actors {

namespace detail {

domain::timestamp now(registry_self self) {
  return self->state.deps.times.wall(self->clock().now());
}

user_actor user_actor_of(registry_self self, const id& user_id) {
  auto& known = self->state.user_actors;
  if (auto i = known.find(user_id); i != known.end())
    return i->second;
  auto handle = self->spawn<caf::linked>(user, user_id);
  known.emplace(user_id, handle);
  return handle;
}

} // namespace detail

namespace {

void load(registry_state& st, store::snapshot& snap) {
  for (auto& r : snap.realms)
    st.dir.put_realm(std::move(r));
  for (auto& p : snap.portals)
    st.dir.put_portal(std::move(p));
  for (auto& u : snap.users)
    st.dir.put_user(std::move(u));
  for (auto& [portal_id, patch] : snap.settings)
    st.dir.put_settings(portal_id, std::move(patch));
  for (auto& t : snap.live_tokens) {
    auto hash = t.hash;
    st.tokens.emplace(std::move(hash), std::move(t));
  }
}

/// The most notifications a resuming tab is sent before its live frames: fewer than a tab's outbound queue
/// holds (net::max_queued_frames), so a replay never closes the tab it serves. A client further behind
/// reads the rest from GET /v1/notifications.
constexpr int max_resume_notes = 200;

/// Sends `tab` the notifications of `user_id` after `after_id` (SPEC §6 resume) and returns where the tab
/// then stands (nullopt: `after_id` is not the user's). Runs on the registry, which is the one sender of
/// notification pushes to user actors: a note committed before this read is in the replay, one pushed
/// after it reaches the tab live, and one that is both (its writer's push, or this node's poll, still on
/// its way) the user actor does not send again.
std::optional<resume_point> replay(registry_self self, const socket_actor& tab, const id& user_id, const id& after_id) {
  auto& reader = *self->state.deps.reader;
  auto mark = reader.find_notification(user_id, after_id);
  if (!mark) {
    self->send(tab, live_event{error_frame{domain::errc::not_found}});
    return std::nullopt;
  }
  resume_point at{mark->created_at, mark->notification_id, {}};
  auto missed = reader.notifications_after(user_id, mark->created_at, mark->notification_id, max_resume_notes);
  const auto unread = missed.empty() ? 0 : reader.unread_count(user_id);
  for (auto& n : missed) {
    at.replayed.push_back(n.notification_id);
    self->send(tab, live_event{notification_pushed{std::move(n), unread}});
  }
  return at;
}

/// A tab whose token is not (or no longer) valid is closed as a policy violation. `resume_after` (empty:
/// none) replays what a reconnecting tab missed; impersonation tabs have no inbox of their own to replay.
void attach(registry_self self, const socket_actor& tab, const std::string& token_hash,
            const std::string& resume_after = {}) {
  auto who = detail::authenticate(self, token_hash);
  if (who.error == domain::errc::node_stale) {
    self->send(tab, live_event{socket_close{1012, "this node is catching up; reconnect"}});
    return;
  }
  if (who.error) {
    self->send(tab, live_event{socket_close{1008, "token not valid"}});
    return;
  }
  self->send(tab, live_event{detail::hello_for(self, who.who)});
  if (who.who.session_id) {
    auto i = self->state.sessions.find(*who.who.session_id);
    if (i != self->state.sessions.end() && i->second.handle) {
      self->send(i->second.handle, attach_atom::value, tab, token_hash);
      return;
    }
    self->send(tab, live_event{socket_close{1008, "impersonation ended"}});
    return;
  }
  if (resume_after.empty()) {
    self->send(detail::user_actor_of(self, who.who.user_id), attach_atom::value, tab, token_hash);
    return;
  }
  auto user = detail::user_actor_of(self, who.who.user_id);
  if (auto resumed = replay(self, tab, who.who.user_id, resume_after))
    self->send(user, attach_atom::value, tab, token_hash, std::move(*resumed));
  else
    self->send(user, attach_atom::value, tab, token_hash);
}

} // namespace

registry_actor::behavior_type registry(registry_self self, registry_deps deps, store::snapshot snap) {
  self->state.deps = std::move(deps);
  self->state.node_id = crypto::random_id("node_");
  self->state.checks = domain::check_queue{std::max<std::size_t>(self->state.deps.max_password_checks, 1)};
  load(self->state, snap);
  self->set_down_handler(
    guarded("the registry", [=](const caf::down_msg& down) { detail::forget_dashboard_tab(self, down.source); }));
  detail::resume(self, std::move(snap.active_sessions));
  detail::resume_support(self, std::move(snap.pending_requests), std::move(snap.active_grants));
  self->delayed_send(self, self->state.deps.sweep_every, sweep_atom::value);
  if (detail::shares_database(self->state)) {
    detail::follow_from_now(self, std::move(snap.chain_seq));
    // Counted among the live nodes at once, as having followed nothing yet: a change answered from now on
    // waits for this node's first round (its snapshot may predate the change).
    detail::record_progress(self, domain::timestamp{});
    self->delayed_send(self, self->state.deps.follow_every, follow_atom::value);
  }
  return guarded_behavior<registry_actor::behavior_type>(
    "the registry",
    [=](auth_atom, const std::string& token_hash) { return detail::authenticate(self, token_hash); },
    [=](mint_atom, const id& user_id) { return detail::mint_user_token(self, user_id); },
    [=](start_atom, const start_command& cmd) { return detail::start(self, cmd); },
    [=](end_atom, const end_command& cmd) { return detail::end(self, cmd); },
    [=](find_atom, const std::string& token_hash, const id& session_id) {
      return detail::find(self, token_hash, session_id);
    },
    [=](expire_atom, const id& session_id) {
      auto i = self->state.sessions.find(session_id);
      // A session already ended by hand (or by a right removed) is gone: the deadline is stale.
      if (i == self->state.sessions.end() || !i->second.handle)
        return;
      detail::ending how;
      how.why = domain::end_reason::expired;
      how.at = i->second.session.expires_at;
      detail::finish(self, session_id, std::move(how), nullptr);
    },
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash) { attach(self, tab, token_hash); },
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash, const std::string& resume_after) {
      attach(self, tab, token_hash, resume_after);
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.commits.complete(n, ok); },
    [=](login_atom, const login_command& cmd) { return detail::login(self, cmd); },
    [=](checked_atom, std::uint64_t attempt, bool matched) { detail::password_checked(self, attempt, matched); },
    [=](logout_atom, const std::string& token_hash, const std::string& ip) {
      return detail::logout(self, token_hash, ip);
    },
    [=](me_atom, const std::string& token_hash) { return detail::me(self, token_hash); },
    [=](list_atom, const std::string& token_hash, const sessions_query& q) {
      return detail::list_sessions(self, token_hash, q);
    },
    [=](audit_atom, const std::string& token_hash, const domain::audit_query& q) {
      return detail::audit(self, token_hash, q);
    },
    [=](verify_atom, const std::string& token_hash, const std::string& chain) {
      return detail::verify(self, token_hash, chain);
    },
    [=](ticket_atom, const std::string& token_hash) { return detail::issue_ticket(self, token_hash); },
    [=](redeem_atom, const std::string& ticket) { return detail::redeem_ticket(self, ticket); },
    [=](settings_atom, const caller_ref& c, const id& portal_id) { return detail::read_settings(self, c, portal_id); },
    [=](settings_atom, const caller_ref& c, const id& portal_id, const domain::settings_patch& patch) {
      return detail::change_settings(self, c, portal_id, patch);
    },
    [=](authorize_atom, const authorize_command& cmd) { return detail::authorize(self, cmd); },
    [=](prefs_atom, const std::string& token_hash) { return detail::read_preferences(self, token_hash); },
    [=](prefs_atom, const std::string& token_hash, const std::string& json) {
      return detail::write_preferences(self, token_hash, json);
    },
    [=](inbox_atom, const std::string& token_hash, bool unread_only, std::int32_t limit) {
      return detail::inbox(self, token_hash, unread_only, limit);
    },
    [=](read_atom, const std::string& token_hash, const id& notification_id) {
      return detail::mark_read(self, token_hash, notification_id);
    },
    [=](users_atom, const caller_ref& c, const domain::user_filter& f, std::int32_t limit) {
      return detail::list_users(self, c, f, limit);
    },
    [=](create_atom, const caller_ref& c, const domain::new_user& u) { return detail::create_user(self, c, u); },
    [=](update_atom, const caller_ref& c, const id& user_id, const domain::user_patch& patch) {
      return detail::update_user(self, c, user_id, patch);
    },
    [=](realm_atom, const caller_ref& c, const domain::new_realm& r) { return detail::create_realm(self, c, r); },
    [=](portal_atom, const caller_ref& c, const domain::new_portal& p) { return detail::create_portal(self, c, p); },
    [=](introspect_atom, const caller_ref& c, const std::string& token_hash) {
      return detail::introspect(self, c, token_hash);
    },
    [=](metrics_atom, const caller_ref& c) { return detail::counts(self, c); },
    [=](request_atom, const request_command& cmd) { return detail::create_request(self, cmd); },
    [=](deny_atom, const std::string& token_hash, const id& request_id, const std::string& ip) {
      return detail::close_request(self, token_hash, request_id, domain::request_state::denied, ip);
    },
    [=](cancel_atom, const std::string& token_hash, const id& request_id, const std::string& ip) {
      return detail::close_request(self, token_hash, request_id, domain::request_state::cancelled, ip);
    },
    [=](grant_atom, const grant_command& cmd) { return detail::create_grants(self, cmd); },
    [=](revoke_atom, const std::string& token_hash, const std::vector<id>& ids, const std::string& ip) {
      return detail::revoke_grants(self, token_hash, ids, ip);
    },
    [=](gtoken_atom, const std::string& token_hash, const id& grant_id) {
      return detail::grant_token(self, token_hash, grant_id);
    },
    [=](access_atom, const std::string& token_hash) { return detail::access(self, token_hash); },
    [=](glog_atom, const std::string& token_hash, const id& grant_id) {
      return detail::grant_log(self, token_hash, grant_id);
    },
    [=](due_atom, const id& owner, std::uint64_t cookie) { detail::support_due(self, owner, cookie); },
    [=](ended_atom, const id& entity_id, bool written) {
      if (self->state.ending_sessions.contains(entity_id))
        detail::session_end_durable(self, entity_id, written);
      else
        detail::grant_end_durable(self, entity_id, written);
    },
    [=](mygrants_atom, const std::string& token_hash) { return detail::own_grants(self, token_hash); },
    [=](subscribe_atom, const socket_actor& tab, const std::string& token_hash) {
      detail::subscribe(self, tab, token_hash);
    },
    // The next round is armed first: a round that throws (a database that cannot be read now) is logged
    // by the guard and tried again next time.
    [=](sweep_atom) {
      self->delayed_send(self, self->state.deps.sweep_every, sweep_atom::value);
      detail::sweep(self);
      detail::flush_denials(self);
    },
    [=](follow_atom) {
      self->delayed_send(self, self->state.deps.follow_every, follow_atom::value);
      detail::follow_other_nodes(self);
    },
    [=](settled_atom) -> caf::result<bool> { return detail::settled(self); },
    [=](ring_atom) { detail::follow_soon(self); },
    [=](ring_atom, follow_atom) {
      self->state.round_scheduled = false;
      detail::follow_other_nodes(self);
    },
    [=](settled_atom, follow_atom) { detail::check_settled(self); });
}

} // namespace actas::actors
