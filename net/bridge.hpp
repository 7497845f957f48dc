#pragma once
/// The inbound half of the actor <-> socket contract (STYLE.md): a one-shot actor asks the registry and
/// both outcomes are posted back onto the connection's strand. No I/O thread ever waits for an actor.
#include <chrono>
#include <functional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>

#include "net/call.hpp"

namespace actas::net {

/// How long a request to the registry may take before it counts as failed.
inline constexpr std::chrono::seconds ask_timeout{10};

/// Spawns a one-shot actor that sends `xs...` to the registry with `ask_timeout`; `ok` (with the reply) or
/// `fail` (with CAF's error: timeout, registry down) then runs through `post`. The actor ends after the one
/// answer. The registry handle travels as the spawn argument: CAF 0.17 trips UBSan on argument-less spawns.
template <class Reply, class... Ts>
void ask_registry(const services& sv, dispatcher post, std::function<void(Reply&)> ok,
                  std::function<void(const caf::error&)> fail, Ts... xs) {
  // Everything that keeps a connection alive is moved along (functor → handler → posted task), so once
  // the answer is posted the actor holds nothing of the connection.
  sv.system->spawn(
    [post = std::move(post), ok = std::move(ok), fail = std::move(fail),
     ... xs = std::move(xs)](caf::event_based_actor* self, const actors::registry_actor& registry) mutable {
      auto shared_post = std::make_shared<dispatcher>(std::move(post));
      self->request(registry, ask_timeout, std::move(xs)...)
        .then(
          [shared_post, ok = std::move(ok)](Reply& reply) mutable {
            (*shared_post)([ok = std::move(ok), reply = std::move(reply)]() mutable { ok(reply); });
          },
          [shared_post, fail = std::move(fail)](caf::error& err) mutable {
            (*shared_post)([fail = std::move(fail), err = std::move(err)] { fail(err); });
          });
    },
    sv.registry);
}

} // namespace actas::net
