#include "actors/dashboard.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

namespace actas::actors {

bool visible(const domain::dashboard_scope& scope, const dashboard_update& u) {
  if (u.session)
    return domain::sees(scope, u.session->realm_id, u.session->portal, u.session->target);
  if (u.grant)
    return domain::sees(scope, u.grant->realm_id, u.grant->portal_id);
  if (u.request)
    return scope.whole_realm && u.request->realm_id == scope.realm_id;
  return false;
}

// `unused` only exists because CAF 0.17 trips UBSan when a function is spawned without arguments.
dashboard_actor::behavior_type dashboard(dashboard_actor::stateful_pointer<dashboard_state> self, int) {
  self->set_down_handler([=](const caf::down_msg& down) {
    std::erase_if(self->state.subscribers, [&](const auto& s) { return s.tab.address() == down.source; });
  });
  return guarded_behavior<dashboard_actor::behavior_type>(
    "the dashboard",
    [=](subscribe_atom, const socket_actor& tab, const domain::dashboard_scope& scope,
        const std::vector<dashboard_update>& snapshot) {
      auto& subs = self->state.subscribers;
      if (std::any_of(subs.begin(), subs.end(), [&](const auto& s) { return s.tab == tab; }))
        return;  // one subscription per tab
      self->monitor(tab);
      for (const auto& row : snapshot)
        self->send(tab, live_event{row});
      self->state.subscribers.push_back({tab, scope});
    },
    [=](publish_atom, const dashboard_update& update) {
      auto shared = update;
      shared.encoded = std::make_shared<shared_encoding>();
      const live_event ev{std::move(shared)};
      for (const auto& s : self->state.subscribers)
        if (visible(s.scope, update))
          self->send(s.tab, ev);
    },
    [=](rescope_atom, const socket_actor& tab, bool keep, const domain::dashboard_scope& scope,
        const std::vector<dashboard_update>& diff) {
      auto& subs = self->state.subscribers;
      auto i = std::find_if(subs.begin(), subs.end(), [&](const auto& s) { return s.tab == tab; });
      if (i == subs.end())
        return;
      for (const auto& row : diff)
        self->send(tab, live_event{row});
      if (keep) {
        i->scope = scope;
        return;
      }
      subs.erase(i);
      self->demonitor(tab.address());
      self->send(tab, live_event{error_frame{domain::errc::forbidden}});
    }
  );
}

} // namespace actas::actors
