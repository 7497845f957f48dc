// SPEC §9 / issue 16 item 1: an off-the-shelf OAuth 2.0 introspection client (npm oauth4webapi, RFC 7662
// with client_secret_basic: a form body and the service key as HTTP Basic password) asks the real binary
// about tokens and accepts its answers, as a platform's resource server would.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/app/shell.hpp"
#include "tests/net/client.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

#ifndef ACTAS_SOURCE_DIR
#error "ACTAS_SOURCE_DIR must name the project folder"
#endif

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string service_key = "introspection-client-test-key-0123456789abcdef";

class introspection_client_test : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(peers_ / "node_modules" / "oauth4webapi"))
      << "tests/peers/node_modules is missing: run scripts/install-deps";
    actas_.emplace(std::vector<std::string>{"--demo", "--data", (dir_.path() / "data").string(), "--listen", "127.0.0.1:0"},
                   std::vector<std::string>{"ACTAS_SERVICE_KEY=" + service_key});
    const auto port = actas::testing::listening_port(*actas_);
    ASSERT_TRUE(port) << actas_->err_text;
    port_ = *port;
  }

  /// The client's verdict on one token: {status, answer} or {error}.
  json ask(const std::string& secret, const std::string& token) {
    const auto [rc, out] = actas::testing::run_shell("node " + (peers_ / "introspect.mjs").string() +
                                                     " http://127.0.0.1:" + std::to_string(port_) + " '" + secret +
                                                     "' '" + token + "'");
    auto parsed = json::parse(out.substr(0, out.find('\n')), nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << out;
    EXPECT_EQ(rc == 0, !parsed.contains("error")) << out;
    return parsed;
  }

  std::string login(const std::string& user) {
    auto r = actas::testing::http(port_, "POST", "/v1/login", json{{"username", user}, {"password", "demo"}}.dump());
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body.value("token", "");
  }

  fs::path peers_ = fs::path(ACTAS_SOURCE_DIR) / "tests" / "peers";
  actas::testing::temp_dir dir_;
  std::optional<actas::testing::process> actas_;
  std::uint16_t port_ = 0;
};

TEST_F(introspection_client_test, a_standard_client_reads_who_really_acts) {
  const auto adam = login("adam");
  auto started = actas::testing::http(port_, "POST", "/v1/impersonations",
                                      json{{"target", "ann"}, {"reason", "Checking why the course player fails"}}.dump(),
                                      adam);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto imp = started.body["token"].get<std::string>();

  auto r = ask(service_key, imp);
  ASSERT_EQ(r.value("status", 0), 200) << r.dump();
  const auto& a = r["answer"];
  EXPECT_EQ(a["active"], true);
  EXPECT_EQ(a["token_type"], "access_token");
  EXPECT_EQ(a["sub"], "ann");
  EXPECT_EQ(a["username"], "ann");
  EXPECT_EQ(a["act"]["sub"], "adam");
  EXPECT_EQ(a["act"]["sid"], started.body["session"]["id"]);
  EXPECT_TRUE(a["iat"].is_number_integer() && a["exp"].is_number_integer()) << a.dump();

  // The learner's own token: no act.
  auto own = ask(service_key, login("ann"));
  EXPECT_EQ(own["answer"]["sub"], "ann");
  EXPECT_FALSE(own["answer"].contains("act")) << own.dump();

  // Ended: inactive, and nothing else said.
  ASSERT_EQ(actas::testing::http(port_, "POST", "/v1/impersonations/" + started.body["session"]["id"].get<std::string>() + "/end",
                                 "{}", adam)
              .status,
            200u);
  auto ended = ask(service_key, imp);
  EXPECT_EQ(ended["answer"], json({{"active", false}})) << ended.dump();
}

TEST_F(introspection_client_test, a_client_with_the_wrong_secret_is_refused) {
  auto r = ask("not-the-service-key", login("ann"));
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["status"], 401) << r.dump();
}

} // namespace
