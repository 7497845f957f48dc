// SPEC §8 Drain, against the real binary: on SIGTERM with 1,000 WebSockets open, every tab receives a
// close frame 1012 (service restart; the browser reconnects) instead of a dropped connection, and the
// process exits cleanly within 10 s.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <fstream>
#include <map>

#include "client.hpp"
#include "process.hpp"
#include "tests/store/temp_dir.hpp"
#include "tests/store/test_database.hpp"

namespace actas::testing {
namespace {

const std::string service_key = "drain-test-service-key-0123456789abcdefghijklmnopqrstuvwxyz";

TEST(drain_test, sigterm_closes_1000_websockets_with_1012_and_exits_within_10_s) {
  constexpr std::size_t tabs = 1000;
  temp_dir dir;
  const auto data = dir.file("data");
  {
    std::ofstream(dir.file("keys")) << service_key << "\n";
    // One address (the test) holds every socket: the per-address cap must allow them.
    std::ofstream(dir.file("actas.toml")) << "service_key_file = \"keys\"\nmax_connections_per_ip = 2000\n";
  }
  // On PostgreSQL the binary finds its schema through the environment (SPEC §8).
  std::vector<std::string> env;
  if (on_postgresql()) env.push_back("ACTAS_DATABASE_URL=" + fresh_postgresql_schema());
  process p({"--demo", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn", "--config",
             dir.file("actas.toml")},
            env);
  const auto port = listening_port(p);
  ASSERT_TRUE(port) << p.out_text << p.err_text;
  const auto origin = "http://127.0.0.1:" + std::to_string(*port);

  // Tokens of several users, so no per-user bound decides the outcome.
  std::vector<std::string> tokens;
  for (const char* user : {"sara", "adam", "pia", "ann", "bob", "ivan", "mia", "gary", "gwen", "root"}) {
    auto r = http(*port, "POST", "/v1/tokens", json{{"user", user}}.dump(), service_key);
    ASSERT_EQ(r.status, 200u) << user << ": " << r.text << r.error;
    tokens.push_back(r.body["token"]);
  }
  std::vector<ws_client> open;
  open.reserve(tabs);
  http_connection tickets(*port);
  for (std::size_t i = 0; i < tabs; ++i) {
    auto t = tickets.request("POST", "/v1/ws/ticket", {}, tokens[i % tokens.size()]);
    ASSERT_EQ(t.status, 200u) << i << ": " << t.text << t.error;
    ws_client ws;
    ASSERT_EQ(ws.connect(*port, "/v1/ws?ticket=" + t.body["ticket"].get<std::string>(), origin), 101u) << i;
    auto hello = ws.read();
    ASSERT_TRUE(hello && hello->value("type", "") == "hello") << i;
    open.push_back(std::move(ws));
  }

  const auto sent = clock_type::now();
  p.signal(SIGTERM);
  std::map<std::string, std::size_t> outcomes;  // "1012", or "no close frame"
  for (auto& ws : open) {
    const auto code = ws.expect_close(10s);
    ++outcomes[code ? std::to_string(*code) : "no close frame"];
  }
  std::size_t restart_closes = outcomes["1012"] + outcomes["1001"];
  std::string seen;
  for (const auto& [what, n] : outcomes) seen += what + ": " + std::to_string(n) + "; ";
  EXPECT_EQ(restart_closes, tabs) << seen;

  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(sent + 10s - clock_type::now());
  const auto status = p.wait_exit(std::max(left, 0ms));
  ASSERT_TRUE(status) << "still running 10 s after SIGTERM; " << p.err_text;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << " " << p.err_text;
}

} // namespace
} // namespace actas::testing
