// The reply sink that asks actors on behalf of connections: exactly one answer per request, whether the
// receiver answers, has died, or stays silent past the timeout (CAF's test coordinator: virtual time).
#include "net/reply_sink.hpp"

#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

namespace actas::net {
namespace {

using namespace std::chrono_literals;

/// Doubles an int; takes a string and never answers it (until told to with "now").
caf::behavior doubler(caf::event_based_actor* self, int /*unused: CAF 0.17 trips UBSan on argument-less spawns*/) {
  auto held = std::make_shared<std::vector<caf::response_promise>>();
  return {
    [](int x) { return x * 2; },
    [self, held](const std::string& s) -> caf::result<int> {
      if (s == "now") {
        for (auto& rp : *held) rp.deliver(42);
        held->clear();
        return 0;
      }
      held->push_back(self->make_response_promise());
      return caf::delegated<int>{};
    },
  };
}

struct answers {
  std::vector<std::string> seen;
  answer_handler handler() {
    return [this](caf::message& m) {
      if (m.match_elements<int>())
        seen.push_back("int " + std::to_string(m.get_as<int>(0)));
      else if (m.match_elements<caf::error>())
        seen.push_back("error " + caf::to_string(m.get_as<caf::error>(0)));
      else
        seen.push_back("other");
    };
  }
};

class reply_sink_test : public ::testing::Test {
protected:
  reply_sink_test() : sys_(configured(cfg_)), sched_(dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())) {}

  static caf::actor_system_config& configured(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    return cfg;
  }

  caf::strong_actor_ptr spawn_doubler() { return caf::actor_cast<caf::strong_actor_ptr>(sys_.spawn(doubler, 0)); }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  caf::scheduler::test_coordinator& sched_;
};

TEST_F(reply_sink_test, an_answer_arrives_once) {
  auto d = spawn_doubler();
  sched_.run();
  answers a;
  send_request(sys_, d, 10s, a.handler(), caf::make_message(21));
  EXPECT_TRUE(a.seen.empty()) << "nothing before the receiver ran";
  sched_.run();
  EXPECT_EQ(a.seen, std::vector<std::string>{"int 42"});
  sched_.clock().advance_time(11s);
  sched_.run();
  EXPECT_EQ(a.seen, std::vector<std::string>{"int 42"}) << "the cancelled timeout must not answer again";
}

TEST_F(reply_sink_test, a_receiver_that_is_gone_answers_receiver_down) {
  auto d = spawn_doubler();
  sched_.run();
  caf::anon_send_exit(caf::actor_cast<caf::actor>(d), caf::exit_reason::user_shutdown);
  sched_.run();
  answers a;
  send_request(sys_, d, 10s, a.handler(), caf::make_message(21));
  sched_.run();
  ASSERT_EQ(a.seen.size(), 1u);
  EXPECT_NE(a.seen[0].find("request_receiver_down"), std::string::npos) << a.seen[0];
}

TEST_F(reply_sink_test, no_receiver_at_all_answers_receiver_down) {
  answers a;
  send_request(sys_, nullptr, 10s, a.handler(), caf::make_message(21));
  ASSERT_EQ(a.seen.size(), 1u);
  EXPECT_NE(a.seen[0].find("request_receiver_down"), std::string::npos) << a.seen[0];
}

TEST_F(reply_sink_test, a_silent_receiver_times_out_at_the_deadline_and_a_late_answer_is_dropped) {
  auto d = spawn_doubler();
  sched_.run();
  answers a;
  send_request(sys_, d, 10s, a.handler(), caf::make_message(std::string{"later"}));
  sched_.run();
  sched_.clock().advance_time(9s);
  sched_.run();
  EXPECT_TRUE(a.seen.empty()) << "one second before the deadline";
  sched_.clock().advance_time(1s);
  sched_.run();
  ASSERT_EQ(a.seen.size(), 1u);
  EXPECT_NE(a.seen[0].find("request_timeout"), std::string::npos) << a.seen[0];
  caf::anon_send(caf::actor_cast<caf::actor>(d), std::string{"now"});
  sched_.run();
  EXPECT_EQ(a.seen.size(), 1u) << "the late answer must not run the handler again";
}

} // namespace
} // namespace actas::net
