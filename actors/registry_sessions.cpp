/// Impersonation sessions in the registry: start, end, read, expiry, resume after a restart.
#include <algorithm>
#include <tuple>

#include <caf/all.hpp>

#include "actors/decision_view.hpp"
#include "actors/guarded.hpp"
#include "actors/impersonation.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "crypto/crypto.hpp"
#include "domain/end_rules.hpp"
#include "domain/notification.hpp"
#include "domain/session_events.hpp"
#include "domain/start_rules.hpp"

namespace actas::actors::detail {

namespace {

using domain::errc;
using domain::impersonation_session;

std::string portal_name(const domain::directory& dir, const std::optional<id>& portal_id) {
  const auto* p = portal_id ? dir.find_portal(*portal_id) : nullptr;
  return p ? p->name : std::string{};
}

domain::realm_settings settings_of(const domain::directory& dir, const impersonation_session& s) {
  return s.portal ? dir.effective_settings(*s.portal) : domain::default_settings();
}

domain::realm_settings settings_of(const domain::directory& dir, const domain::user& target) {
  return target.home_portal ? dir.effective_settings(*target.home_portal) : domain::default_settings();
}

/// A start on its way through the writer: what the request asked, with the ids and the token chosen on
/// arrival; the job fills in the decision (refused, or the session, token expiry and notes it wrote).
struct start_plan {
  id session_id;
  id note_id;
  id caller_id;
  id target_id;
  std::optional<std::string> reason;
  std::optional<std::string> return_to;
  std::string ip;
  domain::timestamp at{};
  std::optional<id> via;       ///< a temporary admin's support user
  std::optional<id> grant_id;  ///< a temporary admin's grant
  portal_tree tree;
  std::vector<id> settings_path;
  domain::token_record token;
  // The decision:
  std::optional<errc> refused;
  impersonation_session session;
  std::vector<domain::notification> notes;
  bool show_live = false;
};

void index(registry_state& st, live_session live) {
  const auto& s = live.session;
  st.session_of_actor[s.actor] = s.session_id;
  st.sessions_of_target[s.target].insert(s.session_id);
  st.sessions.emplace(s.session_id, std::move(live));
}

void unindex(registry_state& st, const impersonation_session& s) {
  if (auto i = st.session_of_actor.find(s.actor); i != st.session_of_actor.end() && i->second == s.session_id)
    st.session_of_actor.erase(i);
  if (auto i = st.sessions_of_target.find(s.target); i != st.sessions_of_target.end()) {
    i->second.erase(s.session_id);
    if (i->second.empty())
      st.sessions_of_target.erase(i);
  }
  st.sessions.erase(s.session_id);
}

impersonation_actor spawn_session(registry_self self, const impersonation_session& s) {
  const auto& dir = self->state.dir;
  return self->spawn<caf::linked>(impersonation, s, name_of(dir, s.actor), name_of(dir, s.target),
                                  entity_deps_of(self));
}

banner_set being_viewed(const domain::directory& dir, const impersonation_session& s) {
  return {"being_viewed", s, name_of(dir, s.actor), name_of(dir, s.target), std::nullopt};
}

/// Reads a session wherever it is: running, ending, or (ended) in the store.
std::optional<impersonation_session> lookup(registry_self self, const id& session_id) {
  auto& st = self->state;
  if (auto i = st.sessions.find(session_id); i != st.sessions.end())
    return i->second.handle ? std::optional{i->second.session} : std::nullopt;
  if (auto i = st.ending_sessions.find(session_id); i != st.ending_sessions.end())
    return i->second.session;
  return st.deps.reader->find_session(session_id);
}

/// Decides a start inside the writer's transaction and, when the rules still allow it, writes it: the
/// session, its token, the target's note and the audit event, all made from the state read here.
void decide_start(store::transaction& tx, start_plan& plan) {
  // A run after a deadlock starts over (store::writer::job).
  plan.refused.reset();
  plan.notes.clear();
  plan.show_live = false;
  std::vector<id> users{plan.caller_id, plan.target_id};
  if (plan.via)
    users.push_back(*plan.via);
  auto committed = read_in(tx, plan.tree, users, plan.settings_path);
  // A caller (or the support user behind a temporary admin) deactivated meanwhile no longer acts; a
  // logout meanwhile killed the token it asked with; a temporary admin's grant that ended meanwhile took
  // its tokens with it.
  auto gone = caller_gone(committed, plan.caller_id);
  if (!gone && plan.token.parent_hash) {
    auto parent = tx.find_token(*plan.token.parent_hash);
    if (!parent || parent->revoked_at || parent->expires_at <= plan.at)
      gone = errc::unauthenticated;
  }
  if (!gone && plan.via)
    gone = caller_gone(committed, *plan.via);
  if (!gone && plan.grant_id) {
    auto g = tx.find_grant(*plan.grant_id);
    if (!g || !g->active() || g->expires_at <= plan.at)
      gone = errc::unauthenticated;
  }
  if (gone) {
    plan.refused = gone;
    return;
  }
  domain::start_request req;
  req.caller = committed.find_user(plan.caller_id);
  req.target_id = plan.target_id;
  // The busy rules on the committed sessions: another node's start for this actor or target, committed
  // while this one waited for the users' row locks, is seen here (the registry's reservation covers only
  // this node's starts).
  req.caller_busy = tx.actor_busy(plan.caller_id);
  req.target_busy = tx.target_busy(plan.target_id);
  req.reason = plan.reason;
  req.return_to = plan.return_to;
  auto verdict = domain::check_start(committed, req);
  if (!verdict.allowed()) {
    plan.refused = verdict.code;
    return;
  }
  const auto& target = *verdict.target;
  auto settings = settings_of(committed, target);
  auto& s = plan.session;
  s = domain::open_session(plan.session_id, *req.caller, target, verdict.reason, plan.return_to,
                           settings.impersonation.max_duration_s, settings.impersonation.warn_before_s, plan.at);
  s.via = plan.via;
  s.grant_id = plan.grant_id;
  plan.token.expires_at = s.expires_at;
  plan.show_live = settings.impersonation.show_target_live;
  auto values = domain::session_values(s, name_of(committed, s.actor), name_of(committed, s.target),
                                       portal_name(committed, s.portal));
  if (auto text = domain::render_notification(settings, domain::notification_kind::impersonation_started, values))
    plan.notes.push_back({plan.note_id, s.target, domain::notification_kind::impersonation_started, text->title,
                          text->body, plan.at, false});
  tx.put_session(s);
  tx.put_token(plan.token);
  for (const auto& n : plan.notes)
    tx.put_notification(n);
  tx.append_audit(domain::start_event(s, plan.ip));
}

} // namespace

namespace {

/// How far back a note written here looks for its user's notes written elsewhere and not yet pushed here:
/// the follow poll's own overlap (a note older than that has been pushed by a round already).
constexpr std::int64_t earlier_notes_window_s = 5;
constexpr int earlier_notes_at_most = 100;

void push_one_note(registry_self self, const domain::notification& n, bool shared) {
  auto& st = self->state;
  // On a shared database the follow poll may find a note before its writer's continuation pushes it
  // (or after): whichever comes first pushes it, the other finds it pushed.
  if (shared && st.pushed_notes.contains(n.notification_id))
    return;
  auto unread = st.deps.reader->unread_count(n.user_id);
  self->send(user_actor_of(self, n.user_id), push_atom::value, live_event{notification_pushed{n, unread}});
  if (shared)
    st.pushed_notes.emplace(n.notification_id, n.created_at);
}

/// Pushes the notes of `n`'s user that other nodes wrote before `n` and that this node has not pushed yet
/// (SPEC §8: every frame in order). A change answered by one node and followed by another's change for
/// the same user would otherwise reach this node's tabs in the wrong order: its own note at once, the
/// earlier one a poll round later.
void push_earlier_notes(registry_self self, const domain::notification& n) {
  auto& st = self->state;
  if (!st.user_actors.contains(n.user_id))
    return;  // no tab of this user here
  // Not before what pushed_notes still remembers: an older note, pushed or not, is the poll's business,
  // and pushing it again here would repeat it on a slow node (its entry already forgotten).
  const auto since = std::max(domain::seconds_after(n.created_at, -earlier_notes_window_s), st.pushed_since);
  for (const auto& earlier : st.deps.reader->notifications_after(n.user_id, since, {}, earlier_notes_at_most)) {
    if (std::tie(earlier.created_at, earlier.notification_id) >= std::tie(n.created_at, n.notification_id))
      break;
    push_one_note(self, earlier, true);
  }
}

} // namespace

void push_notes(registry_self self, const std::vector<domain::notification>& notes, bool catch_up) {
  const bool shared = shares_database(self->state);
  for (const auto& n : notes) {
    if (shared && catch_up)
      push_earlier_notes(self, n);
    push_one_note(self, n, shared);
  }
}

void add_note(std::vector<domain::notification>& out, const domain::realm_settings& settings,
              domain::notification_kind kind, const std::map<std::string, std::string>& values,
              const id& user_id, domain::timestamp at) {
  auto text = domain::render_notification(settings, kind, values);
  if (!text)
    return;
  out.push_back({crypto::random_id("ntf_"), user_id, kind, text->title, text->body, at, false});
}

void notify_all(registry_self, std::vector<domain::notification>& out, const domain::realm_settings& settings,
                domain::notification_kind kind, const std::map<std::string, std::string>& values,
                const std::vector<id>& users, domain::timestamp at) {
  for (const auto& user_id : users)
    add_note(out, settings, kind, values, user_id, at);
}

std::string name_of(const domain::directory& dir, const id& user_id) {
  const auto* u = dir.find_user(user_id);
  if (!u)
    return user_id;
  return u->display_name.empty() ? u->username : u->display_name;
}

domain::acting acting_of(const principal& who) {
  switch (who.kind) {
    case domain::token_kind::impersonation:
      return {who.actor_id.value_or(who.user_id), who.user_id, std::nullopt, who.grant_id};
    case domain::token_kind::grant:
      return {who.user_id, std::nullopt, who.actor_id, who.grant_id};
    case domain::token_kind::user:
      break;
  }
  return {who.user_id, std::nullopt, std::nullopt, std::nullopt};
}

caf::result<start_reply> start(registry_self self, const start_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return start_reply{*auth.error, {}, {}};
  const auto& who = auth.who;
  const domain::user* caller = st.dir.find_user(who.user_id);
  domain::start_request req;
  req.token_is_impersonation = who.kind == domain::token_kind::impersonation;
  req.caller = caller;
  req.target_id = cmd.target;
  if (cmd.reason)
    req.reason = *cmd.reason;
  if (cmd.return_to)
    req.return_to = *cmd.return_to;
  if (shares_database(st))
    forget_ended_elsewhere(self, caller->user_id, cmd.target);
  req.caller_busy = st.session_of_actor.contains(caller->user_id);
  req.target_busy = st.sessions_of_target.contains(cmd.target);
  auto verdict = domain::check_start(st.dir, req);
  auto at = now(self);
  if (!verdict.allowed()) {
    auto code = *verdict.code;
    auto d = domain::start_denial(*caller, acting_of(who), cmd.target, code, cmd.reason, cmd.return_to, cmd.ip, at);
    return refuse(self, d, start_reply{code, {}, {}}, start_reply{errc::audit_unavailable, {}, {}});
  }
  auto rp = self->make_response_promise<start_reply>();
  auto me = caf::actor_cast<registry_actor>(self);

  // What the cache decided is only the fast path. The decision that counts is the job's: it checks the
  // rules again on the caller, the target, the target's settings and the grant as its transaction finds
  // them (rows locked on PostgreSQL), so a demotion, a deactivation, a consent withdrawn, the feature
  // switched off or a grant ended that committed while this start was in flight refuses it (SPEC §6
  // "Concurrency"). The session, its token and its notes are made from that state too. The busy rules
  // stay the registry's: its reservation below makes them exclusive on this node, the partial unique
  // indexes across nodes.
  const domain::user& target = *verdict.target;
  auto plan = std::make_shared<start_plan>();
  plan->session_id = crypto::random_id("ses_");
  plan->note_id = crypto::random_id("ntf_");
  plan->caller_id = caller->user_id;
  plan->target_id = target.user_id;
  plan->reason = cmd.reason;
  plan->return_to = cmd.return_to;
  plan->ip = cmd.ip;
  plan->at = at;
  if (who.kind == domain::token_kind::grant) {
    plan->via = who.actor_id;
    plan->grant_id = who.grant_id;
  }
  std::vector<id> realms;
  for (const auto* u : {caller, &target})
    if (u->realm_id)
      realms.push_back(*u->realm_id);
  plan->tree = tree_of(st.dir, realms);
  if (target.home_portal)
    plan->settings_path = st.dir.path_to_top(*target.home_portal);
  auto token = crypto::random_token();
  plan->token.hash = crypto::token_hash(token);
  plan->token.user_id = target.user_id;
  plan->token.kind = domain::token_kind::impersonation;
  plan->token.session_id = plan->session_id;
  plan->token.grant_id = plan->grant_id;
  plan->token.actor_id = caller->user_id;
  plan->token.created_at = at;
  plan->token.idle_timeout_s = st.deps.token_idle_s;
  plan->token.last_used_at = at;
  plan->token.parent_hash = who.token_hash;

  // Reserved before the write so a second start for the same actor or target is refused as busy. The
  // reservation holds the cache's picture of the session until the commit says what it really is.
  auto settings = st.dir.effective_settings(*target.home_portal);
  auto reserved = domain::open_session(plan->session_id, *caller, target, verdict.reason, cmd.return_to,
                                       settings.impersonation.max_duration_s, settings.impersonation.warn_before_s, at);
  index(st, {reserved, plan->token.hash, plan->token.parent_hash, {}});
  auto job = [plan](store::transaction& tx) {
    // The last guard is the partial unique index of one active impersonation per actor.
    decide_guarded([&] { decide_start(tx, *plan); }, [&] { plan->refused = errc::actor_busy; });
  };
  auto denial = domain::start_denial(*caller, acting_of(who), cmd.target, errc::internal, cmd.reason, cmd.return_to,
                                     cmd.ip, at);
  st.commits.submit(*st.deps.writer, me, std::move(job), [self, rp, plan, token, reserved, denial](bool ok) mutable {
    auto& st = self->state;
    const start_reply unavailable{errc::audit_unavailable, {}, {}};
    if (!ok || plan->refused) {
      unindex(st, reserved);
      settle_late_start(self, reserved.session_id, true);
      st.recheck_at_start.erase(reserved.session_id);
      if (!plan->refused) {
        rp.deliver(unavailable);
        return;
      }
      // Refused on the committed state: audited like a refusal on arrival, with the rule that refused.
      denial.code = *plan->refused;
      refuse_to(self, denial, rp, start_reply{*plan->refused, {}, {}}, unavailable);
      return;
    }
    const auto& s = plan->session;
    st.sessions.at(s.session_id).session = s;
    st.tokens.emplace(plan->token.hash, plan->token);
    st.sessions.at(s.session_id).handle = spawn_session(self, s);
    publish(self, {false, s, std::nullopt, std::nullopt});
    push_notes(self, plan->notes);
    if (plan->show_live)
      self->send(user_actor_of(self, s.target), push_atom::value, live_event{being_viewed(st.dir, s)});
    // A grant whose end was decided while this start was in flight, but committed after it: the start
    // happened (the caller learns so), and ends at once as the grant's other sessions did.
    if (auto late = recheck_started(self, s)) {
      finish(self, s.session_id, std::move(*late),
             [self, rp, token](end_outcome how, const impersonation_session& ended) mutable {
               settle_late_start(self, ended.session_id, how != end_outcome::unwritten);
               rp.deliver(start_reply{std::nullopt, ended, token});
             });
      return;
    }
    settle_late_start(self, s.session_id, true);
    rp.deliver(start_reply{std::nullopt, s, token});
  });
  return rp;
}

caf::result<end_reply> end(registry_self self, const end_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return end_reply{*auth.error, {}};
  const auto& who = auth.who;
  // A session started through another node is run here from now on, and ended here like one of ours.
  adopt_live_session(self, cmd.session_id);
  auto s = lookup(self, cmd.session_id);
  // Refused ends are audited (SPEC §5) with the session as named; it is linked only once the caller may
  // know it exists.
  auto refused = [&](errc code, bool known, impersonation_session shown) {
    auto d = denial_by(self, who, "impersonation.end", code, cmd.ip);
    d.texts.emplace("session", cmd.session_id);
    if (cmd.message)
      d.texts.emplace("message", *cmd.message);
    if (known)
      d.session = s->session_id;
    return refuse(self, d, end_reply{code, std::move(shown)}, end_reply{errc::audit_unavailable, {}});
  };
  if (!s)
    return refused(errc::not_found, false, {});
  domain::end_caller caller{st.dir.find_user(who.user_id), std::nullopt};
  if (who.kind == domain::token_kind::impersonation)
    caller.token_session = who.session_id;
  auto permission = domain::may_end(st.dir, caller, *s);
  if (!permission.allowed())
    return refused(*permission.code, *permission.code != errc::not_found, {});
  auto live = st.sessions.find(cmd.session_id);
  if (live == st.sessions.end() || !live->second.handle)
    return refused(errc::session_ended, true, *s);
  ending how;
  if (cmd.message) {
    auto text = domain::accept_exit_message(*cmd.message);
    if (!text)
      return refused(errc::invalid_request, true, {});
    if (!text->empty())
      how.message = std::move(*text);
  }
  how.why = permission.why;
  how.at = now(self);
  how.ended_by = acting_of(who).performed_by;
  how.ip = cmd.ip;
  auto rp = self->make_response_promise<end_reply>();
  // Refused like an end of an ended session on arrival when another node had ended it first.
  auto ended_before = denial_by(self, who, "impersonation.end", errc::session_ended, cmd.ip);
  ended_before.texts.emplace("session", cmd.session_id);
  ended_before.session = cmd.session_id;
  finish(self, cmd.session_id, std::move(how),
         [self, rp, ended_before](end_outcome outcome, const impersonation_session& ended) mutable {
           if (outcome == end_outcome::written)
             rp.deliver(end_reply{std::nullopt, ended});
           else if (outcome == end_outcome::ended_elsewhere)
             refuse_to(self, ended_before, rp, end_reply{errc::session_ended, {}},
                       end_reply{errc::audit_unavailable, {}});
           else
             rp.deliver(end_reply{errc::audit_unavailable, ended});
         });
  return rp;
}

find_reply find(registry_self self, const std::string& token_hash, const id& session_id) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}};
  auto s = lookup(self, session_id);
  domain::end_caller caller{st.dir.find_user(auth.who.user_id), std::nullopt};
  if (auth.who.kind == domain::token_kind::impersonation)
    caller.token_session = auth.who.session_id;
  if (!s || !domain::may_view(st.dir, caller, *s))
    return {errc::not_found, {}};
  return {std::nullopt, *s};
}

void finish(registry_self self, const id& session_id, ending how, end_waiter waiter) {
  auto& st = self->state;
  auto i = st.sessions.find(session_id);
  if (i == st.sessions.end())
    return;
  live_session live = std::move(i->second);
  unindex(st, live.session);
  st.overlays.erase(session_id);
  domain::end_session(live.session, how.why, how.at);
  st.tokens.erase(live.token_hash);

  const auto& s = live.session;
  auto settings = settings_of(st.dir, s);
  auto values = domain::session_values(s, name_of(st.dir, s.actor), name_of(st.dir, s.target),
                                       portal_name(st.dir, s.portal));
  session_end e;
  add_note(e.notes, settings, domain::notification_kind::impersonation_ended, values, s.target, how.at);
  if (how.message) {
    values["message"] = *how.message;
    add_note(e.notes, settings, domain::notification_kind::impersonation_message, values, s.target, how.at);
  }
  e.event = domain::end_event(s, how.ended_by, how.rule, how.ip);
  e.session = s;
  // A session resumed past its deadline never got an actor; its end still needs the one that writes it.
  auto writer = live.handle ? live.handle : spawn_session(self, s);
  st.ending_sessions.emplace(session_id, ending_session{s, e.notes, writer});
  self->request(writer, caf::infinite, end_atom::value, std::move(e))
    .then(
      guarded("the registry",
              [waiter, s](bool ok, bool written) {
                if (!waiter)
                  return;
                const auto outcome = !ok ? end_outcome::unwritten : written ? end_outcome::written : end_outcome::ended_elsewhere;
                waiter(outcome, s);
              }),
      // Not expected (the registry stops a session actor only after its end is durable), but a lost
      // actor must not take the registry with it: the end is then reported unwritten.
      [waiter, s](const caf::error&) {
        if (waiter)
          waiter(end_outcome::unwritten, s);
      });
}

void session_end_durable(registry_self self, const id& session_id, bool written) {
  auto& st = self->state;
  auto i = st.ending_sessions.find(session_id);
  if (i == st.ending_sessions.end())
    return;
  // The target's banner clears and dashboards lose the session either way. Its notes are pushed only if
  // this write ended it: when another node ended it first, that node pushes its own; when this node's
  // earlier write landed although its commit was reported failed, they are stored but not pushed live.
  const auto& s = i->second.session;
  self->send(user_actor_of(self, s.target), push_atom::value,
             live_event{banner_cleared{"being_viewed", s.session_id}});
  if (written)
    push_notes(self, i->second.notes);
  publish(self, {true, s, std::nullopt, std::nullopt});
  self->send(i->second.writer, stop_atom::value);
  st.ending_sessions.erase(i);
}

void run_session_here(registry_self self, live_session live) {
  auto& st = self->state;
  const auto s = live.session;
  live.handle = spawn_session(self, s);
  // Banners are live state: the target's tabs learn again, as at the start, that an admin is there.
  if (settings_of(st.dir, s).impersonation.show_target_live)
    self->send(user_actor_of(self, s.target), push_atom::value, live_event{being_viewed(st.dir, s)});
  index(st, std::move(live));
}

void end_overdue_here(registry_self self, live_session live) {
  // Downtime counts: the session ended at its deadline, and its audit event is dated there.
  const auto s = live.session;
  index(self->state, std::move(live));
  ending how;
  how.why = domain::end_reason::expired;
  how.at = s.expires_at;
  finish(self, s.session_id, std::move(how), nullptr);
}

void resume(registry_self self, std::vector<impersonation_session> sessions) {
  auto& st = self->state;
  std::map<id, const domain::token_record*> token_of_session;
  for (const auto& [hash, t] : st.tokens)
    if (t.session_id)
      token_of_session.emplace(*t.session_id, &t);
  auto at = now(self);
  for (auto& s : sessions) {
    live_session live{s, {}, {}, {}};
    if (auto i = token_of_session.find(s.session_id); i != token_of_session.end()) {
      live.token_hash = i->second->hash;
      live.parent_hash = i->second->parent_hash;
    }
    if (s.expires_at > at)
      run_session_here(self, std::move(live));
    else
      end_overdue_here(self, std::move(live));
  }
}

} // namespace actas::actors::detail
