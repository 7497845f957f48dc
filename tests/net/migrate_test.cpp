// SPEC §8 `actas migrate`: a demo node's SQLite database, with a running impersonation in it, moves into
// PostgreSQL; the node started on PostgreSQL knows the same people and passwords, the session and its
// token, and verifies the same chain; a second migrate into the now non-empty target is refused.
// Runs in the PostgreSQL run only (tests/net/CMakeLists.txt).
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client.hpp"
#include "demo_login.hpp"
#include "process.hpp"
#include "tests/store/temp_dir.hpp"
#include "tests/store/test_database.hpp"

namespace actas::testing {
namespace {

using nlohmann::json;

process start_node(const std::string& data, const std::vector<std::string>& env, bool demo) {
  std::vector<std::string> args{"--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn"};
  if (demo) args.push_back("--demo");
  return process(args, env);
}

/// Runs `actas migrate ARGS…` to its end; the exit code and what it printed.
struct migrate_run {
  int code = -1;
  std::string out, err;
};
migrate_run migrate(const std::vector<std::string>& args) {
  std::vector<std::string> all{"migrate"};
  all.insert(all.end(), args.begin(), args.end());
  process p(all);
  auto status = p.wait_exit(std::chrono::seconds(120));
  migrate_run r;
  r.out = p.out_text;
  r.err = p.err_text;
  if (status && WIFEXITED(*status)) r.code = WEXITSTATUS(*status);
  return r;
}

TEST(migrate_test, a_demo_node_moves_into_postgresql_with_its_sessions_tokens_and_chains) {
  ASSERT_TRUE(on_postgresql()) << "this suite runs in the PostgreSQL run only";
  temp_dir dir;
  const auto data = (dir.path() / "data").string();
  const auto url = fresh_postgresql_schema();

  std::string adam_imp, session_id, head_before;
  {
    auto node = start_node(data, {}, true);
    auto port = listening_port(node);
    ASSERT_TRUE(port) << node.err_text;
    auto adam = login(*port, "adam");
    auto started = http(*port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
    ASSERT_EQ(started.status, 201u) << started.text;
    adam_imp = started.body["token"];
    session_id = started.body["session"]["id"];
    auto verify = http(*port, "GET", "/v1/audit/verify", {}, login(*port, "sara"));
    ASSERT_EQ(verify.status, 200u) << verify.text;
    head_before = verify.body["head"];
    node.signal(SIGTERM);
    ASSERT_TRUE(node.wait_exit());
  }

  // Wrong use first: no URL, and a URL that is not PostgreSQL's.
  EXPECT_EQ(migrate({"--data", data}).code, 2);
  EXPECT_EQ(migrate({"--data", data, "--to", "mysql://x"}).code, 2);
  auto with_password = migrate({"--data", data, "--to", "postgresql://actas:hunter2@/actas"});
  EXPECT_EQ(with_password.code, 2);
  EXPECT_NE(with_password.err.find("must not carry a password"), std::string::npos) << with_password.err;
  EXPECT_EQ(with_password.err.find("hunter2"), std::string::npos) << with_password.err;

  auto moved = migrate({"--data", data, "--to", url});
  ASSERT_EQ(moved.code, 0) << moved.out << moved.err;
  EXPECT_NE(moved.out.find("chain acme:"), std::string::npos) << moved.out;
  EXPECT_NE(moved.out.find("done: every chain verified"), std::string::npos) << moved.out;

  auto again = migrate({"--data", data, "--to", url});
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_NE(again.err.find("is not empty"), std::string::npos) << again.err;

  // The node on PostgreSQL, without --demo and with an empty data folder: everything comes from the URL.
  temp_dir elsewhere;
  auto node = start_node((elsewhere.path() / "data").string(), {"ACTAS_DATABASE_URL=" + url}, false);
  auto port = listening_port(node);
  ASSERT_TRUE(port) << node.err_text;
  auto sara = login(*port, "sara");
  auto verify = http(*port, "GET", "/v1/audit/verify", {}, sara);
  ASSERT_EQ(verify.status, 200u) << verify.text;
  EXPECT_EQ(verify.body["ok"], true) << verify.text;
  EXPECT_GE(verify.body["events"].get<int>(), 1);
  // The copy may have added events since (the node's start); the old head is still on the chain.
  auto events = http(*port, "GET", "/v1/audit?limit=1000", {}, sara);
  ASSERT_EQ(events.status, 200u) << events.text;
  bool found = false;
  for (const auto& e : events.body["events"]) found |= e["hash"] == head_before;
  EXPECT_TRUE(found) << "the head before the move is not on the moved chain";
  // The running impersonation came along, and its token still works.
  auto session = http(*port, "GET", "/v1/impersonations/" + session_id, {}, sara);
  ASSERT_EQ(session.status, 200u) << session.text;
  EXPECT_EQ(session.body["session"]["state"], "active") << session.text;
  auto me = http(*port, "GET", "/v1/me", {}, adam_imp);
  EXPECT_EQ(me.status, 200u) << me.text;
  node.signal(SIGTERM);
  node.wait_exit();
}

} // namespace
} // namespace actas::testing
