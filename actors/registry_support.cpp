/// Support access requests (SPEC §3.1): filed by support staff, seen live by every superadmin of the realm,
/// denied, cancelled or lapsed; and the access status list.
#include <caf/all.hpp>

#include "actors/answer_when_durable.hpp"
#include "actors/decision_view.hpp"
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

/// A request being denied, cancelled or lapsing: as decided on arrival, then as its transaction found it.
struct close_plan {
  domain::support_request request;  // its new state
  std::optional<id> caller_id;      // none for a lapse
  portal_tree tree;
  std::vector<domain::notification> notes;
  domain::audit_event ev;
  // Decided inside the transaction:
  std::optional<refusal> refused;
  bool still_pending = false;  // as the store has it (a refused close may leave it pending)
};

/// Runs on the writer: re-reads the caller and the request (locked) and closes it only if the caller may
/// and it is still pending there. So a deny racing a grant (or a lapse) finds the other committed, and a
/// lapse never overwrites a decision made in time.
void decide_close(store::transaction& tx, close_plan& plan) {
  plan.refused.reset();  // a run after a deadlock starts over (store::writer::job)
  auto stored = tx.find_request(plan.request.request_id);
  plan.still_pending = stored && stored->pending();
  if (plan.caller_id) {
    auto committed = read_in(tx, plan.tree, {*plan.caller_id});
    if (auto gone = caller_gone(committed, *plan.caller_id)) {
      plan.refused = refusal{*gone, {}, {}};
      return;
    }
    const auto& caller = *committed.find_user(*plan.caller_id);
    bool may = plan.request.state == domain::request_state::denied
                 ? domain::is_superadmin_of(caller, plan.request.realm_id)
                 : caller.user_id == plan.request.support_user;
    if (!may) {
      plan.refused = refusal{errc::not_found, {}, {}};
      return;
    }
  }
  if (!plan.still_pending) {
    plan.refused = refusal{errc::session_ended, {}, "the request is no longer pending"};
    return;
  }
  tx.put_request(plan.request);
  for (const auto& n : plan.notes)
    tx.put_notification(n);
  tx.append_audit(plan.ev);
}

/// Closes a request in its transaction; then clears the banners and answers (a lapse has no promise and
/// no denial: `refused_denial` is only used when there is a caller).
void settle(registry_self self, std::shared_ptr<close_plan> plan, domain::denial refused_denial,
            caf::typed_response_promise<request_reply> rp) {
  auto& st = self->state;
  const auto& r = plan->request;
  st.requests.erase(r.request_id);
  st.deciding_requests.insert(r.request_id);
  stop_timer(self, r.request_id);
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [plan](store::transaction& tx) { decide_close(tx, *plan); },
                    [self, plan, refused_denial, rp](bool ok) mutable {
                      auto& st = self->state;
                      const auto& r = plan->request;
                      st.deciding_requests.erase(r.request_id);
                      const request_reply unavailable{{errc::audit_unavailable, {}, {}}, {}};
                      if (!ok || plan->refused) {
                        // Not written: a request the store still has pending stays so here too.
                        if (!ok || plan->still_pending) {
                          auto back = r;
                          back.state = domain::request_state::pending;
                          back.decided_at.reset();
                          back.decided_by.reset();
                          st.requests[back.request_id] = back;
                          start_timer(self, back.request_id, {{back.lapses_at, lapse_cookie}});
                        }
                        if (!rp.pending())
                          return;
                        if (!ok) {
                          rp.deliver(unavailable);
                          return;
                        }
                        auto d = refused_denial;
                        d.code = plan->refused->error.value_or(errc::forbidden);
                        refuse_to(self, d, rp, request_reply{*plan->refused, {}}, unavailable);
                        return;
                      }
                      clear_banner(self, r);
                      push_notes(self, plan->notes);
                      publish(self, {true, std::nullopt, r, std::nullopt});
                      if (rp.pending())
                        rp.deliver(request_reply{{}, r});
                    });
}

} // namespace

caf::result<request_reply> create_request(registry_self self, const request_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return request_reply{{errc::unauthenticated, {}, {}}, {}};
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
                               start_timer(self, r.request_id, {{r.lapses_at, lapse_cookie}});
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
    return request_reply{{errc::unauthenticated, {}, {}}, {}};
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
  if (i == st.requests.end() || st.deciding_requests.count(request_id))
    return denied({errc::session_ended, {}, "the request is no longer pending"}, *known);
  auto plan = std::make_shared<close_plan>();
  auto& r = plan->request;
  r = i->second;
  auto at = now(self);
  r.state = how;
  r.decided_at = at;
  r.decided_by = caller->user_id;
  plan->caller_id = caller->user_id;
  plan->tree = tree_of(st.dir, {r.realm_id});
  if (how == domain::request_state::denied)
    notify_all(self, plan->notes, realm_settings_of(st.dir, r.realm_id), domain::notification_kind::support_denied,
               support_values(st.dir, r.support_user, r.ticket, r.reason, r.portals, std::nullopt, name_of(st.dir, caller->user_id)),
               {r.support_user}, at);
  plan->ev = support_event(r.realm_id, how == domain::request_state::denied ? "support.deny" : "support.cancel", at,
                           caller->user_id, ip);
  plan->ev.detail_json = nlohmann::json{{"request", r.request_id}}.dump();
  auto rp = self->make_response_promise<request_reply>();
  auto refused_denial = support_denial(self, auth.who, how == domain::request_state::denied ? "support.deny" : "support.cancel",
                                       {errc::internal, {}, {}}, ip, {{"request", request_id}}, r.realm_id);
  settle(self, plan, refused_denial, rp);
  return rp;
}

void lapse_request(registry_self self, const id& request_id) {
  auto& st = self->state;
  auto i = st.requests.find(request_id);
  if (i == st.requests.end())
    return;
  auto plan = std::make_shared<close_plan>();
  auto& r = plan->request;
  r = i->second;
  r.state = domain::request_state::lapsed;
  r.decided_at = r.lapses_at;  // dated at its deadline, even when noticed after a restart
  notify_all(self, plan->notes, realm_settings_of(st.dir, r.realm_id), domain::notification_kind::support_expired,
             support_values(st.dir, r.support_user, r.ticket, r.reason, r.portals, r.lapses_at, "nobody"),
             {r.support_user}, r.lapses_at);
  plan->ev = support_event(r.realm_id, "support.lapse", r.lapses_at, r.support_user, "");
  plan->ev.detail_json = nlohmann::json{{"request", r.request_id}}.dump();
  settle(self, plan, domain::denial{}, caf::typed_response_promise<request_reply>{});
}

access_reply access(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {errc::unauthenticated, {}};
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
    st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                      [notes](store::transaction& tx) {
                        for (const auto& n : notes)
                          tx.put_notification(n);
                      },
                      [self, notes](bool ok) {
                        if (ok)
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
    start_timer(self, r.request_id, {{r.lapses_at, lapse_cookie}});
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
