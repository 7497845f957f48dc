#include "net/reply_sink.hpp"

#include <atomic>

#include <caf/actor_clock.hpp>
#include <caf/actor_config.hpp>
#include <caf/make_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/monitorable_actor.hpp>

namespace actas::net {

namespace {

/// Every sink asks once, so one request id serves them all.
constexpr caf::message_id request_id = caf::make_message_id(std::uint64_t{1});

class reply_sink final : public caf::monitorable_actor {
public:
  reply_sink(caf::actor_config& cfg, answer_handler on_answer)
    : caf::monitorable_actor(cfg), on_answer_(std::move(on_answer)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit*) override {
    // The first answer wins: a late reply after the timeout (or the reverse) is dropped.
    if (answered_.exchange(true)) return;
    auto content = what->move_content_to_message();
    bool timed_out = content.match_elements<caf::error>() &&
                     content.get_as<caf::error>(0) == caf::make_error(caf::sec::request_timeout);
    // A real answer cancels the timeout, which holds this sink alive until it would fire.
    if (!timed_out) home_system().clock().cancel_request_timeout(this, request_id.response_id());
    auto handler = std::move(on_answer_);
    handler(content);
  }

private:
  answer_handler on_answer_;
  std::atomic<bool> answered_{false};
};

} // namespace

void send_request(caf::actor_system& sys, const caf::strong_actor_ptr& receiver, std::chrono::milliseconds timeout,
                  answer_handler on_answer, caf::message request) {
  caf::actor_config cfg;
  auto sink = caf::make_actor<reply_sink, caf::strong_actor_ptr>(sys.next_actor_id(), sys.node(), &sys, cfg,
                                                                 std::move(on_answer));
  auto& clock = sys.clock();
  clock.set_request_timeout(clock.now() + timeout, caf::actor_cast<caf::abstract_actor*>(sink),
                            request_id.response_id());
  if (!receiver) {
    sink->enqueue(caf::make_mailbox_element(nullptr, request_id.response_id(), {},
                                            caf::make_error(caf::sec::request_receiver_down)),
                  nullptr);
    return;
  }
  receiver->enqueue(caf::make_mailbox_element(sink, request_id, {}, std::move(request)), nullptr);
}

} // namespace actas::net
