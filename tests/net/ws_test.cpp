// WebSocket specifics over real sockets: tickets, Origin, frames both ways, limits, close codes.
#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using ws_test = server_fixture;

TEST_F(ws_test, hello_names_the_user_and_the_unread_count) {
  ws_client ws;
  ASSERT_EQ(ws.connect(port_, "/v1/ws?ticket=" + ticket(token("ann")), origin()), 101u) << ws.refusal();
  auto hello = ws.read();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["type"], "hello");
  EXPECT_EQ((*hello)["seq"], 1);
  EXPECT_EQ((*hello)["user"]["id"], "ann");
  EXPECT_TRUE((*hello)["actor"].is_null());
  EXPECT_TRUE((*hello)["impersonation"].is_null());
  EXPECT_EQ((*hello)["unread"], 0);
}

TEST_F(ws_test, a_ticket_works_once) {
  const auto t = ticket(token("ann"));
  ws_client first;
  ASSERT_EQ(first.connect(port_, "/v1/ws?ticket=" + t, origin()), 101u);
  ws_client second;
  EXPECT_EQ(second.connect(port_, "/v1/ws?ticket=" + t, origin()), 401u);
  EXPECT_EQ(second.refusal()["error"]["code"], "unauthenticated");
  // The first socket is unaffected.
  EXPECT_TRUE(first.read_until("hello"));
}

TEST_F(ws_test, missing_and_unknown_tickets_are_401_and_tickets_need_a_token) {
  ws_client none, unknown;
  EXPECT_EQ(none.connect(port_, "/v1/ws", origin()), 401u);
  EXPECT_EQ(unknown.connect(port_, "/v1/ws?ticket=made-up", origin()), 401u);
  EXPECT_EQ(unknown.refusal()["error"]["code"], "unauthenticated");
  EXPECT_EQ(post("/v1/ws/ticket", nullptr).status, 401u);
  EXPECT_EQ(post("/v1/ws/ticket", nullptr, "bogus").status, 401u);
  EXPECT_EQ(post("/v1/ws/ticket", {{"for", "x"}}, token("ann")).status, 400u);
}

TEST_F(ws_test, a_foreign_origin_is_refused_before_the_ticket_is_looked_at) {
  const auto t = ticket(token("ann"));
  ws_client evil;
  EXPECT_EQ(evil.connect(port_, "/v1/ws?ticket=" + t, std::string("http://evil.example")), 403u);
  EXPECT_EQ(evil.refusal()["error"]["code"], "forbidden");
  ws_client other_port;
  EXPECT_EQ(other_port.connect(port_, "/v1/ws?ticket=" + t, std::string("http://127.0.0.1:1")), 403u);
  ws_client null_origin;
  EXPECT_EQ(null_origin.connect(port_, "/v1/ws?ticket=" + t, std::string("null")), 403u);
  // The ticket was not used up by the refusals; the own origin (any case) gets through.
  ws_client ok;
  EXPECT_EQ(ok.connect(port_, "/v1/ws?ticket=" + t, "HTTP://127.0.0.1:" + std::to_string(port_)), 101u);
}

TEST_F(ws_test, a_client_without_origin_is_allowed) {
  ws_client ws;
  EXPECT_EQ(ws.connect(port_, "/v1/ws?ticket=" + ticket(token("ann"))), 101u);
  EXPECT_TRUE(ws.read_until("hello"));
}

TEST_F(ws_test, a_plain_get_of_the_socket_path_is_400) {
  auto r = get("/v1/ws?ticket=whatever");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body["error"]["code"], "invalid_request");
}

TEST_F(ws_test, ping_subscribe_and_garbage_from_the_client) {
  auto ws = tab(token("ann"));
  ws.send_text(R"({"type":"ping"})");
  auto pong = ws.read();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
  EXPECT_EQ((*pong)["seq"], 2);
  ws.send_text(R"({"type":"subscribe","topic":"dashboard"})");
  auto sub = ws.read();
  ASSERT_TRUE(sub);
  EXPECT_EQ((*sub)["type"], "error");
  EXPECT_EQ((*sub)["code"], "forbidden");  // a learner has no dashboard
  ws.send_text(R"({"type":"subscribe","topic":"weather"})");
  EXPECT_EQ((*ws.read())["code"], "invalid_request");
  ws.send_text("not json at all");
  auto bad = ws.read();
  ASSERT_TRUE(bad);
  EXPECT_EQ((*bad)["code"], "invalid_request");
  ws.send_text(R"({"type":"ping","extra":1})");
  EXPECT_EQ((*ws.read())["code"], "invalid_request");
  // Still open.
  ws.send_text(R"({"type":"ping"})");
  EXPECT_EQ((*ws.read())["type"], "pong");
}

TEST_F(ws_test, an_admin_dashboard_shows_sessions_in_scope_live) {
  auto board = tab(token("sara"));
  board.send_text(R"({"type":"subscribe","topic":"dashboard"})");
  const auto adam = token("adam");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();
  auto up = board.read_until("dashboard");
  ASSERT_TRUE(up);
  EXPECT_EQ((*up)["op"], "upsert");
  EXPECT_EQ((*up)["session"]["id"], id);
  ASSERT_EQ(post("/v1/impersonations/" + id + "/end", nullptr, adam).status, 200u);
  auto next = board.read_until("dashboard");
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["session"]["id"], id);
  EXPECT_TRUE((*next)["op"] == "remove" || (*next)["session"]["state"] == "ended") << *next;
}

TEST_F(ws_test, frames_over_64_kib_close_1009) {
  auto ws = tab(token("ann"));
  ws.send_text(R"({"type":"ping","pad":")" + std::string(65 * 1024, 'x') + "\"}");
  EXPECT_EQ(ws.expect_close(), std::optional<std::uint16_t>{1009});
}

TEST_F(ws_test, a_frame_of_exactly_64_kib_is_read) {
  auto ws = tab(token("ann"));
  std::string frame = R"({"type":"ping","pad":")";
  frame += std::string(64 * 1024 - frame.size() - 2, 'x') + "\"}";
  ASSERT_EQ(frame.size(), 64u * 1024);
  ws.send_text(frame);
  auto answer = ws.read();
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["code"], "invalid_request");  // read, then refused for its unknown field
}

TEST_F(ws_test, a_tab_that_does_not_read_is_closed_1013_without_slowing_the_others) {
  ws_client slow;
  slow.set_receive_buffer(4096);
  ASSERT_EQ(slow.connect(port_, "/v1/ws?ticket=" + ticket(token("ann")), origin()), 101u);
  ASSERT_TRUE(slow.read_until("hello"));
  auto other = tab(token("sara"));
  // Pings without reading a single pong: the pongs back up past the kernel's buffers into the tab's queue.
  slow.flood(R"({"type":"ping"})", 20000);
  other.send_text(R"({"type":"ping"})");
  auto pong = other.read(5s);
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
  EXPECT_EQ(slow.raw_close_code(), std::optional<std::uint16_t>{1013});
}

TEST_F(ws_test, logout_closes_the_tokens_sockets_1008) {
  const auto ann = token("ann");
  auto ws = tab(ann);
  // Another token of the same user keeps its socket.
  auto other = post("/v1/tokens", {{"user", "ann"}}, service_key_a);
  ASSERT_EQ(other.status, 200u);
  auto other_tab = tab(other.body["token"].get<std::string>());
  ASSERT_EQ(post("/v1/logout", nullptr, ann).status, 200u);
  EXPECT_EQ(ws.expect_close(), std::optional<std::uint16_t>{1008});
  other_tab.send_text(R"({"type":"ping"})");
  auto pong = other_tab.read();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
}

/// User tokens that live 2 seconds (SPEC §6: the lifetime is configurable).
class short_token_test : public server_fixture {
protected:
  actors::runtime_config runtime_options() const override {
    auto rc = server_fixture::runtime_options();
    rc.token_ttl_s = 2;
    rc.token_idle_s = 2;
    return rc;
  }
};

TEST_F(short_token_test, a_token_that_expires_closes_its_sockets_1008) {
  const auto ann = token("ann");
  auto ws = tab(ann);
  // The registry's sweep finds the token dead within a few seconds of its end.
  EXPECT_EQ(ws.expect_close(20s), std::optional<std::uint16_t>{1008});
  EXPECT_EQ(get("/v1/me", ann).status, 401u);
}

TEST_F(ws_test, a_ticket_whose_token_died_opens_nothing) {
  const auto ann = token("ann");
  const auto t = ticket(ann);
  ASSERT_EQ(post("/v1/logout", nullptr, ann).status, 200u);
  ws_client ws;
  const auto status = ws.connect(port_, "/v1/ws?ticket=" + t, origin());
  if (status == 101u)
    EXPECT_EQ(ws.expect_close(), std::optional<std::uint16_t>{1008});  // redeemed, then refused at attach
  else
    EXPECT_EQ(status, 401u);
}

TEST_F(ws_test, stopping_the_server_with_open_sockets_is_clean) {
  auto a = tab(token("ann"));
  auto b = tab(token("sara"));
  server_->stop();
  // The core still shuts down promptly (TearDown): no proxy keeps it waiting.
  SUCCEED();
}

} // namespace
} // namespace actas::testing
