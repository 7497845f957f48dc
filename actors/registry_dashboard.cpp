/// The registry's side of the live dashboard: who may subscribe (with the snapshot of its scope), and
/// publishing every change once to the hub.
#include <caf/all.hpp>

#include "actors/dashboard.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

void publish(registry_self self, dashboard_update update) {
  if (self->state.deps.dashboard)
    self->send(self->state.deps.dashboard, publish_atom::value, std::move(update));
}

void subscribe(registry_self self, const socket_actor& tab, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  const auto* u = auth.error ? nullptr : st.dir.find_user(auth.who.user_id);
  // An impersonation tab is the learner's view: no dashboard there, whoever the actor is.
  std::optional<domain::dashboard_scope> scope;
  if (u && auth.who.kind != store::token_kind::impersonation)
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
  auto add = [&](dashboard_update u) {
    if (visible(*scope, u))
      snapshot.push_back(std::move(u));
  };
  for (const auto& [session_id, live] : st.sessions)
    if (live.handle)
      add({false, live.session, std::nullopt, std::nullopt});
  for (const auto& [request_id, r] : st.requests)
    add({false, std::nullopt, r, std::nullopt});
  for (const auto& [grant_id, g] : st.grants)
    add({false, std::nullopt, std::nullopt, g});
  self->send(st.deps.dashboard, subscribe_atom::value, tab, *scope, std::move(snapshot));
}

} // namespace actas::actors::detail
