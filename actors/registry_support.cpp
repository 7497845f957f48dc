/// Support access requests (SPEC §3.1): filed by support staff, seen live by every superadmin of the realm,
/// denied, cancelled or lapsed; and the access status list.
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

live_event request_banner(const domain::directory& dir, const domain::support_request& r) {
  banner_set b;
  b.kind = "support_request";
  b.actor_name = name_of(dir, r.support_user);
  b.request = r;
  return live_event{std::move(b)};
}

void show_banner(registry_self self, const domain::support_request& r) {
  for (const auto& admin : superadmins_of(self->state.dir, r.realm_id))
    self->send(user_actor_of(self, admin), push_atom::value, request_banner(self->state.dir, r));
}

void clear_banner(registry_self self, const domain::support_request& r) {
  for (const auto& admin : superadmins_of(self->state.dir, r.realm_id))
    self->send(user_actor_of(self, admin), push_atom::value,
               live_event{banner_cleared{"support_request", r.request_id}});
}

/// The job that writes a new request with its notifications and its audit event.
store::writer::job request_job(domain::support_request r, std::vector<domain::notification> notes,
                               domain::audit_event ev) {
  return [r = std::move(r), notes = std::move(notes), ev = std::move(ev)](store::transaction& tx) {
    tx.put_request(r);
    for (const auto& n : notes)
      tx.put_notification(n);
    tx.append_audit(ev);
  };
}

/// Sends a close to the request's actor and answers `rp` (none for a lapse) from how its transaction came
/// out: the close announced once durable; a request the database has decided otherwise forgotten here; a
/// refusal audited with `refused_denial` (only used when there is a caller).
void close_through_actor(registry_self self, const request_actor& owner, request_close close,
                         domain::denial refused_denial, caf::typed_response_promise<request_reply> rp) {
  auto decided = close.request;
  auto notes = close.notes;
  auto answer = [self, decided, notes, refused_denial, rp](const close_outcome& o) mutable {
    const request_reply unavailable{{errc::audit_unavailable, {}, {}}, {}};
    if (!o.durable) {
      if (rp.pending())
        rp.deliver(unavailable);
      return;
    }
    if (o.refused) {
      if (o.no_longer_pending)
        forget_request(self, decided.request_id, std::nullopt);
      if (!rp.pending())
        return;
      auto d = refused_denial;
      d.code = o.refused->error.value_or(errc::forbidden);
      refuse_to(self, d, rp, request_reply{*o.refused, {}}, unavailable);
      return;
    }
    forget_request(self, decided.request_id, decided);
    push_notes(self, notes);
    if (rp.pending())
      rp.deliver(request_reply{{}, decided});
  };
  self->request(owner, caf::infinite, close_atom::value, std::move(close))
    .then(guarded("the registry", answer),
          // Not expected (the registry stops a request's actor only once it is forgotten), but a lost actor
          // must not take the registry with it: the close is then reported unwritten.
          [answer](const caf::error&) mutable { answer(close_outcome{}); });
}

} // namespace

const domain::support_request* adopt_pending_request(registry_self self, const domain::support_request& stored) {
  auto& st = self->state;
  if (auto i = st.requests.find(stored.request_id); i != st.requests.end())
    return &i->second;
  if (!stored.pending() || !st.dir.find_realm(stored.realm_id))
    return nullptr;
  const auto& r = st.requests[stored.request_id] = stored;
  spawn_request(self, r);
  show_banner(self, r);
  publish(self, {false, std::nullopt, r, std::nullopt});
  return &r;
}

caf::result<request_reply> create_request(registry_self self, const request_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return request_reply{{*auth.error, {}, {}}, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  auto denied = [&](refusal r) {
    auto realm = cmd.portals.empty() ? std::nullopt : realm_of_portal(st.dir, cmd.portals.front());
    auto d = support_denial(self, auth.who, "support.request", r, cmd.ip,
                            {{"portals", domain::denial_list(cmd.portals)}, {"ticket", cmd.ticket}}, realm);
    d.reason = cmd.reason;
    return refuse(self, d, request_reply{r, {}}, request_reply{{errc::audit_unavailable, {}, {}}, {}});
  };
  if (auth.who.kind != domain::token_kind::user)
    return denied({errc::forbidden, {}, {}});
  id realm_id;
  if (auto no = domain::check_request(st.dir, *caller, cmd.portals, cmd.reason, cmd.ticket, realm_id))
    return denied(refusal_of(*no));
  auto at = now(self);
  auto settings = realm_settings_of(st.dir, realm_id);
  domain::support_request r;
  r.request_id = crypto::random_id("req_");
  r.support_user = caller->user_id;
  r.realm_id = realm_id;
  r.portals = cmd.portals;
  r.reason = std::string{domain::trim(cmd.reason)};
  r.ticket = std::string{domain::trim(cmd.ticket)};
  r.created_at = at;
  r.lapses_at = domain::seconds_after(at, settings.support.request_ttl_s);
  auto admins = superadmins_of(st.dir, realm_id);
  std::vector<domain::notification> notes;
  notify_all(self, notes, settings, domain::notification_kind::support_request,
             support_values(st.dir, r.support_user, r.ticket, r.reason, r.portals, r.lapses_at, name_of(st.dir, r.support_user)),
             admins, at);
  auto ev = support_event(realm_id, "support.request", at, r.support_user, cmd.ip);
  ev.reason = r.reason;
  ev.detail_json = nlohmann::json{{"request", r.request_id}, {"portals", r.portals}, {"ticket", r.ticket}}.dump();
  return answer_when_durable(self, request_job(r, notes, ev), request_reply{{errc::audit_unavailable, {}, {}}, {}},
                             [self, r, notes](auto& rp) {
                               self->state.requests[r.request_id] = r;
                               spawn_request(self, r);
                               push_notes(self, notes);
                               show_banner(self, r);
                               publish(self, {false, std::nullopt, r, std::nullopt});
                               rp.deliver(request_reply{{}, r});
                             });
}

caf::result<request_reply> close_request(registry_self self, const std::string& token_hash, const id& request_id,
                                         domain::request_state how, const std::string& ip) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return request_reply{{*auth.error, {}, {}}, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  auto i = st.requests.find(request_id);
  std::optional<domain::support_request> known =
    i != st.requests.end() ? std::optional{i->second} : st.deps.reader->find_request(request_id);
  bool may = known && auth.who.kind == domain::token_kind::user &&
             (how == domain::request_state::denied ? domain::is_superadmin_of(*caller, known->realm_id)
                                                   : caller->user_id == known->support_user);
  auto denied = [&](refusal r, domain::support_request shown) {
    auto d = support_denial(self, auth.who, how == domain::request_state::denied ? "support.deny" : "support.cancel",
                            r, ip, {{"request", request_id}}, known ? std::optional{known->realm_id} : std::nullopt);
    return refuse(self, d, request_reply{r, std::move(shown)}, request_reply{{errc::audit_unavailable, {}, {}}, {}});
  };
  if (!may)
    return denied({errc::not_found, {}, {}}, {});
  if (i == st.requests.end() && adopt_pending_request(self, *known))
    i = st.requests.find(request_id);
  auto owner = st.request_actors.find(request_id);
  if (i == st.requests.end() || owner == st.request_actors.end())
    return denied({errc::session_ended, {}, "the request is no longer pending"}, *known);
  request_close close;
  auto& r = close.request;
  r = i->second;
  auto at = now(self);
  r.state = how;
  r.decided_at = at;
  r.decided_by = caller->user_id;
  close.caller_id = caller->user_id;
  close.tree = tree_of(st.dir, {r.realm_id});
  if (how == domain::request_state::denied)
    notify_all(self, close.notes, realm_settings_of(st.dir, r.realm_id), domain::notification_kind::support_denied,
               support_values(st.dir, r.support_user, r.ticket, r.reason, r.portals, std::nullopt, name_of(st.dir, caller->user_id)),
               {r.support_user}, at);
  close.event = support_event(r.realm_id, how == domain::request_state::denied ? "support.deny" : "support.cancel", at,
                              caller->user_id, ip);
  close.event.detail_json = nlohmann::json{{"request", r.request_id}}.dump();
  auto rp = self->make_response_promise<request_reply>();
  auto refused_denial = support_denial(self, auth.who, how == domain::request_state::denied ? "support.deny" : "support.cancel",
                                       {errc::internal, {}, {}}, ip, {{"request", request_id}}, r.realm_id);
  close_through_actor(self, owner->second, std::move(close), refused_denial, rp);
  return rp;
}

void lapse_request(registry_self self, const id& request_id) {
  auto& st = self->state;
  auto i = st.requests.find(request_id);
  auto owner = st.request_actors.find(request_id);
  if (i == st.requests.end() || owner == st.request_actors.end())
    return;
  request_close close;
  auto& r = close.request;
  r = i->second;
  r.state = domain::request_state::lapsed;
  r.decided_at = r.lapses_at;  // dated at its deadline, even when noticed after a restart
  notify_all(self, close.notes, realm_settings_of(st.dir, r.realm_id), domain::notification_kind::support_expired,
             support_values(st.dir, r.support_user, r.ticket, r.reason, r.portals, r.lapses_at, "nobody"),
             {r.support_user}, r.lapses_at);
  close.event = support_event(r.realm_id, "support.lapse", r.lapses_at, r.support_user, "");
  close.event.detail_json = nlohmann::json{{"request", r.request_id}}.dump();
  close_through_actor(self, owner->second, std::move(close), domain::denial{},
                      caf::typed_response_promise<request_reply>{});
}

void forget_request(registry_self self, const id& request_id, std::optional<domain::support_request> as_decided) {
  auto& st = self->state;
  auto i = st.requests.find(request_id);
  if (i == st.requests.end())
    return;
  auto r = as_decided ? std::move(*as_decided) : std::move(i->second);
  st.requests.erase(i);
  clear_banner(self, r);
  publish(self, {true, std::nullopt, r, std::nullopt});
  if (auto a = st.request_actors.find(request_id); a != st.request_actors.end()) {
    self->send(a->second, stop_atom::value);
    st.request_actors.erase(a);
  }
}

access_reply access(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}};
  const auto* caller = st.dir.find_user(auth.who.user_id);
  if (auth.who.kind != domain::token_kind::user || !caller->realm_id || !domain::is_superadmin_of(*caller, *caller->realm_id))
    return {errc::forbidden, {}};
  std::vector<domain::support_request> pending;
  for (const auto& [request_id, r] : st.requests)
    if (r.realm_id == *caller->realm_id)
      pending.push_back(r);
  auto grants = st.deps.reader->grants_of_realm(*caller->realm_id, 1000);
  return {std::nullopt, domain::access_status(st.dir, *caller->realm_id, grants, pending)};
}

void support_due(registry_self self, const id& owner, std::uint64_t cookie) {
  auto& st = self->state;
  if (cookie == lapse_cookie) {
    lapse_request(self, owner);
    return;
  }
  auto i = st.grants.find(owner);
  if (i == st.grants.end())
    return;
  const auto g = i->second;
  if (cookie == grant_warn_cookie) {
    std::vector<domain::notification> notes;
    auto recipients = superadmins_of(st.dir, g.realm_id);
    recipients.push_back(g.support_user);
    auto request = st.deps.reader->find_request(g.request_id);
    notify_all(self, notes, realm_settings_of(st.dir, g.realm_id), domain::notification_kind::support_ending_soon,
               support_values(st.dir, g.support_user, request ? request->ticket : "", request ? request->reason : "",
                              {g.portal_id}, g.expires_at, name_of(st.dir, g.support_user)),
               recipients, g.warn_at);
    // Every node holding the grant live arms its warning (and one that starts just after it was due sends
    // it late): each recipient's warning has one id per grant, and the job writes them only if the grant
    // is still active and none is there yet, with the grant's row locked, so it is sent once.
    for (auto& n : notes)
      n.notification_id = "ntf_" + crypto::sha256_hex(g.grant_id + "/support_ending_soon/" + n.user_id).substr(0, 32);
    auto written = std::make_shared<bool>(false);
    st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                      [notes, written, grant_id = g.grant_id](store::transaction& tx) {
                        *written = false;  // a run after a deadlock starts over
                        auto stored = tx.find_grant(grant_id);
                        if (!stored || stored->state != domain::grant_state::active || notes.empty() ||
                            tx.has_notification(notes.front().user_id, notes.front().notification_id))
                          return;
                        for (const auto& n : notes)
                          tx.put_notification(n);
                        *written = true;
                      },
                      [self, notes, written](bool ok) {
                        if (ok && *written)
                          push_notes(self, notes);
                      });
  } else if (cookie == grant_expire_cookie) {
    end_grants(self, {owner}, domain::grant_state::expired, std::nullopt, "", nullptr);
  }
}

void resume_support(registry_self self, std::vector<domain::support_request> requests,
                    std::vector<domain::support_grant> grants) {
  auto& st = self->state;
  auto at = now(self);
  for (auto& r : requests) {
    st.requests[r.request_id] = r;
    // An overdue lapse is due at once (the wheel fires past deadlines immediately), dated at its deadline.
    spawn_request(self, r);
    if (r.lapses_at > at)
      show_banner(self, r);
  }
  for (auto& g : grants) {
    st.grants[g.grant_id] = g;
    std::vector<timer_request> deadlines{{g.expires_at, grant_expire_cookie}};
    // A warning long past was sent before the restart; one just due (or missed while down) is sent now.
    if (g.warn_at + std::chrono::minutes{1} > at && g.warn_at < g.expires_at)
      deadlines.push_back({g.warn_at, grant_warn_cookie});
    spawn_grant(self, g.grant_id, std::move(deadlines));
  }
}

} // namespace actas::actors::detail
