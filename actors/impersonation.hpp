#pragma once
/// One actor per impersonation session: it owns the session's two deadlines (the `ending_soon` warning
/// and the expiry) through the timer wheel, the impersonation tabs with their banners, and the session's
/// end: the registry decides it on its caches, this actor writes it (again until durable), closes its tabs
/// and reports it durable to the registry once (SPEC §6 "Concurrency").
#include <string>

#include "actors/end_writer.hpp"
#include "actors/tabs.hpp"

namespace actas::actors {

/// Timer cookies of a session.
inline constexpr std::uint64_t warn_cookie = 1;
inline constexpr std::uint64_t expire_cookie = 2;

struct impersonation_state {
  entity_deps deps;
  domain::impersonation_session session;
  std::string actor_name;
  std::string target_name;
  tab_set tabs;
  bool warned = false;
  /// The end as the registry decided it, once it did; from then on the deadlines are ignored.
  end_writer end;

  static inline const char* name = "impersonation";
};

impersonation_actor::behavior_type impersonation(
  impersonation_actor::stateful_pointer<impersonation_state> self, domain::impersonation_session session,
  std::string actor_name, std::string target_name, entity_deps deps);

} // namespace actas::actors
