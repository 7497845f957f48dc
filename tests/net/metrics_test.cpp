// GET /metrics on the real binary (SPEC §10, issue 15): a scripted story moves the counters as it says,
// and Debian's promtool accepts the exposition before and after it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "client.hpp"
#include "process.hpp"
#include "tests/store/temp_dir.hpp"

#ifndef ACTAS_PROMTOOL
#error "ACTAS_PROMTOOL must name Debian's promtool"
#endif

namespace actas::testing {
namespace {

const std::string metrics_key = "scraper-key-0123456789abcdef0123456789abcdef";

/// Every sample of an exposition by its name and labels as written: `name{a="x",b="y"}` → value.
std::map<std::string, double> samples_of(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class metrics_test : public ::testing::Test {
protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "metrics-keys") << metrics_key << "\n";
    std::ofstream(dir_.path() / "actas.toml") << "metrics_key_file = \"metrics-keys\"\n";
    actas_.emplace(std::vector<std::string>{"--demo", "--data", (dir_.path() / "data").string(), "--listen",
                                            "127.0.0.1:0", "--config", (dir_.path() / "actas.toml").string()},
                   std::vector<std::string>{"ACTAS_SERVICE_KEY=service-key-0123456789abcdef0123456789abcdef"});
    const auto port = listening_port(*actas_);
    ASSERT_TRUE(port) << actas_->err_text;
    port_ = *port;
  }
  void TearDown() override {
    if (actas_) actas_->signal(SIGTERM);
  }

  std::string login(const std::string& username) {
    auto r = http(port_, "POST", "/v1/login", json{{"username", username}, {"password", "demo"}}.dump());
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body.value("token", "");
  }

  /// Scrapes with `bearer`, checks the text with promtool, and returns its samples.
  std::map<std::string, double> scrape(const std::string& bearer = metrics_key) {
    auto r = http(port_, "GET", "/metrics", {}, bearer);
    EXPECT_EQ(r.status, 200u) << r.text;
    EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    const auto file = dir_.path() / "scrape.txt";
    std::ofstream(file) << r.text;
    const auto command = std::string(ACTAS_PROMTOOL) + " check metrics < " + file.string() + " > " +
                         (dir_.path() / "promtool.txt").string() + " 2>&1";
    const int rc = std::system(command.c_str());
    std::ifstream said(dir_.path() / "promtool.txt");
    const std::string complaint((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
    EXPECT_EQ(rc, 0) << "promtool check metrics: " << complaint << "\n" << r.text;
    return samples_of(r.text);
  }

  temp_dir dir_;
  std::optional<process> actas_;
  std::uint16_t port_ = 0;
};

TEST_F(metrics_test, only_a_sysadmin_or_a_metrics_key_reads_them) {
  EXPECT_EQ(http(port_, "GET", "/metrics").status, 401u);
  EXPECT_EQ(http(port_, "GET", "/metrics", {}, "not-a-key").status, 401u);
  // A service key is the platform's, not the scraper's.
  EXPECT_EQ(http(port_, "GET", "/metrics", {}, "service-key-0123456789abcdef0123456789abcdef").status, 401u);
  auto refused = http(port_, "GET", "/metrics", {}, login("sara"));  // a superadmin is not a sysadmin
  EXPECT_EQ(refused.status, 403u) << refused.text;
  EXPECT_EQ(refused.body["error"]["code"], "forbidden");
  EXPECT_EQ(http(port_, "GET", "/metrics", {}, login("root")).status, 200u);
  EXPECT_EQ(http(port_, "GET", "/metrics", {}, metrics_key).status, 200u);
  EXPECT_EQ(http(port_, "GET", "/metrics?x=1", {}, metrics_key).status, 400u);
}

TEST_F(metrics_test, a_scripted_story_moves_the_counters_as_it_says) {
  const auto before = scrape();
  EXPECT_EQ(before.at("actas_sessions_active"), 0);
  EXPECT_EQ(before.at("actas_ws_connections"), 0);
  EXPECT_EQ(before.at("actas_audit_writable"), 1);
  EXPECT_EQ(before.at("actas_node_ready"), 1);
  EXPECT_EQ(before.at("actas_cluster_lag_seconds"), 0);

  // adam logs in as ann, tries a second time (busy), and ann's session asks what it may do.
  const auto adam = login("adam");
  const auto reason = json{{"target", "ann"}, {"reason", "Checking why the course player fails"}}.dump();
  auto started = http(port_, "POST", "/v1/impersonations", reason, adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto as_ann = started.body.value("token", "");
  const auto session = started.body["session"].value("id", "");
  EXPECT_EQ(http(port_, "POST", "/v1/impersonations", reason, adam).status, 409u);
  auto allowed = http(port_, "POST", "/v1/authorize", json{{"action", "course.view"}}.dump(), as_ann);
  ASSERT_EQ(allowed.status, 200u) << allowed.text;
  auto denied = http(port_, "POST", "/v1/authorize", json{{"action", "messages.send"}}.dump(), as_ann);
  ASSERT_EQ(denied.status, 200u) << denied.text;
  ASSERT_EQ(denied.body["allowed"], false) << denied.text;
  const std::string denied_code = denied.body["code"];

  // The session's tab is open while it runs.
  auto ticket = http(port_, "POST", "/v1/ws/ticket", {}, as_ann);
  ASSERT_EQ(ticket.status, 200u) << ticket.text;
  ws_client tab;
  ASSERT_EQ(tab.connect(port_, "/v1/ws?ticket=" + ticket.body.value("ticket", ""),
                        "http://127.0.0.1:" + std::to_string(port_)),
            101u);
  ASSERT_TRUE(tab.read_until("hello"));
  const auto during = scrape();
  EXPECT_EQ(during.at("actas_sessions_active"), 1);
  EXPECT_EQ(during.at("actas_ws_connections"), 1);

  // adam ends it: the tab is told (session_ended) and closed normally.
  auto ended = http(port_, "POST", "/v1/impersonations/" + session + "/end", "{}", adam);
  ASSERT_EQ(ended.status, 200u) << ended.text;
  EXPECT_EQ(tab.expect_close(), std::optional<std::uint16_t>(1000));

  const auto after = scrape();
  const auto moved = [&](const std::string& sample) {
    const auto was = before.count(sample) ? before.at(sample) : 0.0;
    return (after.count(sample) ? after.at(sample) : 0.0) - was;
  };
  EXPECT_EQ(moved(R"(actas_decisions_total{code="",kind="impersonation_start",outcome="allowed"})"), 1);
  EXPECT_EQ(moved(R"(actas_decisions_total{code="actor_busy",kind="impersonation_start",outcome="denied"})"), 1);
  EXPECT_EQ(moved(R"(actas_decisions_total{code="",kind="authorize",outcome="allowed"})"), 1);
  EXPECT_EQ(moved(R"(actas_decisions_total{code=")" + denied_code + R"(",kind="authorize",outcome="denied"})"), 1);
  EXPECT_EQ(moved(R"(actas_http_requests_total{route="POST /v1/impersonations",status="201"})"), 1);
  EXPECT_EQ(moved(R"(actas_http_requests_total{route="POST /v1/impersonations",status="409"})"), 1);
  EXPECT_EQ(moved(R"(actas_http_requests_total{route="POST /v1/impersonations/{id}/end",status="200"})"), 1);
  EXPECT_EQ(moved(R"(actas_http_requests_total{route="GET /metrics",status="200"})"), 2);
  EXPECT_EQ(moved(R"(actas_ws_closed_total{code="1000"})"), 1);
  EXPECT_EQ(after.at("actas_ws_connections"), 0);
  EXPECT_EQ(after.at("actas_sessions_active"), 0);
  // The start, its end and the logins were committed: at least those jobs, in at least one commit.
  EXPECT_GE(moved("actas_commit_batch_size_sum"), 3);
  EXPECT_GE(moved("actas_commit_duration_seconds_count"), 1);
  // Ten answers before the last scrape: a login, two starts, an end, two authorizes, a ticket, the
  // WebSocket's upgrade, two scrapes.
  EXPECT_EQ(moved("actas_http_request_duration_seconds_count"), 10);
  EXPECT_EQ(moved(R"(actas_http_requests_total{route="GET /v1/ws",status="101"})"), 1);
}

} // namespace
} // namespace actas::testing
