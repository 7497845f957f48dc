#pragma once
/// The dashboard hub: it keeps the subscribed tabs and their scopes, so the registry publishes a change
/// once and never loops over thousands of sockets itself.
#include <vector>

#include "actors/interfaces.hpp"

namespace actas::actors {

struct dashboard_state {
  struct subscriber {
    socket_actor tab;
    domain::dashboard_scope scope;
  };
  std::vector<subscriber> subscribers;
  static inline const char* name = "dashboard";
};

/// Whether a subscriber with `scope` sees `update` (requests: only superadmins, who may answer them).
bool visible(const domain::dashboard_scope& scope, const dashboard_update& update);

dashboard_actor::behavior_type dashboard(dashboard_actor::stateful_pointer<dashboard_state> self, int unused);

} // namespace actas::actors
