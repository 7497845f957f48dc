#pragma once
/// One actor per user: its own open tabs, and the banners that apply to them (live state, replayed to
/// every tab that connects later).
#include <map>
#include <string>
#include <utility>

#include "actors/interfaces.hpp"
#include "actors/tabs.hpp"

namespace actas::actors {

struct user_state {
  id user_id;
  tab_set tabs;
  /// Current banners by (kind, session id).
  std::map<std::pair<std::string, id>, banner_set> banners;

  static inline const char* name = "user";
};

user_actor::behavior_type user(user_actor::stateful_pointer<user_state> self, id user_id);

} // namespace actas::actors
