/// Support grants (SPEC §3.2–3.4): allowed by a superadmin per portal, each with a temporary admin that
/// lives exactly as long as the grant; tokens for the requesting support user; revocation and expiry that
/// end everything hanging on the grant before anyone is told it ended.
#include <algorithm>

#include <caf/all.hpp>

#include "actors/answer_when_durable.hpp"
#include "actors/decision_view.hpp"
#include "actors/guarded.hpp"
#include "actors/registry_support_common.hpp"
#include "crypto/crypto.hpp"
#include "domain/text.hpp"

namespace actas::actors::detail {

namespace {

using domain::errc;

std::vector<id> active_portals(const registry_state& st) {
  std::vector<id> out;
  for (const auto& [grant_id, g] : st.grants)
    out.push_back(g.portal_id);
  for (const auto& portal_id : st.granting_portals)
    out.push_back(portal_id);
  // A grant whose end is not yet durable still holds its portal: a restart would find it live.
  for (const auto& [grant_id, e] : st.ending_grants)
    out.push_back(e.grant.portal_id);
  return out;
}

/// The grant as its revoke decided it, while that revoke is not yet durable (else null).
const domain::support_grant* revoke_not_yet_written(const registry_state& st, const id& grant_id) {
  auto i = st.ending_grants.find(grant_id);
  if (i == st.ending_grants.end() || i->second.grant.state != domain::grant_state::revoked)
    return nullptr;
  return &i->second.grant;
}

/// Answers a revoke once its ends came back: the grants it ended, or 409 `session_ended` (audited) when
/// another node had ended every one of them first, or 503 when a write failed.
void answer_revoke(registry_self self, caf::typed_response_promise<grants_reply> rp, bool ok,
                   std::vector<domain::support_grant> ended, const domain::denial& gone_denial, const refusal& gone) {
  const grants_reply unavailable{{errc::audit_unavailable, {}, {}}, {}};
  if (!ok)
    rp.deliver(unavailable);
  else if (ended.empty())
    refuse_to(self, gone_denial, rp, grants_reply{gone, {}}, unavailable);
  else
    rp.deliver(grants_reply{{}, std::move(ended)});
}

} // namespace

namespace {

/// A grant of a request as it arrived, and then as its transaction decided it (SPEC §6 "Concurrency").
struct grant_plan {
  id caller_id;
  id request_id;
  id support_user;  // the request's, which never changes
  id top_portal;    // of the request's realm: where support settings live
  std::vector<id> portals;
  std::optional<std::int64_t> duration_s;
  portal_tree tree;
  domain::timestamp at;
  std::string ip;
  // Decided inside the transaction:
  std::optional<refusal> refused;
  domain::support_request request;
  std::vector<domain::support_grant> grants;
  std::vector<domain::user> temps;
  std::vector<domain::notification> notes;
};

/// Runs on the writer: re-reads the caller, the request (locked) and the realm's live grants, runs the
/// grant rules on them (domain::check_grant) and writes the grants from that state. So of two grants of
/// one request, or of one portal, the second finds the first committed; a superadmin demoted meanwhile no
/// longer allows anything.
void decide_grants(store::transaction& tx, grant_plan& plan) {
  // A run after a deadlock starts over (store::writer::job).
  plan.refused.reset();
  plan.grants.clear();
  plan.temps.clear();
  plan.notes.clear();
  auto committed = read_in(tx, plan.tree, {plan.caller_id, plan.support_user}, {plan.top_portal});
  if (auto gone = caller_gone(committed, plan.caller_id)) {
    plan.refused = refusal{*gone, {}, {}};
    return;
  }
  auto request = tx.find_request(plan.request_id);
  if (!request) {
    plan.refused = refusal{errc::not_found, {}, {}};
    return;
  }
  const auto& caller = *committed.find_user(plan.caller_id);
  auto settings = committed.effective_settings(plan.top_portal);
  auto duration = plan.duration_s.value_or(settings.support.default_duration_s);
  if (auto no = domain::check_grant(committed, caller, *request, plan.portals, duration,
                                    tx.live_grant_portals(request->realm_id))) {
    plan.refused = refusal_of(*no);
    return;
  }
  auto& r = plan.request;
  r = *request;
  r.state = domain::request_state::granted;
  r.decided_at = plan.at;
  r.decided_by = caller.user_id;
  std::vector<domain::audit_event> events;
  for (const auto& portal_id : plan.portals) {
    domain::support_grant g;
    g.grant_id = crypto::random_id("grt_");
    g.request_id = r.request_id;
    g.portal_id = portal_id;
    g.realm_id = r.realm_id;
    g.support_user = r.support_user;
    g.temp_admin = crypto::random_id("tmp_");
    g.granted_by = caller.user_id;
    g.created_at = plan.at;
    g.expires_at = domain::seconds_after(plan.at, duration);
    g.warn_at = std::max(plan.at, g.expires_at - std::chrono::seconds{settings.support.warn_before_s});
    plan.temps.push_back(domain::make_temp_admin(committed, g.temp_admin, portal_id, g.grant_id, r.ticket));
    auto ev = support_event(g.realm_id, "support.grant", plan.at, caller.user_id, plan.ip);
    ev.grant = g.grant_id;
    ev.portal = portal_id;
    ev.via = g.support_user;
    ev.detail_json = nlohmann::json{{"request", g.request_id},
                                    {"temp_admin", g.temp_admin},
                                    {"expires_at", domain::format_utc(g.expires_at)}}.dump();
    events.push_back(std::move(ev));
    add_note(plan.notes, settings, domain::notification_kind::support_granted,
             support_values(committed, g.support_user, r.ticket, r.reason, {portal_id}, g.expires_at,
                            name_of(committed, caller.user_id)),
             g.support_user, plan.at);
    plan.grants.push_back(std::move(g));
  }
  tx.put_request(r);
  for (const auto& u : plan.temps)
    tx.put_user(u);
  for (const auto& g : plan.grants)
    tx.put_grant(g);
  for (const auto& n : plan.notes)
    tx.put_notification(n);
  for (auto& e : events)
    tx.append_audit(std::move(e));
}

/// Writes the grants of `plan` in their transaction, then releases the portals and the request (taken
/// from `request_owner`, if it has one here) and answers `rp`.
void write_grants(registry_self self, std::shared_ptr<grant_plan> plan, std::optional<request_actor> request_owner,
                  caf::typed_response_promise<grants_reply> rp, domain::denial refused_denial) {
  auto& st = self->state;
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [plan](store::transaction& tx) {
                      // The last guard is the partial unique index of one live grant per portal: another
                      // request's grant for one of these portals committed on another node meanwhile.
                      decide_guarded([&] { decide_grants(tx, *plan); }, [&] {
                        plan->refused =
                            refusal{errc::invalid_request, "portals", "a portal named already has an active grant"};
                      });
                    },
                    [self, plan, request_owner, rp, refused_denial](bool ok) mutable {
                      auto& st = self->state;
                      const grants_reply unavailable{{errc::audit_unavailable, {}, {}}, {}};
                      for (const auto& portal_id : plan->portals)
                        st.granting_portals.erase(st.granting_portals.find(portal_id));
                      if (!ok || plan->refused) {
                        // Decided already (through another node): no longer pending here either.
                        if (ok && plan->refused->error == errc::session_ended)
                          forget_request(self, plan->request_id, std::nullopt);
                        else if (request_owner)
                          self->send(*request_owner, release_atom::value);
                        if (!ok && !plan->refused) {
                          rp.deliver(unavailable);
                          return;
                        }
                        auto d = refused_denial;
                        d.code = plan->refused->error.value_or(errc::forbidden);
                        note_field(d, *plan->refused);
                        refuse_to(self, d, rp, grants_reply{*plan->refused, {}}, unavailable);
                        return;
                      }
                      for (const auto& g : plan->grants) {
                        // Adopted from the database between the commit and this continuation (a revoke
                        // or a token request naming it): that copy, and whatever it decided, stays.
                        if (st.grants.contains(g.grant_id) || st.ending_grants.contains(g.grant_id))
                          continue;
                        if (auto temp = std::find_if(plan->temps.begin(), plan->temps.end(),
                                                     [&](const domain::user& u) { return u.user_id == g.temp_admin; });
                            temp != plan->temps.end())
                          st.dir.put_user(*temp);
                        st.grants[g.grant_id] = g;
                        spawn_grant(self, g.grant_id,
                                    {{g.warn_at, grant_warn_cookie}, {g.expires_at, grant_expire_cookie}});
                      }
                      forget_request(self, plan->request.request_id, plan->request);
                      push_notes(self, plan->notes);
                      for (const auto& g : plan->grants)
                        publish(self, {false, std::nullopt, std::nullopt, g});
                      rp.deliver(grants_reply{{}, plan->grants});
                    });
}

} // namespace

caf::result<grants_reply> create_grants(registry_self self, const grant_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return grants_reply{{*auth.error, {}, {}}, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  auto i = st.requests.find(cmd.request_id);
  auto known = i != st.requests.end() ? std::optional{i->second} : st.deps.reader->find_request(cmd.request_id);
  auto denial_of = [&](refusal r) {
    return support_denial(self, auth.who, "support.grant", r, cmd.ip,
                          {{"request", cmd.request_id}, {"portals", domain::denial_list(cmd.portals)}},
                          known ? std::optional{known->realm_id} : std::nullopt);
  };
  const grants_reply unavailable{{errc::audit_unavailable, {}, {}}, {}};
  auto denied = [&](refusal r) { return refuse(self, denial_of(r), grants_reply{r, {}}, unavailable); };
  if (auth.who.kind != domain::token_kind::user)
    return denied({errc::forbidden, {}, {}});
  if (!known || !caller->realm_id || known->realm_id != *caller->realm_id)
    return denied({errc::not_found, {}, {}});
  // The fast refusals, on the cache; the decision itself is made again inside the transaction.
  auto settings = realm_settings_of(st.dir, known->realm_id);
  auto duration = cmd.duration_s.value_or(settings.support.default_duration_s);
  if (auto no = domain::check_grant(st.dir, *caller, *known, cmd.portals, duration, active_portals(st)))
    return denied(refusal_of(*no));

  auto plan = std::make_shared<grant_plan>();
  plan->caller_id = caller->user_id;
  plan->request_id = known->request_id;
  plan->support_user = known->support_user;
  plan->top_portal = st.dir.find_realm(known->realm_id)->top_portal;
  plan->portals = cmd.portals;
  plan->duration_s = cmd.duration_s;
  plan->tree = tree_of(st.dir, {known->realm_id});
  plan->at = now(self);
  plan->ip = cmd.ip;
  auto rp = self->make_response_promise<grants_reply>();
  auto refused_denial = denial_of({errc::internal, {}, {}});
  // The portals are reserved at once, so this node's own second grant for one of them never reaches the
  // writer; the request is taken from its actor, so a deny or a lapse of it waits for this outcome.
  for (const auto& portal_id : cmd.portals)
    st.granting_portals.insert(portal_id);
  // A request made through another node is adopted first, so that a deny or a cancel arriving here
  // meanwhile waits for this allow as it would for one of this node's own requests.
  if (!st.request_actors.contains(known->request_id))
    adopt_pending_request(self, *known);
  auto owner = st.request_actors.find(known->request_id);
  if (owner == st.request_actors.end()) {
    // Not adoptable (its realm is unknown here): its transaction decides.
    write_grants(self, plan, std::nullopt, rp, refused_denial);
    return rp;
  }
  auto request_owner = owner->second;
  auto not_taken = [self, plan, rp, refused_denial](const refusal& why) mutable {
    for (const auto& portal_id : plan->portals)
      self->state.granting_portals.erase(self->state.granting_portals.find(portal_id));
    auto d = refused_denial;
    d.code = why.error.value_or(errc::forbidden);
    refuse_to(self, d, rp, grants_reply{why, {}}, grants_reply{{errc::audit_unavailable, {}, {}}, {}});
  };
  self->request(request_owner, caf::infinite, take_atom::value)
    .then(
      guarded("the registry",
              [self, plan, rp, refused_denial, request_owner, not_taken](bool taken) mutable {
                if (!taken)
                  not_taken({errc::session_ended, {}, "the request is no longer pending"});
                else
                  write_grants(self, plan, request_owner, rp, refused_denial);
              }),
      // The request's actor is gone: the request was decided meanwhile.
      [not_taken](const caf::error&) mutable { not_taken({errc::session_ended, {}, "the request is no longer pending"}); });
  return rp;
}

const domain::support_grant* adopt_live_grant(registry_self self, const id& grant_id) {
  auto& st = self->state;
  if (auto i = st.grants.find(grant_id); i != st.grants.end())
    return &i->second;
  // One whose end this node decided is not live, whatever the database says until the end is written.
  if (st.ending_grants.count(grant_id))
    return nullptr;
  auto stored = st.deps.reader->find_grant(grant_id);
  if (!stored || stored->state != domain::grant_state::active || !st.dir.find_realm(stored->realm_id))
    return nullptr;
  // Its temporary admin was created with it, on the other node: this node's directory learns it now, so
  // its tokens work here and its end tombstones it.
  if (!st.dir.find_user(stored->temp_admin))
    if (auto temp = st.deps.reader->find_user(stored->temp_admin))
      st.dir.put_user(*temp);
  auto& g = st.grants[grant_id] = *stored;
  // Only the expiry is armed: the node that made the grant sends its warning.
  spawn_grant(self, grant_id, {{g.expires_at, grant_expire_cookie}});
  publish(self, {false, std::nullopt, std::nullopt, g});
  return &g;
}

caf::result<mint_reply> grant_token(registry_self self, const std::string& token_hash, const id& grant_id) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return mint_reply{*auth.error, {}, {}, {}};
  adopt_live_grant(self, grant_id);
  auto i = st.grants.find(grant_id);
  // Only the support user who asked, with its own login, gets the temporary admin's token.
  if (auth.who.kind != domain::token_kind::user || i == st.grants.end() || i->second.support_user != auth.who.user_id) {
    auto realm = i != st.grants.end() ? std::optional{i->second.realm_id} : std::nullopt;
    auto d = support_denial(self, auth.who, "support.token", {errc::not_found, {}, {}}, "", {{"grant", grant_id}}, realm);
    return refuse(self, d, mint_reply{errc::not_found, {}, {}, {}}, mint_reply{errc::audit_unavailable, {}, {}, {}});
  }
  const auto& g = i->second;
  auto at = now(self);
  auto token = crypto::random_token();
  domain::token_record rec;
  rec.hash = crypto::token_hash(token);
  rec.user_id = g.temp_admin;
  rec.kind = domain::token_kind::grant;
  rec.grant_id = g.grant_id;
  rec.actor_id = g.support_user;
  rec.created_at = at;
  rec.expires_at = std::min(g.expires_at, domain::seconds_after(at, st.deps.token_ttl_s));
  rec.idle_timeout_s = st.deps.token_idle_s;
  rec.last_used_at = at;
  auto ev = support_event(g.realm_id, "support.token", at, g.temp_admin, "");
  ev.via = g.support_user;
  ev.grant = g.grant_id;
  ev.portal = g.portal_id;
  auto write = [rec, ev](store::transaction& tx) {
    tx.put_token(rec);
    tx.append_audit(ev);
  };
  return answer_when_durable(self, write, mint_reply{errc::audit_unavailable, {}, {}, {}}, [self, rec, token](auto& rp) {
    auto& st = self->state;
    st.tokens.emplace(rec.hash, rec);
    principal who{rec.hash, rec.user_id, rec.kind, std::nullopt, rec.grant_id, rec.actor_id, rec.expires_at};
    rp.deliver(mint_reply{std::nullopt, token, who, *st.dir.find_user(rec.user_id)});
  });
}

caf::result<grants_reply> revoke_grants(registry_self self, const std::string& token_hash, const std::vector<id>& ids,
                                        const std::string& ip) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return grants_reply{{*auth.error, {}, {}}, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  auto denied = [&](refusal r) {
    auto d = support_denial(self, auth.who, "support.revoke", r, ip, {{"grants", domain::denial_list(ids)}}, std::nullopt);
    return refuse(self, d, grants_reply{r, {}}, grants_reply{{errc::audit_unavailable, {}, {}}, {}});
  };
  if (auth.who.kind != domain::token_kind::user || ids.empty() || ids.size() > 100)
    return denied({ids.empty() || ids.size() > 100 ? errc::invalid_request : errc::forbidden, "grants",
                   "name between 1 and 100 grants"});
  const refusal gone{errc::session_ended, "grants", "grant already ended: " + ids.front()};
  auto gone_denial =
      support_denial(self, auth.who, "support.revoke", gone, ip, {{"grants", domain::denial_list(ids)}}, std::nullopt);
  // A revoke of grants whose end was decided but not yet written learns how the next write goes: the
  // grants it wrote the end of, and none that another node ended meanwhile.
  if (std::all_of(ids.begin(), ids.end(), [&](const id& g) {
        const auto* e = revoke_not_yet_written(st, g);
        return e && domain::is_superadmin_of(*caller, e->realm_id);
      })) {
    auto rp = self->make_response_promise<grants_reply>();
    auto left = std::make_shared<std::size_t>(ids.size());
    auto all_ok = std::make_shared<bool>(true);
    auto answered = std::make_shared<std::vector<domain::support_grant>>();
    for (const auto& g : ids) {
      const auto& ending = st.ending_grants.at(g);
      self->request(ending.writer, caf::infinite, end_atom::value)
        .then(
          guarded("the registry",
                  [self, rp, left, all_ok, answered, decided = ending.grant, gone, gone_denial](bool ok,
                                                                                                  bool written) mutable {
                    *all_ok = *all_ok && ok;
                    if (written)
                      answered->push_back(decided);
                    if (--*left == 0)
                      answer_revoke(self, rp, *all_ok, std::move(*answered), gone_denial, gone);
                  }),
          [self, rp, left, all_ok, answered, gone, gone_denial](const caf::error&) mutable {
            *all_ok = false;
            if (--*left == 0)
              answer_revoke(self, rp, *all_ok, std::move(*answered), gone_denial, gone);
          });
    }
    return rp;
  }
  for (const auto& grant_id : ids) {
    auto i = st.grants.find(grant_id);
    auto known = i != st.grants.end() ? std::optional{i->second} : st.deps.reader->find_grant(grant_id);
    if (!known || !domain::is_superadmin_of(*caller, known->realm_id))
      return denied({errc::not_found, "grants", "no such grant: " + domain::truncate_code_points(grant_id, 100, "…")});
  }
  // A grant made through another node after this one started is live in the database only: adopted here
  // (its actor, its expiry, its temporary admin) so that this node can end it. Its end is still decided
  // in the end's transaction, so a grant another node ended meanwhile is not ended twice.
  for (const auto& grant_id : ids)
    if (!adopt_live_grant(self, grant_id))
      return denied({errc::session_ended, "grants", "grant already ended: " + grant_id});
  auto rp = self->make_response_promise<grants_reply>();
  end_grants(self, ids, domain::grant_state::revoked, caller->user_id, ip,
             [self, rp, gone, gone_denial](bool ok, std::vector<domain::support_grant> ended) mutable {
               answer_revoke(self, rp, ok, std::move(ended), gone_denial, gone);
             });
  return rp;
}

void end_grants(registry_self self, std::vector<id> grant_ids, domain::grant_state how, std::optional<id> by,
                std::string ip, std::function<void(bool, std::vector<domain::support_grant>)> then) {
  auto& st = self->state;
  std::vector<grant_end> ends;
  std::vector<std::pair<id, ending>> sessions;
  std::vector<id> starting;  // sessions of the temporary admins whose start is in flight
  for (const auto& grant_id : grant_ids) {
    auto i = st.grants.find(grant_id);
    if (i == st.grants.end())
      continue;
    // Read first: a read that fails leaves the grant as it was (the next expiry, revoke or poll ends it).
    auto request = st.deps.reader->find_request(i->second.request_id);
    grant_end e;
    auto& g = e.grant;
    g = i->second;
    st.grants.erase(i);
    // An expiry is dated at its deadline, also when noticed after a restart.
    auto at = how == domain::grant_state::expired ? g.expires_at : now(self);
    domain::end_grant(g, how, at, by);
    // The temporary admin becomes a tombstone: its tokens die and its tabs close now.
    if (const auto* temp = st.dir.find_user(g.temp_admin)) {
      auto stone = *temp;
      stone.status = domain::user_status::deleted;
      st.dir.put_user(stone);
      e.tombstone = stone;
    }
    std::vector<std::string> dead;
    for (const auto& [hash, t] : st.tokens)
      if (t.user_id == g.temp_admin && t.kind != domain::token_kind::impersonation)
        dead.push_back(hash);
    for (const auto& hash : dead) {
      self->send(user_actor_of(self, g.temp_admin), drop_atom::value, hash, std::uint16_t{1008});
      st.tokens.erase(hash);
    }
    for (const auto& [session_id, live] : st.sessions)
      if (live.session.actor == g.temp_admin && !live.handle) {
        starting.push_back(session_id);
      } else if (live.session.actor == g.temp_admin) {
        ending end;
        end.why = domain::end_reason::grant_ended;
        end.at = at;
        end.ended_by = by;
        sessions.emplace_back(session_id, std::move(end));
      }
    auto recipients = superadmins_of(st.dir, g.realm_id);
    recipients.push_back(g.support_user);
    notify_all(self, e.notes, realm_settings_of(st.dir, g.realm_id),
               how == domain::grant_state::revoked ? domain::notification_kind::support_revoked
                                                   : domain::notification_kind::support_expired,
               support_values(st.dir, g.support_user, request ? request->ticket : "", request ? request->reason : "",
                              {g.portal_id}, g.expires_at, by ? name_of(st.dir, *by) : std::string{"actas"}),
               recipients, at);
    e.event = support_event(g.realm_id, how == domain::grant_state::revoked ? "support.revoke" : "support.expire", at,
                            by.value_or(g.support_user), ip);
    e.event.grant = g.grant_id;
    e.event.portal = g.portal_id;
    e.event.via = g.support_user;
    e.event.detail_json = nlohmann::json{{"temp_admin", g.temp_admin}}.dump();
    ends.push_back(std::move(e));
  }
  // Two things must be durable before the caller hears of the end: the grants (with their tombstones and
  // notes), each written by its grant actor (decided again in its transaction: a grant another node ended
  // first is not ended twice), and the ends of the impersonations their temporary admins ran. Those end
  // at once, here, so nothing else (the token sweep) can end them first for another reason. Each is
  // written again until it is durable, and announced only then.
  // A start of a temporary admin still in flight (decided before this end) is checked once it commits and
  // ends then, `grant_ended`; the end is answered only after that too, so no session outlives the answer.
  struct progress {
    std::size_t waiting = 1;
    bool ok = true;
    std::vector<domain::support_grant> ended;  // by this end: not those another node ended first
  };
  auto state = std::make_shared<progress>();
  state->waiting += ends.size() + starting.size();
  auto done = [state, then](bool ok) {
    state->ok = state->ok && ok;
    if (--state->waiting > 0)
      return;
    if (then)
      then(state->ok, std::move(state->ended));
  };
  for (auto& e : ends) {
    auto a = st.grant_actors.find(e.grant.grant_id);
    // Every active grant has its actor (spawned with it); one missing would be spawned to write the end.
    auto writer = a != st.grant_actors.end() ? a->second : (spawn_grant(self, e.grant.grant_id, {}),
                                                            st.grant_actors.at(e.grant.grant_id));
    st.grant_actors.erase(e.grant.grant_id);
    self->request(writer, caf::infinite, end_atom::value, e)
      .then(
        guarded("the registry",
                [state, done, decided = e.grant](bool ok, bool written) {
                  if (written)
                    state->ended.push_back(decided);
                  done(ok);
                }),
        [done](const caf::error&) { done(false); });
    st.ending_grants.emplace(e.grant.grant_id, ending_grant{e.grant, std::move(e.notes), writer});
  }
  for (const auto& session_id : starting) {
    st.recheck_at_start[session_id] = by;
    st.late_start_waiters[session_id].push_back(done);
  }
  finish_all(self, std::move(sessions), done);
}

void grant_end_durable(registry_self self, const id& grant_id, bool written) {
  auto& st = self->state;
  auto i = st.ending_grants.find(grant_id);
  if (i == st.ending_grants.end())
    return;
  // This node's dashboards lose the grant either way. Its notes are pushed only if this write ended it:
  // when another node ended it first, that node pushes its own; when this node's earlier write landed
  // although its commit was reported failed (connection lost, outcome unknown), the notes are stored but
  // not pushed live (they are read from the list).
  publish(self, {true, std::nullopt, std::nullopt, i->second.grant});
  if (written)
    push_notes(self, i->second.notes);
  // Stopped by the registry, not by itself: a repeat revoke asked before this message arrived still finds
  // the actor and is answered (ended nothing) instead of learning that its receiver is gone.
  self->send(i->second.writer, stop_atom::value);
  st.ending_grants.erase(i);
}

caf::result<audit_reply> grant_log(registry_self self, const std::string& token_hash, const id& grant_id) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return audit_reply{*auth.error, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  auto g = st.deps.reader->find_grant(grant_id);
  if (auth.who.kind != domain::token_kind::user || !g || !domain::is_superadmin_of(*caller, g->realm_id)) {
    auto d = support_denial(self, auth.who, "support.log", {errc::not_found, {}, {}}, "", {{"grant", grant_id}},
                            g ? std::optional{g->realm_id} : std::nullopt);
    return refuse(self, d, audit_reply{errc::not_found, {}}, audit_reply{errc::audit_unavailable, {}});
  }
  domain::audit_query q;
  q.chain = g->realm_id;
  q.grant = grant_id;
  q.limit = 1000;
  return self->delegate(st.deps.audit_reader, audit_atom::value, std::move(q));
}

} // namespace actas::actors::detail
