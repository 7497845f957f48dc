#pragma once
/// The inbound half of the actor <-> socket contract (STYLE.md): a request to the registry whose answer
/// (or failure) is posted back onto the connection's strand. No I/O thread ever waits for an actor. The
/// asking side is a reply sink (net/reply_sink.hpp) rather than a spawned one-shot actor.
#include <chrono>
#include <functional>
#include <type_traits>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/response_type.hpp>
#include <caf/sec.hpp>

#include "net/call.hpp"
#include "net/reply_sink.hpp"

namespace actas::net {

/// How long a request to the registry may take before it counts as failed.
inline constexpr std::chrono::seconds ask_timeout{10};

/// Sends `xs...` to the registry as a request with `ask_timeout`; `ok` (with the reply) or `fail` (with
/// CAF's error: timeout, registry down) then runs through `post`. The registry's interface must answer
/// `xs...` with `Reply`: checked at compile time, as `request` would.
template <class Reply, class... Ts>
void ask_registry(const services& sv, dispatcher post, std::function<void(Reply&)> ok,
                  std::function<void(const caf::error&)> fail, Ts... xs) {
  using answer = caf::response_type<actors::registry_actor::signatures,
                                    caf::detail::implicit_conversions_t<std::decay_t<Ts>>...>;
  static_assert(answer::valid, "the registry does not take this request");
  static_assert(std::is_same_v<typename answer::type, caf::detail::type_list<Reply>>,
                "the registry answers this request with another type");
  // Everything that keeps a connection alive moves along (handler → posted task), so once the answer
  // is posted the sink holds nothing of the connection.
  auto on_answer = [post = std::move(post), ok = std::move(ok), fail = std::move(fail)](caf::message& m) mutable {
    if (m.match_elements<Reply>()) {
      post([ok = std::move(ok), reply = std::move(m.get_mutable_as<Reply>(0))]() mutable { ok(reply); });
      return;
    }
    auto err = m.match_elements<caf::error>() ? m.get_as<caf::error>(0) : caf::make_error(caf::sec::unexpected_response);
    post([fail = std::move(fail), err = std::move(err)] { fail(err); });
  };
  send_request(*sv.system, caf::actor_cast<caf::strong_actor_ptr>(sv.registry), ask_timeout, std::move(on_answer),
               caf::make_message(std::move(xs)...));
}

} // namespace actas::net
