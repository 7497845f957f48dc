// A wall clock set forward and back across restarts (issue 12, SPEC §7 "downtime counts"): the node's
// time never goes back, so no session gets time back. The shim (ACTAS_CLOCK_OFFSET_S) moves only the wall
// clock, as setting a machine's clock does; the boot clock the node anchors to keeps counting.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "fault_switch.hpp"
#include "tests/net/client.hpp"
#include "tests/net/demo_login.hpp"
#include "tests/net/process.hpp"

namespace actas::testing {
namespace {

using namespace std::chrono_literals;

struct session_seen {
  std::string id, started_at, expires_at, state, end_reason, ended_at;
};

session_seen seen(const http_result& r) {
  const auto& s = r.body["session"];
  auto text = [&](const char* field) { return s.contains(field) && s[field].is_string() ? s[field].get<std::string>() : ""; };
  return {text("id"), text("started_at"), text("expires_at"), text("state"), text("end_reason"), text("ended_at")};
}

class clock_jump_test : public ::testing::Test {
protected:
  /// The demo server with its wall clock moved by `offset_s`.
  process server(long offset_s) {
    auto env = faults_.env();
    env.push_back("ACTAS_CLOCK_OFFSET_S=" + std::to_string(offset_s));
    return process({"--demo", "--data", (dir_.path() / "data").string(), "--listen", "127.0.0.1:0", "--log-level",
                    "warn"},
                   env);
  }
  static session_seen start(std::uint16_t port, const std::string& bearer, const std::string& target) {
    auto r = http(port, "POST", "/v1/impersonations", json{{"target", target}, {"reason", demo_reason}}.dump(),
                  bearer);
    EXPECT_EQ(r.status, 201u) << r.text;
    return seen(r);
  }
  static session_seen get(std::uint16_t port, const std::string& bearer, const std::string& id) {
    auto r = http(port, "GET", "/v1/impersonations/" + id, {}, bearer);
    EXPECT_EQ(r.status, 200u) << r.text;
    return seen(r);
  }
  static void stop(process& p) {
    p.signal(SIGTERM);
    ASSERT_TRUE(p.wait_exit());
  }

  temp_dir dir_;
  fault_switch faults_{false};
};

TEST_F(clock_jump_test, a_clock_set_forward_then_back_across_restarts_never_lengthens_a_session) {
  session_seen s1, s2, s3;
  {
    auto a = server(0);
    auto port = listening_port(a);
    ASSERT_TRUE(port) << a.out_text << a.err_text;
    const auto sara = login(*port, "sara");
    one_minute_sessions(*port, sara);
    s1 = start(*port, login(*port, "pia"), "ann");
    stop(a);
  }
  {
    // The clock is set back an hour: pia's session keeps its deadline and nothing is dated before it.
    auto b = server(-3600);
    auto port = listening_port(b);
    ASSERT_TRUE(port) << b.out_text << b.err_text;
    const auto sara = login(*port, "sara");
    EXPECT_EQ(get(*port, sara, s1.id).state, "active");
    EXPECT_EQ(get(*port, sara, s1.id).expires_at, s1.expires_at);
    s2 = start(*port, sara, "bob");
    EXPECT_GE(s2.started_at, s1.started_at) << "the node's time went back with the clock";
    stop(b);
  }
  {
    // Set an hour forward: both deadlines passed, so both sessions end expired at them.
    auto c = server(3600);
    auto port = listening_port(c);
    ASSERT_TRUE(port) << c.out_text << c.err_text;
    const auto sara = login(*port, "sara");
    for (const auto& s : {s1, s2}) {
      auto now = get(*port, sara, s.id);
      EXPECT_EQ(now.state, "ended") << s.id;
      EXPECT_EQ(now.end_reason, "expired") << s.id;
      EXPECT_EQ(now.ended_at, s.expires_at) << s.id;
    }
    s3 = start(*port, login(*port, "pia"), "ann");
    stop(c);
  }
  // Set back to the truth: s3 was started at the node's time an hour ahead, and must not get that hour.
  auto d = server(0);
  auto port = listening_port(d);
  ASSERT_TRUE(port) << d.out_text << d.err_text;
  const auto sara = login(*port, "sara");
  const auto s4 = start(*port, sara, "bob");
  EXPECT_GE(s4.started_at, s3.started_at) << "the node's time went back with the clock";
  // It ends within its minute (bounded wait; without the anchor it would run for an hour more).
  session_seen now = get(*port, sara, s3.id);
  for (int i = 0; i < 240 && now.state == "active"; ++i) {
    std::this_thread::sleep_for(500ms);
    now = get(*port, sara, s3.id);
  }
  EXPECT_EQ(now.state, "ended");
  EXPECT_EQ(now.end_reason, "expired");
  EXPECT_EQ(now.ended_at, s3.expires_at);
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  EXPECT_EQ(verify.body["ok"], true) << verify.text;
}

} // namespace
} // namespace actas::testing
