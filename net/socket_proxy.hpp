#pragma once
/// The outbound half of the actor <-> socket contract (STYLE.md): each WebSocket connection has a small
/// proxy actor; actors hold only its handle, never the connection.
#include <memory>

#include "actors/interfaces.hpp"
#include "net/server_state.hpp"

namespace caf { class actor_system; }

namespace actas::net {

/// Where a proxy delivers: the connection. `deliver` is called on actor threads (inside the gate) and
/// must only post the event onto the connection's strand.
class live_sink {
public:
  virtual ~live_sink() = default;
  virtual void deliver(actors::live_event ev) = 0;
};

/// A proxy holding a weak pointer to `sink`: each live event goes to the sink while it exists and the
/// gate is open; otherwise the proxy quits (so the actors monitoring it forget it). The connection also
/// stops its proxy when it closes.
actors::socket_actor spawn_socket_proxy(caf::actor_system& sys, std::weak_ptr<live_sink> sink,
                                        std::shared_ptr<gate> open);

} // namespace actas::net
