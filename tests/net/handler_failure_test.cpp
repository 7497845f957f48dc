// STYLE.md "Errors never escape": a handler that throws — while the request is routed, or later in a
// callback posted back onto its connection — answers that request 500 `internal` with its request id and
// costs nothing else. Served by the real listener and HTTP sessions, with routes of the test's own and a
// single I/O thread, so one escaped exception would stop everything.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

#include "client.hpp"
#include "net/listener.hpp"
#include "net/reply.hpp"
#include "net/server.hpp"

namespace actas::testing {
namespace {

namespace asio = boost::asio;

class handler_failure_test : public ::testing::Test {
protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::off);
    auto state = std::make_shared<net::server_state>();
    state->sv = std::make_shared<net::services>();
    state->open = std::make_shared<net::gate>();
    state->limit = std::make_shared<net::connection_limit>(64);
    state->proxies = std::make_shared<net::proxy_book>();
    state->routes.add("GET", "/throws", [](net::call_ptr) { throw std::runtime_error("boom"); });
    state->routes.add("GET", "/throws-later", [](net::call_ptr c) {
      c->post([c] { throw std::logic_error("boom in a callback"); });
    });
    state->routes.add("GET", "/throws-after-answering", [](net::call_ptr c) {
      net::answer(*c, 200, {{"ok", true}});
      throw std::runtime_error("boom after the answer");
    });
    state->routes.add("GET", "/throws-an-int", [](net::call_ptr) { throw 42; });
    state->routes.add("GET", "/ok", [](net::call_ptr c) { net::answer(*c, 200, {{"ok", true}}); });
    acceptor_ = std::make_shared<net::listener>(ioc_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                                state);
    port_ = acceptor_->port();
    acceptor_->run();
    thread_ = std::thread([this] { net::run_io_thread(ioc_); });
  }

  void TearDown() override {
    ioc_.stop();
    thread_.join();
    acceptor_->stop();
    spdlog::set_level(spdlog::level::warn);
  }

  void expect_internal(const http_result& r) {
    EXPECT_EQ(r.status, 500u) << r.text << r.error;
    ASSERT_TRUE(r.body.is_object()) << r.text;
    EXPECT_EQ(r.body["error"]["code"], "internal") << r.text;
    const auto id = r.body["error"]["request_id"].get<std::string>();
    EXPECT_EQ(id.rfind("req_", 0), 0u) << id;
    EXPECT_EQ(r.headers.at("x-request-id"), id);
  }

  asio::io_context ioc_{1};
  std::shared_ptr<net::listener> acceptor_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  // The routes above are the test's own, not the API's: their answers are not checked against its document.
  unrecorded unrecorded_;
};

TEST_F(handler_failure_test, a_handler_that_throws_costs_only_its_request) {
  expect_internal(http(port_, "GET", "/throws", {}, {}, {}, 5s));
  expect_internal(http(port_, "GET", "/throws-an-int", {}, {}, {}, 5s));
  EXPECT_EQ(http(port_, "GET", "/ok", {}, {}, {}, 5s).status, 200u);
}

TEST_F(handler_failure_test, a_callback_that_throws_costs_only_its_request) {
  expect_internal(http(port_, "GET", "/throws-later", {}, {}, {}, 5s));
  EXPECT_EQ(http(port_, "GET", "/ok", {}, {}, {}, 5s).status, 200u);
}

TEST_F(handler_failure_test, a_throw_after_the_answer_keeps_the_answer_and_the_connection) {
  http_connection c(port_);
  EXPECT_EQ(c.request("GET", "/throws-after-answering", {}, {}, 5s).status, 200u);
  EXPECT_EQ(c.request("GET", "/ok", {}, {}, 5s).status, 200u);
  expect_internal(c.request("GET", "/throws", {}, {}, 5s));
  EXPECT_EQ(c.request("GET", "/ok", {}, {}, 5s).status, 200u);
}

} // namespace
} // namespace actas::testing
