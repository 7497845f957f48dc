// log_format = "json" on the real binary (SPEC §10 Logs, issue 15): after a whole story, every line the
// server wrote is one JSON object with time, level and msg, lines about a request carry its id, and none
// of the secrets the story used (password, tokens, tickets, keys) appears anywhere in the log.
#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "client.hpp"
#include "process.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::testing {
namespace {

const std::string log_test_service_key = "svc-key-for-the-log-test-0123456789abcdef0123";
const std::string log_test_metrics_key = "metrics-key-for-the-log-test-0123456789abcdef";
const std::string wrong_password = "Wr0ng-Horse-Battery-Staple!";

TEST(json_log_test, a_whole_story_logs_one_json_object_a_line_and_no_secret) {
  temp_dir dir;
  std::ofstream(dir.path() / "metrics-keys") << log_test_metrics_key << "\n";
  std::ofstream(dir.path() / "actas.toml") << "metrics_key_file = \"metrics-keys\"\nlog_format = \"json\"\n";
  process actas({"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0", "--config",
                 (dir.path() / "actas.toml").string(), "--log-level", "trace"},
                {"ACTAS_SERVICE_KEY=" + log_test_service_key});
  const auto port = listening_port(actas);
  ASSERT_TRUE(port) << actas.err_text;
  // Keep reading the server's stderr as the story goes, so a full pipe never stalls it.
  const auto pump = [&] { actas.pump_until([] { return false; }, std::chrono::milliseconds(20)); };

  std::vector<std::string> secrets{log_test_service_key, log_test_metrics_key, wrong_password};
  const auto login = [&](const std::string& who) {
    auto r = http(*port, "POST", "/v1/login", json{{"username", who}, {"password", "demo"}}.dump());
    EXPECT_EQ(r.status, 200u) << r.text;
    secrets.push_back(r.body.value("token", "-"));
    pump();
    return r.body.value("token", "");
  };
  // A refused password, a service-minted token, an impersonation with its tab, a malformed request.
  EXPECT_EQ(http(*port, "POST", "/v1/login", json{{"username", "ann"}, {"password", wrong_password}}.dump()).status,
            401u);
  auto minted = http(*port, "POST", "/v1/tokens", json{{"user", "bob"}}.dump(), log_test_service_key);
  ASSERT_EQ(minted.status, 200u) << minted.text;
  secrets.push_back(minted.body.value("token", "-"));
  const auto adam = login("adam");
  auto started = http(*port, "POST", "/v1/impersonations",
                      json{{"target", "ann"}, {"reason", "Checking why the course player fails"}}.dump(), adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto as_ann = started.body.value("token", "");
  secrets.push_back(as_ann);
  auto ticket = http(*port, "POST", "/v1/ws/ticket", {}, as_ann);
  ASSERT_EQ(ticket.status, 200u) << ticket.text;
  secrets.push_back(ticket.body.value("ticket", "-"));
  {
    ws_client tab;
    ASSERT_EQ(tab.connect(*port, "/v1/ws?ticket=" + ticket.body.value("ticket", ""),
                          "http://127.0.0.1:" + std::to_string(*port)),
              101u);
    ASSERT_TRUE(tab.read_until("hello"));
    // A used ticket again, and a token in the query string where none belongs.
    ws_client again;
    EXPECT_EQ(again.connect(*port, "/v1/ws?ticket=" + ticket.body.value("ticket", ""),
                            "http://127.0.0.1:" + std::to_string(*port)),
              401u);
    auto ended = http(*port, "POST", "/v1/impersonations/" + started.body["session"].value("id", "") + "/end",
                      "{}", adam);
    EXPECT_EQ(ended.status, 200u) << ended.text;
    tab.expect_close();
  }
  EXPECT_EQ(http(*port, "GET", "/metrics", {}, log_test_metrics_key).status, 200u);
  EXPECT_EQ(http(*port, "GET", "/v1/me?token=" + adam, {}, adam).status, 400u);
  EXPECT_EQ(http(*port, "POST", "/v1/logout", {}, adam).status, 200u);
  EXPECT_EQ(raw_exchange(*port, "GET /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " + as_ann +
                                    "\r\nAuthorization: Bearer " + as_ann + "\r\n\r\n")
              .rfind("HTTP/1.1 400", 0),
            0u);
  pump();
  actas.signal(SIGTERM);
  ASSERT_TRUE(actas.wait_exit());

  std::istringstream lines(actas.err_text);
  std::size_t count = 0, with_request_id = 0;
  for (std::string line; std::getline(lines, line);) {
    ++count;
    const auto j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON object: " << line;
    EXPECT_TRUE(j.contains("time") && j["time"].is_string()) << line;
    EXPECT_TRUE(j.contains("level") && j["level"].is_string()) << line;
    EXPECT_TRUE(j.contains("msg") && j["msg"].is_string()) << line;
    if (j.contains("request_id")) {
      ++with_request_id;
      EXPECT_NE(j["msg"].get<std::string>().find(j["request_id"].get<std::string>()), std::string::npos) << line;
    }
    for (const auto& secret : secrets) EXPECT_EQ(line.find(secret), std::string::npos) << "a secret in: " << line;
  }
  EXPECT_GE(count, 3u) << "started, draining and stopped at least";
  // The debug access log: one line per answer, each naming its request.
  EXPECT_GE(with_request_id, 12u);
  EXPECT_NE(actas.err_text.find("\"level\":\"info\""), std::string::npos);
  // The story's secrets were real: each is as long as what actas hands out.
  for (const auto& secret : secrets) EXPECT_GE(secret.size(), 20u) << secret;
  std::cout << count << " log lines, " << with_request_id << " about a request, " << secrets.size()
            << " secrets looked for\n";
}

} // namespace
} // namespace actas::testing
