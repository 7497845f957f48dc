// The timer wheel in virtual time: one tick early nothing, at the deadline it fires, in deadline order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actors/timer_wheel.hpp"

namespace actas::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

struct timer_wheel_test : ::testing::Test {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  actors::time_base times;
  actors::timer_actor wheel;
  std::shared_ptr<std::vector<std::uint64_t>> fired = std::make_shared<std::vector<std::uint64_t>>();
  actors::timer_client_actor client;

  void SetUp() override {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    times = {*domain::parse_utc("2026-11-21T09:00:00Z"), sys->clock().now()};
    wheel = sys->spawn(actors::timer_wheel, times);
    auto log = fired;
    // The log travels as a spawn argument: CAF 0.17 trips UBSan when a function is spawned with none.
    client = sys->spawn(
      [](actors::timer_client_actor::pointer, std::shared_ptr<std::vector<std::uint64_t>> into)
        -> actors::timer_client_actor::behavior_type {
        return {[into](actors::timeout_atom, std::uint64_t cookie) { into->push_back(cookie); }};
      },
      log);
  }
  void TearDown() override {
    caf::anon_send_exit(wheel, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    sched->run();
  }

  void at(caf::timespan offset, std::uint64_t cookie) {
    caf::anon_send(wheel, actors::schedule_atom::value, actors::timer_request{times.wall_origin + std::chrono::duration_cast<domain::duration>(offset), cookie}, client);
    sched->run();
  }
  void advance(caf::timespan d) {
    sched->advance_time(d);
    sched->run();
  }
};

TEST_F(timer_wheel_test, fires_at_the_deadline_not_a_tick_before) {
  at(10s, 1);
  advance(10s - 1us);
  EXPECT_TRUE(fired->empty());
  advance(1us);
  EXPECT_THAT(*fired, ElementsAre(1u));
}

TEST_F(timer_wheel_test, fires_in_deadline_order_whatever_the_order_of_requests) {
  at(30s, 3);
  at(10s, 1);
  at(20s, 2);
  at(20s, 22);
  advance(15s);
  EXPECT_THAT(*fired, ElementsAre(1u));
  advance(5s);
  EXPECT_THAT(*fired, ElementsAre(1u, 2u, 22u));
  advance(10s);
  EXPECT_THAT(*fired, ElementsAre(1u, 2u, 22u, 3u));
}

TEST_F(timer_wheel_test, an_earlier_request_rearms_and_the_stale_tick_fires_nothing_twice) {
  at(60s, 2);
  at(5s, 1);
  advance(5s);
  EXPECT_THAT(*fired, ElementsAre(1u));
  advance(55s);
  EXPECT_THAT(*fired, ElementsAre(1u, 2u));
  advance(10min);
  EXPECT_THAT(*fired, ElementsAre(1u, 2u));
}

TEST_F(timer_wheel_test, a_deadline_in_the_past_fires_at_once) {
  at(-1h, 7);
  EXPECT_THAT(*fired, ElementsAre(7u));
}

} // namespace
} // namespace actas::test
