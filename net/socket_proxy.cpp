#include "net/socket_proxy.hpp"

#include <caf/all.hpp>

namespace actas::net {

namespace {

actors::socket_actor::behavior_type socket_proxy(actors::socket_actor::pointer self, std::weak_ptr<live_sink> sink,
                                                 std::shared_ptr<gate> open) {
  return {
    [=](const actors::live_event& ev) {
      bool delivered = false;
      // The connection is locked only inside the gate: once the server closes it, no actor thread can
      // hold a connection alive past the I/O side.
      open->run_if_open([&] {
        if (auto s = sink.lock()) {
          s->deliver(ev);
          delivered = true;
        }
      });
      if (!delivered) self->quit();
    },
  };
}

} // namespace

actors::socket_actor spawn_socket_proxy(caf::actor_system& sys, std::weak_ptr<live_sink> sink,
                                        std::shared_ptr<gate> open) {
  return sys.spawn(socket_proxy, std::move(sink), std::move(open));
}

void proxy_book::add(const actors::socket_actor& proxy) {
  std::lock_guard lock(mutex_);
  proxies_.emplace(proxy.id(), proxy);
}

void proxy_book::remove(const actors::socket_actor& proxy) {
  std::lock_guard lock(mutex_);
  proxies_.erase(proxy.id());
}

void proxy_book::stop_all() {
  std::unordered_map<std::uint64_t, actors::socket_actor> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(proxies_);
  }
  for (auto& [id, proxy] : all) caf::anon_send_exit(proxy, caf::exit_reason::user_shutdown);
}

void proxy_book::close_all(std::uint16_t code, const std::string& why) {
  std::vector<actors::socket_actor> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, proxy] : proxies_) all.push_back(proxy);
  }
  for (const auto& proxy : all) caf::anon_send(proxy, actors::live_event{actors::socket_close{code, why}});
}

} // namespace actas::net
