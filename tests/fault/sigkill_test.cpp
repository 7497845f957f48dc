// SIGKILL at random moments (issue 12): a client starts and ends sessions as fast as the server answers
// while the process is killed after a random number of answers, ten times over the same data. After each
// restart every acknowledged change is there (a 201'd start exists, a 200'd end is ended), the file
// passes PRAGMA integrity_check and the realm's chain verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "file_query.hpp"
#include "tests/net/client.hpp"
#include "tests/net/demo_login.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::testing {
namespace {

const std::string& reason = demo_reason;

/// What the client was told, in order.
struct acknowledged {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> started;  ///< answered 201
  std::vector<std::string> ended;    ///< answered 200
  std::size_t count() {
    return started.size() + ended.size();
  }
};

/// Starts and ends sara's sessions on ann until the server stops answering.
void churn(std::uint16_t port, const std::string& sara, acknowledged& acks) {
  for (;;) {
    auto s = http(port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", reason}}.dump(), sara);
    if (s.status == 0) return;
    std::string id;
    if (s.status == 201) {
      id = s.body["session"]["id"];
      std::lock_guard lock(acks.mu);
      acks.started.push_back(id);
      acks.cv.notify_all();
    } else {
      // A start whose answer was lost to the last kill may still run: end whatever is active.
      auto active = http(port, "GET", "/v1/impersonations?state=active", {}, sara);
      if (active.status == 0) return;
      if (active.body["sessions"].empty()) continue;
      id = active.body["sessions"][0]["id"];
    }
    auto e = http(port, "POST", "/v1/impersonations/" + id + "/end", "{}", sara);
    if (e.status == 0) return;
    if (e.status == 200) {
      std::lock_guard lock(acks.mu);
      acks.ended.push_back(id);
      acks.cv.notify_all();
    }
  }
}

TEST(sigkill_test, every_acknowledged_change_survives_ten_kills_at_random_moments) {
  temp_dir dir;
  const auto data = (dir.path() / "data").string();
  const std::vector<std::string> args{"--demo", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "error"};
  std::mt19937 rng(std::random_device{}());
  std::string sara;
  acknowledged acks;

  for (int round = 0; round < 10; ++round) {
    process server(args);
    auto port = listening_port(server);
    ASSERT_TRUE(port) << server.out_text << server.err_text;
    if (sara.empty()) {
      sara = login(*port, "sara");
      ASSERT_FALSE(sara.empty());
    }

    // Everything acknowledged before this start is there.
    {
      std::lock_guard lock(acks.mu);
      for (const auto& id : acks.started) {
        auto s = http(*port, "GET", "/v1/impersonations/" + id, {}, sara);
        EXPECT_EQ(s.status, 200u) << "round " << round << ": started session " << id << " is gone";
      }
      for (const auto& id : acks.ended) {
        auto s = http(*port, "GET", "/v1/impersonations/" + id, {}, sara);
        EXPECT_EQ(s.body["session"]["state"], "ended") << "round " << round << ": ended session " << id;
      }
    }
    auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
    EXPECT_EQ(verify.body["ok"], true) << "round " << round << ": " << verify.text;

    // Kill after a random number of further answers, while the client's next request is in flight.
    const std::size_t more = std::uniform_int_distribution<std::size_t>(1, 12)(rng);
    std::size_t target;
    {
      std::lock_guard lock(acks.mu);
      target = acks.count() + more;
    }
    std::thread client(churn, *port, sara, std::ref(acks));
    {
      std::unique_lock lock(acks.mu);
      EXPECT_TRUE(acks.cv.wait_for(lock, 60s, [&] { return acks.count() >= target; })) << "round " << round;
    }
    server.signal(SIGKILL);
    ASSERT_TRUE(server.wait_exit());
    client.join();
    EXPECT_EQ(file_query(data + "/actas.db", "PRAGMA integrity_check"), "ok") << "round " << round;
  }
  EXPECT_GE(acks.started.size(), 5u);
}

} // namespace
} // namespace actas::testing
