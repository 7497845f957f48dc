#include "net/settled.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "net/bridge.hpp"
#include "net/call.hpp"

namespace actas::net {

handler once_settled(handler h) {
  return [h = std::move(h)](call_ptr c) {
    // The wrapper holds what it needs of the call, not the call itself (the call owns the wrapper).
    c->respond = [sv = c->sv, post = c->post, request_id = c->req.request_id,
                  answer = std::make_shared<std::function<void(response)>>(std::move(c->respond))](response r) {
      if (r.status < 200 || r.status >= 300)
        return (*answer)(std::move(r));
      auto held = std::make_shared<response>(std::move(r));
      ask_registry<bool>(
        *sv, post, [answer, held](bool&) { (*answer)(std::move(*held)); },
        // The change is committed: the answer goes anyway once the registry could not say (the other
        // nodes have turned stale by then if they did not follow).
        [answer, held, request_id](const caf::error& err) {
          spdlog::warn("request {}: the cluster's acknowledgement was not had ({})", request_id, caf::to_string(err));
          (*answer)(std::move(*held));
        },
        actors::settled_atom::value);
    };
    h(std::move(c));
  };
}

} // namespace actas::net
