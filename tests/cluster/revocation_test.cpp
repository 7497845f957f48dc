// SPEC §8 "Revocation holds cluster-wide": after the answer to a revoke made through one node, no node
// accepts the grant's token (authorize, REST) and its sockets on every node close.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <iostream>

#include "tests/cluster/cluster.hpp"

namespace actas::testing {
namespace {

constexpr int revoke_rounds = 6;

/// How many listening (doorbell) connections the nodes on this test's schema hold.
int doorbells(const std::string& url) {
  return pg_count(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' || current_schema() || '%'");
}

/// Rounds of: a grant made through a; its temporary admin holds a socket on c and calls authorize on b;
/// sara revokes it through a. `before_revoke` runs just before each revoke. Prints how long the revokes'
/// answers took (they wait for the other nodes, SPEC §8).
void revoke_while_in_use(cluster_test& t, const std::function<void()>& before_revoke) {
  auto& a = *t.nodes[0];
  auto& b = *t.nodes[1];
  auto& c = *t.nodes[2];
  const auto sam = login(a.port, "sam"), sara = login(a.port, "sara");
  std::vector<double> answer_ms;
  for (int round = 0; round < revoke_rounds; ++round) {
    // A grant made through a; its temporary admin's token.
    const auto request = ask_for_acme_eu(a.port, sam);
    ASSERT_FALSE(request.empty());
    auto granted = grant_acme_eu_answer(a.port, request, sara);
    ASSERT_EQ(granted.status, 201u) << granted.text;
    const auto grant = granted.body["grants"][0].value("id", "");
    auto minted = http(a.port, "POST", "/v1/support/grants/" + grant + "/token", {}, sam);
    ASSERT_EQ(minted.status, 200u) << minted.text;
    const auto token = minted.body.value("token", "");

    // The temporary admin holds a socket on c.
    auto ticket = http(c.port, "POST", "/v1/ws/ticket", {}, token);
    ASSERT_EQ(ticket.status, 200u) << ticket.text;
    ws_client socket;
    ASSERT_EQ(socket.connect(c.port, "/v1/ws?ticket=" + ticket.body.value("ticket", "")), 101u);
    ASSERT_TRUE(socket.read_until("hello"));

    // And calls authorize on b, one call after another; each notes whether it was sent after the revoke's
    // answer had arrived.
    std::atomic<bool> answered{false}, stop{false};
    std::atomic<int> allowed_before{0}, calls_after{0}, allowed_after{0};
    std::thread caller([&] {
      while (!stop) {
        const bool after = answered.load();
        auto r = http(b.port, "POST", "/v1/authorize", json{{"action", "courses.view"}}.dump(), token);
        const bool allowed = r.status == 200 && r.body.value("allowed", false);
        if (!after) {
          allowed_before += allowed;
          continue;
        }
        ++calls_after;
        allowed_after += allowed;
      }
    });
    ASSERT_TRUE(eventually([&] { return allowed_before >= 3; })) << "the grant's token was never allowed on b";
    before_revoke();
    const auto asked = std::chrono::steady_clock::now();
    auto revoked = http(a.port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant}}}.dump(), sara);
    answered = true;
    answer_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count());
    const bool called = eventually([&] { return calls_after >= 20; });
    stop = true;
    caller.join();
    ASSERT_EQ(revoked.status, 200u) << revoked.text;
    ASSERT_TRUE(called);
    EXPECT_EQ(allowed_after, 0) << "round " << round << ": b allowed the revoked grant's token after the answer";
    for (auto* n : {&a, &b, &c})
      EXPECT_EQ(http(n->port, "GET", "/v1/me", {}, token).status, 401u) << "round " << round;
    EXPECT_EQ(socket.expect_close(std::chrono::seconds{20}), std::optional<std::uint16_t>{1008}) << "round " << round;
  }
  std::sort(answer_ms.begin(), answer_ms.end());
  std::cout << "[ cluster  ] revoke answered after " << answer_ms.front() << " to " << answer_ms.back()
            << " ms (median " << answer_ms[answer_ms.size() / 2] << ")" << std::endl;
}

TEST_F(cluster_test, after_a_revoke_through_one_node_no_node_accepts_the_grant_and_its_socket_closes) {
  ASSERT_TRUE(eventually([&] { return doorbells(url) == node_count; })) << "every node listens on its doorbell";
  revoke_while_in_use(*this, [] {});
}

TEST_F(cluster_test, a_lost_doorbell_costs_a_poll_round_and_no_revocation) {
  ASSERT_TRUE(eventually([&] { return doorbells(url) == node_count; })) << "every node listens on its doorbell";
  // Before each revoke every node's listening connection is killed (as a database restart or a network
  // cut would): the other nodes learn the revoke from their poll, and the answer still waits for them.
  revoke_while_in_use(*this, [&] {
    pg_value(url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' || "
                  "current_schema() || '%'");
  });
  // And every node listens again by itself.
  EXPECT_TRUE(eventually([&] { return doorbells(url) == node_count; }));
}

TEST_F(cluster_test, a_node_paused_through_a_revoke_refuses_the_revoked_grant_when_it_wakes) {
  auto& a = *nodes[0];
  auto& b = *nodes[1];
  const auto sam = login(a.port, "sam"), sara = login(a.port, "sara");
  const auto request = ask_for_acme_eu(a.port, sam);
  ASSERT_FALSE(request.empty());
  auto granted = grant_acme_eu_answer(a.port, request, sara);
  ASSERT_EQ(granted.status, 201u) << granted.text;
  const auto grant = granted.body["grants"][0].value("id", "");
  const auto token = http(a.port, "POST", "/v1/support/grants/" + grant + "/token", {}, sam).body.value("token", "");
  const auto authorize_on_b = [&] {
    auto r = http(b.port, "POST", "/v1/authorize", json{{"action", "courses.view"}}.dump(), token);
    return r.status == 200 && r.body.value("allowed", false);
  };
  ASSERT_TRUE(authorize_on_b());

  // b sleeps through the revoke (a stopped VM, a long GC pause): it can neither hear the doorbell nor poll.
  ::kill(b.server.pid(), SIGSTOP);
  auto revoked = http(a.port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant}}}.dump(), sara);
  ::kill(b.server.pid(), SIGCONT);
  ASSERT_EQ(revoked.status, 200u) << revoked.text;
  // The answer came without b's acknowledgement, after the staleness bound: b, waking, knows it is behind
  // and refuses (node_stale) until it has caught up, then refuses because the grant is gone. Never allowed.
  for (int i = 0; i < 30; ++i) {
    EXPECT_FALSE(authorize_on_b()) << "call " << i << " after b woke";
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

} // namespace
} // namespace actas::testing
