#pragma once
/// One actor per impersonation session: it owns the session's two deadlines (the `ending_soon` warning
/// and the expiry) through the timer wheel, and the impersonation tabs with their banners. The session's
/// durable state changes only in the registry, which makes "ends exactly once" a property of one actor.
#include <string>

#include "actors/interfaces.hpp"
#include "actors/tabs.hpp"

namespace actas::actors {

/// Timer cookies of a session.
inline constexpr std::uint64_t warn_cookie = 1;
inline constexpr std::uint64_t expire_cookie = 2;

struct impersonation_state {
  domain::impersonation_session session;
  std::string actor_name;
  std::string target_name;
  registry_actor registry;
  tab_set tabs;
  bool warned = false;

  static inline const char* name = "impersonation";
};

impersonation_actor::behavior_type impersonation(
  impersonation_actor::stateful_pointer<impersonation_state> self, domain::impersonation_session session,
  std::string actor_name, std::string target_name, registry_actor registry, timer_actor timers);

} // namespace actas::actors
