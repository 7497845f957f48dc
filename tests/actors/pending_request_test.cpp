// A support request's actor alone (actors/pending_request.hpp), fed its messages in exactly the orders the
// registry can produce, with a recording stand-in for the registry: its state machine, not the registry's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/pending_request.hpp"
#include "actors/timer_wheel.hpp"
#include "store/writer.hpp"

namespace actas::test {
namespace {

using namespace std::chrono_literals;

/// A writer whose jobs never come back (a batch still on its way to the disk).
class holding_writer : public store::writer {
public:
  void submit(job, done) override {}
  store::writer_stats stats() const override { return {}; }
  std::vector<store::chain_fault> broken_chains() const override { return {}; }
  void stop() override {}
};

/// The lapses the actor asked the registry for.
using lapse_log = std::shared_ptr<std::vector<std::string>>;

struct pending_request_test : ::testing::Test {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  lapse_log lapses = std::make_shared<std::vector<std::string>>();
  caf::actor registry;
  actors::timer_actor wheel;
  actors::request_actor request;
  domain::timestamp origin = *domain::parse_utc("2026-11-21T09:00:00Z");

  void SetUp() override {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    // Stands in for the registry: records (due, request, lapse) and nothing else.
    registry = sys->spawn(
      [](caf::event_based_actor*, lapse_log into) -> caf::behavior {
        return {[into](actors::due_atom, const std::string& owner, std::uint64_t) { into->push_back(owner); }};
      },
      lapses);
    wheel = sys->spawn(actors::timer_wheel, actors::time_base{origin, sys->clock().now()});
    actors::entity_deps deps;
    deps.writer = std::make_shared<holding_writer>();
    deps.registry = caf::actor_cast<actors::registry_actor>(registry);
    deps.timers = wheel;
    // Lapses far off: the tests send what the registry would.
    request = sys->spawn(actors::pending_request, std::string{"req_1"}, origin + 72h, deps);
    sched->run();
  }
  void TearDown() override {
    for (const auto& a : {caf::actor_cast<caf::actor>(request), caf::actor_cast<caf::actor>(wheel), registry})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
  }

  bool take() {
    caf::scoped_actor self{*sys};
    auto handle = self->request(request, caf::infinite, actors::take_atom::value);
    sched->run();
    bool taken = false;
    handle.receive([&](bool t) { taken = t; }, [&](const caf::error& e) { throw std::runtime_error(sys->render(e)); });
    return taken;
  }
  actors::close_outcome close_as_lapse() {
    actors::request_close lapse;
    lapse.request.request_id = "req_1";
    caf::scoped_actor self{*sys};
    auto handle = self->request(request, caf::infinite, actors::close_atom::value, lapse);
    sched->run();
    actors::close_outcome out;
    handle.receive([&](const actors::close_outcome& o) { out = o; },
                   [&](const caf::error& e) { throw std::runtime_error(sys->render(e)); });
    return out;
  }
};

TEST_F(pending_request_test, a_lapse_refused_while_an_allow_is_in_flight_is_asked_for_again_when_the_allow_is_not_written) {
  // The registry took the request for an allow, then the lapse it had already asked for arrived.
  ASSERT_TRUE(take());
  auto refused = close_as_lapse();
  ASSERT_TRUE(refused.refused);
  EXPECT_FALSE(refused.no_longer_pending);
  EXPECT_TRUE(lapses->empty());
  // The allow came back unwritten: the lapse is asked for again at once.
  caf::anon_send(request, actors::release_atom::value);
  sched->run();
  EXPECT_EQ(*lapses, std::vector<std::string>{"req_1"});
}

TEST_F(pending_request_test, a_second_decision_is_refused_while_one_is_in_flight) {
  ASSERT_TRUE(take());
  EXPECT_FALSE(take());
  caf::anon_send(request, actors::release_atom::value);
  sched->run();
  EXPECT_TRUE(take());
  EXPECT_TRUE(lapses->empty()) << "no lapse was due";
}

TEST_F(pending_request_test, a_close_in_flight_is_answered_when_the_actor_is_stopped) {
  // A deny on its way to the disk; meanwhile an allow of the same request, written through the registry
  // (a request made on another node), committed first and the registry stops the actor.
  actors::request_close deny;
  deny.request.request_id = "req_1";
  deny.request.state = domain::request_state::denied;
  deny.caller_id = "sara";
  caf::scoped_actor self{*sys};
  auto handle = self->request(request, 10s, actors::close_atom::value, deny);
  sched->run();
  caf::anon_send(request, actors::stop_atom::value);
  sched->run();
  sched->advance_time(10s);  // an unanswered request times out instead of blocking the test
  sched->run();
  std::optional<actors::close_outcome> answer;
  handle.receive([&](const actors::close_outcome& o) { answer = o; }, [](const caf::error&) {});
  ASSERT_TRUE(answer) << "the deny's asker was never answered";
  EXPECT_TRUE(answer->durable);
  EXPECT_TRUE(answer->no_longer_pending);
}

} // namespace
} // namespace actas::test
