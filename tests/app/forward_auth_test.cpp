// SPEC §9 Forward auth (issue 16 item 2) behind a real Debian nginx running dist/nginx-forward-auth.conf:
// auth_request asks GET /v1/auth/forward about every browser request, a stand-in LMS (an nginx server that
// echoes the X-Actas-* headers it received) shows what the platform gets. A plain learner passes, an
// impersonation passes with its actor and session forwarded, a restricted path under impersonation is 403
// with its code (also when the path is encoded or dotted), a dead token is 401, and the decisions are
// in the audit log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/net/client.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

#ifndef ACTAS_SOURCE_DIR
#error "ACTAS_SOURCE_DIR must name the project folder"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;
using actas::testing::http;
using namespace std::chrono_literals;

namespace {

class forward_auth_test : public ::testing::Test {
protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "actas.toml") << R"([[forward.rules]]
method = "*"
path = "/admin/**"
action = "admin.console"

[[forward.rules]]
method = "POST"
path = "/courses/*/messages"
action = "messages.send"
)";
    actas_.emplace(std::vector<std::string>{"--demo", "--config", (dir_.path() / "actas.toml").string(), "--data",
                                            (dir_.path() / "data").string(), "--listen", "127.0.0.1:0"});
    const auto port = actas::testing::listening_port(*actas_);
    ASSERT_TRUE(port) << actas_->err_text;
    actas_port_ = *port;
    start_nginx();
  }

  void TearDown() override {
    if (nginx_) {
      // QUIT: nginx's graceful stop (its workers go too).
      nginx_->signal(SIGQUIT);
      if (!nginx_->wait_exit(10s)) nginx_->signal(SIGKILL);
    }
    if (HasFailure()) std::cerr << "nginx error log:\n" << read(run_ / "error.log") << "\nactas:\n" << actas_->err_text;
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  void start_nginx() {
    fs::create_directories(run_);
    fs::permissions(dir_.path(), fs::perms::all);  // nginx's workers are not root
    fs::permissions(run_, fs::perms::all);
    auto site = read(fs::path(ACTAS_SOURCE_DIR) / "dist" / "nginx-forward-auth.conf");
    ASSERT_FALSE(site.empty());
    site = std::regex_replace(site, std::regex("@LISTEN@"), "127.0.0.1:" + std::to_string(port_));
    site = std::regex_replace(site, std::regex("@ACTAS@"), "127.0.0.1:" + std::to_string(actas_port_));
    site = std::regex_replace(site, std::regex("@LMS@"), "127.0.0.1:" + std::to_string(lms_port_));
    std::ofstream(run_ / "forward.conf") << site;
    const auto r = run_.string();
    std::ofstream(run_ / "nginx.conf")
      << "worker_processes 1;\ndaemon off;\npid " << r << "/nginx.pid;\nerror_log " << r << "/error.log warn;\n"
      << "events { worker_connections 64; }\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << r << "/client_body;\n  proxy_temp_path " << r << "/proxy;\n"
      << "  fastcgi_temp_path " << r << "/fastcgi;\n  uwsgi_temp_path " << r << "/uwsgi;\n  scgi_temp_path " << r
      << "/scgi;\n"
      // The stand-in LMS: says what it was told.
      << "  server {\n    listen 127.0.0.1:" << lms_port_ << ";\n    location / {\n      default_type text/plain;\n"
      << "      return 200 \"lms: subject=[$http_x_actas_subject] actor=[$http_x_actas_actor] "
         "session=[$http_x_actas_session] grant=[$http_x_actas_grant]\";\n    }\n  }\n"
      << "  include " << r << "/forward.conf;\n}\n";
    nginx_.emplace(std::vector<std::string>{"-p", r, "-c", r + "/nginx.conf", "-e", r + "/error.log"},
                   std::vector<std::string>{}, "/usr/sbin/nginx");
    // Up once it answers at all (401: no token).
    for (int i = 0; i < 150 && http(port_, "GET", "/", {}, {}, {}, 2s).status == 0; ++i)
      std::this_thread::sleep_for(100ms);
    ASSERT_EQ(http(port_, "GET", "/", {}, {}, {}, 2s).status, 401u) << read(run_ / "error.log");
  }

  std::string login(const std::string& user) {
    auto r = http(actas_port_, "POST", "/v1/login", json{{"username", user}, {"password", "demo"}}.dump());
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body.value("token", "");
  }

  actas::testing::temp_dir dir_;
  fs::path run_ = dir_.path() / "nginx";
  std::optional<actas::testing::process> actas_, nginx_;
  std::uint16_t actas_port_ = 0;
  std::uint16_t port_ = actas::testing::free_port();
  std::uint16_t lms_port_ = actas::testing::free_port();
};

TEST_F(forward_auth_test, nginx_lets_through_what_authorize_allows_and_tells_the_lms_who_really_acts) {
  // No token, or a token that is not one: 401 before the LMS sees anything.
  EXPECT_EQ(http(port_, "GET", "/courses/7").status, 401u);
  EXPECT_EQ(http(port_, "GET", "/courses/7", {}, "not-a-token").status, 401u);

  // A learner on her own: through, as herself, with nothing behind her (a forged header is replaced).
  const auto ann = login("ann");
  auto own = http(port_, "GET", "/courses/7", {}, ann, {{"X-Actas-Actor", "root"}});
  ASSERT_EQ(own.status, 200u) << own.text;
  EXPECT_EQ(own.text, "lms: subject=[ann] actor=[] session=[] grant=[]");
  EXPECT_EQ(http(port_, "GET", "/admin/users", {}, ann).status, 200u) << "a learner's own admin.console is allowed";

  // adam impersonates ann: through, and the LMS learns who really acts and in which session.
  const auto adam = login("adam");
  auto started = http(actas_port_, "POST", "/v1/impersonations",
                      json{{"target", "ann"}, {"reason", "Checking why the course player fails"}}.dump(), adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto imp = started.body["token"].get<std::string>();
  const auto sid = started.body["session"]["id"].get<std::string>();
  auto viewing = http(port_, "GET", "/courses/7?tab=grades", {}, imp);
  ASSERT_EQ(viewing.status, 200u) << viewing.text;
  EXPECT_EQ(viewing.text, "lms: subject=[ann] actor=[adam] session=[" + sid + "] grant=[]");

  // Restricted while impersonating (admin.*, messages.*): 403 with the code, however the path is written.
  for (const auto* target : {"/admin/users", "/%61dmin/users", "/courses/7/../../admin/users", "//admin//users"}) {
    auto refused = http(port_, "GET", target, {}, imp);
    EXPECT_EQ(refused.status, 403u) << target << ": " << refused.text;
    EXPECT_EQ(refused.headers["x-actas-code"], "restricted_while_impersonating") << target;
    EXPECT_EQ(refused.text.find("lms:"), std::string::npos) << target << " reached the LMS";
  }
  auto message = http(port_, "POST", "/courses/7/messages", R"({"text":"hi"})", imp, {{"Content-Type", "application/json"}});
  EXPECT_EQ(message.status, 403u) << message.text;
  EXPECT_EQ(message.headers["x-actas-code"], "restricted_while_impersonating");
  EXPECT_EQ(http(port_, "GET", "/courses/7/messages", {}, imp).status, 200u) << "the rule names POST only";

  // The session ends: its token is dead at the door.
  ASSERT_EQ(http(actas_port_, "POST", "/v1/impersonations/" + sid + "/end", "{}", adam).status, 200u);
  EXPECT_EQ(http(port_, "GET", "/courses/7", {}, imp).status, 401u);

  // Audited as authorize is: the refusals under impersonation name the action, the path and the code.
  auto audit = http(actas_port_, "GET", "/v1/audit?session=" + sid, {}, login("sara"));
  ASSERT_EQ(audit.status, 200u) << audit.text;
  int refusals = 0;
  for (const auto& e : audit.body["events"])
    if (e.value("event", "") == "authorize" && e.value("action", "") == "admin.console" &&
        e.value("code", "") == "restricted_while_impersonating")
      ++refusals;
  EXPECT_EQ(refusals, 4) << audit.text;
}

TEST_F(forward_auth_test, a_request_that_names_no_original_request_is_refused) {
  const auto ann = login("ann");
  auto bare = http(actas_port_, "GET", "/v1/auth/forward", {}, ann);
  EXPECT_EQ(bare.status, 400u) << bare.text;
  auto traefik = http(actas_port_, "GET", "/v1/auth/forward", {}, ann,
                      {{"X-Forwarded-Method", "GET"}, {"X-Forwarded-Uri", "/courses/7"}});
  EXPECT_EQ(traefik.status, 200u) << traefik.text;
  EXPECT_EQ(traefik.headers["x-actas-subject"], "ann");
  auto bad = http(actas_port_, "GET", "/v1/auth/forward", {}, ann,
                  {{"X-Original-Method", "GET"}, {"X-Original-URI", "/%zz"}});
  EXPECT_EQ(bad.status, 400u) << bad.text;
}

} // namespace
