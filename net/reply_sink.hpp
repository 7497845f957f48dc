#pragma once
/// The inbound half of the actor <-> socket contract, without a one-shot actor per request: the I/O
/// thread sends the registry a request whose sender is a reply sink, a tiny actor that is never
/// scheduled. Its `enqueue` receives the registry's answer (or CAF's timeout or "receiver down" error)
/// on whichever thread produced it and only posts it onto the connection's strand. A spawned one-shot
/// actor cost two more trips through the scheduler per request (its start and the answer), each a thread
/// wake-up on an idle machine; docs/design.md has the figures.
#include <chrono>
#include <functional>

#include <caf/actor_system.hpp>
#include <caf/message.hpp>
#include <caf/actor_control_block.hpp>

namespace actas::net {

/// Runs exactly once, with the answer: the reply's message, or a message holding a `caf::error`.
using answer_handler = std::function<void(caf::message&)>;

/// Sends `request` to `receiver` as a request; `on_answer` runs once with the answer, or with
/// `sec::request_timeout` after `timeout`, or with `sec::request_receiver_down` when `receiver` is gone.
/// `on_answer` may run on any thread (even inside this call): it must only post.
void send_request(caf::actor_system& sys, const caf::strong_actor_ptr& receiver, std::chrono::milliseconds timeout,
                  answer_handler on_answer, caf::message request);

} // namespace actas::net
