#pragma once
/// The browser tabs an actor pushes to: socket proxies with the token hash each was opened with.
/// Shared by the user actor (a user's own tabs) and the impersonation actor (its impersonation tabs).
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/interfaces.hpp"

namespace actas::actors {

class tab_set {
public:
  void add(socket_actor tab, std::string token_hash, std::optional<resume_point> resumed = std::nullopt) {
    entry e{std::move(tab), std::move(token_hash), {}, {}};
    if (resumed) {
      e.replayed = {resumed->replayed.begin(), resumed->replayed.end()};
      resumed->replayed.clear();
      e.resumed = std::move(resumed);
    }
    tabs_.push_back(std::move(e));
  }

  /// Forgets a tab that went down (matched by address, as a down message carries only that).
  void remove(const caf::actor_addr& addr) {
    std::erase_if(tabs_, [&](const entry& e) { return e.tab.address() == addr; });
  }

  /// Sends `ev` to every tab, in attach order.
  template <class Self>
  void push(Self* self, const live_event& ev) {
    const auto* note = std::get_if<notification_pushed>(&ev);
    for (auto& e : tabs_) {
      // A resumed tab is not sent a notification it has (up to its resume point, or in its replay).
      if (note && e.resumed && (e.resumed->covers(note->item) || e.replayed.erase(note->item.notification_id) > 0))
        continue;
      self->send(e.tab, ev);
    }
  }

  /// Sends `ev` to one tab.
  template <class Self>
  static void push_one(Self* self, const socket_actor& tab, const live_event& ev) {
    self->send(tab, ev);
  }

  /// Closes and forgets the tabs opened with `token_hash`.
  template <class Self>
  void close_token(Self* self, const std::string& token_hash, std::uint16_t code, const std::string& why) {
    for (const auto& e : tabs_)
      if (e.token_hash == token_hash)
        self->send(e.tab, live_event{socket_close{code, why}});
    std::erase_if(tabs_, [&](const entry& e) { return e.token_hash == token_hash; });
  }

  std::size_t size() const { return tabs_.size(); }

private:
  struct entry {
    socket_actor tab;
    std::string token_hash;
    /// Notification ids sent in this tab's resume replay that a racing push may still bring.
    std::unordered_set<std::string> replayed;
    /// Set when the tab resumed (SPEC §6).
    std::optional<resume_point> resumed;
  };
  std::vector<entry> tabs_;
};

} // namespace actas::actors
