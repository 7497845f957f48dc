// SPEC §8 "Fail closed": PostgreSQL goes away for 5 s under three nodes. Every node then refuses
// impersonation tokens (node_stale) and reports not ready; when the database is back every node recovers
// by itself, and nothing acknowledged before the outage is lost. The database here is a server of the
// test's own (the suite's shared one serves other tests meanwhile).
#include <unistd.h>

#include <cstdlib>

#include "tests/cluster/cluster.hpp"

namespace actas::testing {
namespace {

class outage_test : public cluster_test {
public:
  std::string make_database() override {
    pg_dir = "/tmp/actas-pg-outage-" + std::to_string(::getpid());
    if (!throwaway("start")) return {};
    return "postgresql://postgres@/postgres?host=" + pg_dir;
  }
  void TearDown() override {
    cluster_test::TearDown();
    throwaway("stop");
  }
  bool throwaway(const std::string& what) {
    const auto cmd = "bash " + std::string(ACTAS_SOURCE_DIR) + "/scripts/pg-throwaway " + what + " " + pg_dir + " >/dev/null";
    return std::system(cmd.c_str()) == 0;
  }
  std::string pg_dir;
};

/// authorize's answer on `port` for `token`: {allowed, code}.
std::pair<bool, std::string> decide(std::uint16_t port, const std::string& token) {
  auto r = http(port, "POST", "/v1/authorize", json{{"action", "courses.view"}}.dump(), token, {}, std::chrono::seconds{5});
  if (r.status != 200) return {false, "http " + std::to_string(r.status)};
  return {r.body.value("allowed", false), r.body.value("code", json(nullptr)).is_string() ? r.body["code"].get<std::string>() : ""};
}

TEST_F(outage_test, every_node_fails_closed_while_the_database_is_down_and_recovers_by_itself) {
  const auto adam = login(nodes[0]->port, "adam");
  auto started =
    http(nodes[0]->port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto session = started.body["session"].value("id", "");
  const auto token = started.body.value("token", "");
  for (auto& n : nodes) ASSERT_TRUE(decide(n->port, token).first) << "before the outage, node " << n->port;

  ASSERT_TRUE(throwaway("halt"));
  // Every node turns stale by itself: impersonation tokens refused node_stale, /readyz 503.
  for (auto& n : nodes) {
    EXPECT_TRUE(eventually([&] { return decide(n->port, token).second == "node_stale"; }))
      << "node " << n->port << " still decided on an impersonation token without its database";
    EXPECT_TRUE(eventually([&] { return http(n->port, "GET", "/readyz").status == 503; })) << n->port;
  }
  std::this_thread::sleep_for(std::chrono::seconds{5});
  ASSERT_TRUE(throwaway("resume"));

  // Every node comes back by itself: ready, and the session is served again.
  for (auto& n : nodes) {
    EXPECT_TRUE(eventually([&] { return http(n->port, "GET", "/readyz").status == 200; }, std::chrono::seconds{60}))
      << "node " << n->port << " did not recover";
    EXPECT_TRUE(eventually([&] { return decide(n->port, token).first; }, std::chrono::seconds{60})) << n->port;
  }
  // What was acknowledged before the outage is there.
  EXPECT_EQ(pg_count(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.start' AND session = '" + session + "'"), 1);
  EXPECT_EQ(pg_value(url, "SELECT state FROM sessions WHERE session_id = '" + session + "'"), "active");
  // And an end now works, through any node.
  EXPECT_EQ(http(nodes[2]->port, "POST", "/v1/impersonations/" + session + "/end", "{}", adam).status, 200u);
}

} // namespace
} // namespace actas::testing
