#pragma once
// An in-process actas for tests: the demo realm seeded into a fresh folder, the core (actors::runtime) and
// net::server on 127.0.0.1 with a free port; both stopped in TearDown in the order of STYLE.md.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "actors/runtime.hpp"
#include "app/demo_seed.hpp"
#include "client.hpp"
#include "crypto/crypto.hpp"
#include "tests/store/test_database.hpp"
#include "net/server.hpp"
#include "store/database.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::testing {

inline const std::string service_key_a = "service-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline const std::string service_key_b = "service-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
inline const std::string a_reason = "Checking why the course player fails";

class server_fixture : public ::testing::Test {
protected:
  void SetUp() override {
    crypto::init();
    spdlog::set_level(spdlog::level::warn);
    {
      store::database db(location_);
      app::seed_demo(db, std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    }
    auto rc = runtime_options();
    rc.db_path = location_;
    core_ = std::make_unique<actors::runtime>(rc);
    server_ = make_server(options());
    port_ = server_->port();
  }

  void TearDown() override {
    for (auto& s : extra_servers_) s->stop();
    if (server_) server_->stop();
    if (core_) core_->shutdown();
    extra_servers_.clear();
    server_.reset();
    core_.reset();
  }

  virtual actors::runtime_config runtime_options() const {
    actors::runtime_config rc;
    rc.worker_threads = 2;
    return rc;
  }

  virtual net::server_options options() const {
    net::server_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.service_keys = {service_key_a, service_key_b};
    return o;
  }

  std::unique_ptr<net::server> make_server(net::server_options o) {
    o.idempotency = core_->idempotency();
    auto s = std::make_unique<net::server>(o, core_->registry(), core_->system());
    s->start();
    return s;
  }

  /// A started extra server on the same core (stopped before the core in TearDown).
  net::server& extra_server(const net::server_options& o) {
    extra_servers_.push_back(make_server(o));
    return *extra_servers_.back();
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  http_result get(const std::string& target, const std::string& bearer = {}) {
    return http(port_, "GET", target, {}, bearer);
  }
  http_result post(const std::string& target, const json& body, const std::string& bearer = {}) {
    return http(port_, "POST", target, body.is_null() ? std::string{} : body.dump(), bearer);
  }
  http_result post_text(const std::string& target, const std::string& body, const std::string& bearer = {}) {
    return http(port_, "POST", target, body, bearer);
  }

  /// A user token of a demo user, logged in once per test (Argon2 is slow on purpose).
  const std::string& token(const std::string& username) {
    auto i = tokens_.find(username);
    if (i != tokens_.end()) return i->second;
    auto r = post("/v1/login", {{"username", username}, {"password", "demo"}});
    EXPECT_EQ(r.status, 200u) << username << ": " << r.text << r.error;
    return tokens_[username] = r.body.value("token", "");
  }

  /// POST /v1/impersonations as `actor` (a token).
  http_result start(const std::string& actor_token, const std::string& target, const json& reason = a_reason) {
    json body{{"target", target}};
    if (!reason.is_null()) body["reason"] = reason;
    return post("/v1/impersonations", body, actor_token);
  }

  /// A ticket for `bearer`, or "" when refused.
  std::string ticket(const std::string& bearer) {
    auto r = post("/v1/ws/ticket", nullptr, bearer);
    EXPECT_EQ(r.status, 200u) << r.text;
    return r.body.value("ticket", "");
  }

  /// An open tab of `bearer`, its hello already read (and checked).
  ws_client tab(const std::string& bearer) {
    ws_client ws;
    const auto status = ws.connect(port_, "/v1/ws?ticket=" + ticket(bearer), origin());
    EXPECT_EQ(status, 101u) << ws.refusal().dump();
    auto hello = ws.read();
    EXPECT_TRUE(hello && hello->value("type", "") == "hello") << (hello ? hello->dump() : "no frame");
    return ws;
  }

  ::actas::testing::temp_dir dir_;
  /// The database: a file in dir_ on SQLite, a schema of its own on PostgreSQL.
  std::string location_ = test_database(dir_.path());
  std::unique_ptr<actors::runtime> core_;
  std::unique_ptr<net::server> server_;
  std::vector<std::unique_ptr<net::server>> extra_servers_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::string> tokens_;
};

} // namespace actas::testing

namespace actas::testing {

/// Reads exactly `n` frames (fewer when the socket closes or `timeout` passes first).
inline std::vector<json> read_frames(ws_client& ws, std::size_t n, std::chrono::milliseconds timeout = 10s) {
  std::vector<json> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    auto f = ws.read(left);
    if (!f) break;
    out.push_back(std::move(*f));
  }
  return out;
}

/// The first frame of `type` (and, when given, whose `kind` or notification kind is `kind`); null if none.
inline json find_frame(const std::vector<json>& frames, const std::string& type, const std::string& kind = {}) {
  for (const auto& f : frames) {
    if (f.value("type", "") != type) continue;
    if (kind.empty()) return f;
    if (f.value("kind", "") == kind) return f;
    if (f.contains("notification") && f["notification"].value("kind", "") == kind) return f;
  }
  return nullptr;
}

inline std::string dump_all(const std::vector<json>& frames) {
  std::string out;
  for (const auto& f : frames) out += f.dump() + "\n";
  return out;
}

} // namespace actas::testing
