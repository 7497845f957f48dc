#include "actors/user.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

namespace actas::actors {

namespace {

/// Keeps the banner state in step with what is pushed.
void remember(user_state& st, const live_event& ev) {
  if (auto* set = std::get_if<banner_set>(&ev))
    st.banners[{set->kind, set->key()}] = *set;
  else if (auto* cleared = std::get_if<banner_cleared>(&ev))
    st.banners.erase({cleared->kind, cleared->session_id});
}

void attach(user_actor::stateful_pointer<user_state> self, const socket_actor& tab, const std::string& token_hash,
            std::optional<resume_point> resumed) {
  self->monitor(tab);
  self->state.tabs.add(tab, token_hash, std::move(resumed));
  for (const auto& [key, banner] : self->state.banners)
    tab_set::push_one(self, tab, live_event{banner});
}

} // namespace

user_actor::behavior_type user(user_actor::stateful_pointer<user_state> self, id user_id) {
  self->state.user_id = std::move(user_id);
  self->set_down_handler([=](const caf::down_msg& down) { self->state.tabs.remove(down.source); });
  return guarded_behavior<user_actor::behavior_type>(
    "a user's actor",
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash) {
      attach(self, tab, token_hash, std::nullopt);
    },
    [=](attach_atom, const socket_actor& tab, const std::string& token_hash, resume_point& resumed) {
      attach(self, tab, token_hash, std::move(resumed));
    },
    [=](push_atom, const live_event& ev) {
      remember(self->state, ev);
      self->state.tabs.push(self, ev);
    },
    [=](drop_atom, const std::string& token_hash, std::uint16_t code) {
      self->state.tabs.close_token(self, token_hash, code, "token ended");
    }
  );
}

} // namespace actas::actors
