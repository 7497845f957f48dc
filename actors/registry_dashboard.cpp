/// The registry's side of the live dashboard: who may subscribe (with the snapshot of its scope), keeping a
/// subscribed tab's scope in step with its user, and publishing every change once to the hub.
#include <caf/all.hpp>

#include "actors/dashboard.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

namespace {

/// Every row the dashboard can show now: running sessions, pending requests, active grants.
template <class F>
void for_each_row(const registry_state& st, F&& f) {
  for (const auto& [session_id, live] : st.sessions)
    if (live.handle)
      f(dashboard_update{false, live.session, std::nullopt, std::nullopt});
  for (const auto& [request_id, r] : st.requests)
    f(dashboard_update{false, std::nullopt, r, std::nullopt});
  for (const auto& [grant_id, g] : st.grants)
    f(dashboard_update{false, std::nullopt, std::nullopt, g});
}

} // namespace

void publish(registry_self self, dashboard_update update) {
  if (self->state.deps.dashboard)
    self->send(self->state.deps.dashboard, publish_atom::value, std::move(update));
}

void subscribe(registry_self self, const socket_actor& tab, const std::string& token_hash) {
  auto& st = self->state;
  // A repeated subscribe on the same socket is the same subscription: no second snapshot, no second row.
  if (st.dashboard_tabs.contains(tab.address()))
    return;
  auto auth = authenticate(self, token_hash);
  const auto* u = auth.error ? nullptr : st.dir.find_user(auth.who.user_id);
  // An impersonation tab is the learner's view: no dashboard there, whoever the actor is.
  std::optional<domain::dashboard_scope> scope;
  if (u && auth.who.kind != domain::token_kind::impersonation)
    scope = domain::dashboard_scope_of(st.dir, *u);
  if (!scope && auth.error) {
    self->send(tab, live_event{error_frame{domain::errc::unauthenticated}});
    return;
  }
  if (!scope) {
    // A refused subscription is audited (SPEC §5); the tab hears of it once the event is durable.
    auto d = denial_by(self, auth.who, "ws.subscribe", domain::errc::forbidden, "");
    d.texts.emplace("topic", "dashboard");
    auto tell = [self, tab](bool) { self->send(tab, live_event{error_frame{domain::errc::forbidden}}); };
    if (admit_denial(self, d))
      write_denial(self, d, tell);
    else
      tell(true);
    return;
  }
  std::vector<dashboard_update> snapshot;
  for_each_row(st, [&](dashboard_update row) {
    if (visible(*scope, row))
      snapshot.push_back(std::move(row));
  });
  self->monitor(tab);
  st.dashboard_tabs.emplace(tab.address(), dashboard_tab{tab, u->user_id, *scope});
  self->send(st.deps.dashboard, subscribe_atom::value, tab, *scope, std::move(snapshot));
}

void rescope_dashboards(registry_self self, const domain::user& changed) {
  auto& st = self->state;
  std::optional<domain::dashboard_scope> now_scope = domain::dashboard_scope_of(st.dir, changed);
  for (auto i = st.dashboard_tabs.begin(); i != st.dashboard_tabs.end();) {
    auto& sub = i->second;
    if (sub.user_id != changed.user_id || sub.scope == now_scope) {
      ++i;
      continue;
    }
    // The tab loses the rows it may no longer see and gains the ones it now may.
    std::vector<dashboard_update> diff;
    for_each_row(st, [&](dashboard_update row) {
      bool before = visible(sub.scope, row), after = now_scope && visible(*now_scope, row);
      if (before == after)
        return;
      row.removed = before;
      diff.push_back(std::move(row));
    });
    self->send(st.deps.dashboard, rescope_atom::value, sub.tab, now_scope.has_value(),
               now_scope.value_or(domain::dashboard_scope{}), std::move(diff));
    if (now_scope) {
      sub.scope = *now_scope;
      ++i;
    } else {
      i = st.dashboard_tabs.erase(i);  // the hub ends the subscription; a new subscribe is refused
    }
  }
}

void rescope_all_dashboards(registry_self self) {
  auto& st = self->state;
  std::set<id> users;
  for (const auto& [addr, sub] : st.dashboard_tabs)
    users.insert(sub.user_id);
  for (const auto& user_id : users)
    if (const auto* u = st.dir.find_user(user_id))
      rescope_dashboards(self, *u);
}

void forget_dashboard_tab(registry_self self, const caf::actor_addr& tab) { self->state.dashboard_tabs.erase(tab); }

} // namespace actas::actors::detail
