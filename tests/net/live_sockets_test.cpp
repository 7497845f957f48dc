// Many tabs at once over real sockets: every tab gets every event once and in order; a silent socket is
// pinged and dropped while a quiet but live one stays.
#include "server_fixture.hpp"

#include <thread>

namespace actas::testing {
namespace {

constexpr std::size_t tab_count = 1000;

class many_tabs_test : public server_fixture {
protected:
  net::server_options options() const override {
    auto o = server_fixture::options();
    o.max_connections_per_ip = tab_count + 50;  // every tab comes from 127.0.0.1
    return o;
  }
};

/// The frames a tab received after its hello, up to and including the first of `last_type`.
std::vector<json> frames_until(ws_client& ws, const std::string& last_type) {
  std::vector<json> out;
  while (auto f = ws.read(30s)) {
    out.push_back(*f);
    if (f->value("type", "") == last_type) break;
  }
  return out;
}

std::string kind_of(const json& frame) {
  if (frame.contains("notification") && frame["notification"].is_object())
    return frame["notification"].value("kind", "");
  return frame.value("kind", frame.value("op", ""));
}

TEST_F(many_tabs_test, a_thousand_tabs_each_get_every_event_once_and_in_order) {
  const auto ann = token("ann");
  std::vector<ws_client> tabs;
  std::vector<std::int64_t> hello_seq;
  tabs.reserve(tab_count);
  for (std::size_t i = 0; i < tab_count; ++i) {
    ws_client ws;
    ASSERT_EQ(ws.connect(port_, "/v1/ws?ticket=" + ticket(ann), origin()), 101u) << "tab " << i << ws.refusal();
    auto hello = ws.read();
    ASSERT_TRUE(hello && (*hello)["type"] == "hello") << "tab " << i;
    hello_seq.push_back((*hello)["seq"].get<std::int64_t>());
    tabs.push_back(std::move(ws));
  }

  // Three things happen to ann: adam starts viewing her, ends with a message, and she reads the end
  // notification (the last frame every tab must see).
  const auto adam = token("adam");
  auto s = start(adam, "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  const auto id = s.body["session"]["id"].get<std::string>();
  ASSERT_EQ(post("/v1/impersonations/" + id + "/end", {{"message", "All fixed"}}, adam).status, 200u);
  auto inbox = get("/v1/notifications?unread=true", ann);
  ASSERT_EQ(inbox.status, 200u) << inbox.text;
  std::string ended_id;
  for (const auto& n : inbox.body["notifications"])
    if (n["kind"] == "impersonation_ended") ended_id = n["id"].get<std::string>();
  ASSERT_FALSE(ended_id.empty()) << inbox.text;
  ASSERT_EQ(post("/v1/notifications/" + ended_id + "/read", nullptr, ann).status, 200u);

  std::vector<std::string> first_tab_kinds;
  for (std::size_t i = 0; i < tab_count; ++i) {
    const auto frames = frames_until(tabs[i], "notification_read");
    ASSERT_FALSE(frames.empty()) << "tab " << i;
    ASSERT_EQ(frames.back()["type"], "notification_read") << "tab " << i << "\n" << dump_all(frames);
    std::vector<std::string> kinds;
    std::int64_t expected_seq = hello_seq[i] + 1;
    int started = 0, ended = 0;
    for (const auto& f : frames) {
      ASSERT_EQ(f["seq"].get<std::int64_t>(), expected_seq++) << "tab " << i << "\n" << dump_all(frames);
      kinds.push_back(f["type"].get<std::string>() + ":" + kind_of(f));
      if (f["type"] == "notification" && kind_of(f) == "impersonation_started") ++started;
      if (f["type"] == "notification" && kind_of(f) == "impersonation_ended") ++ended;
    }
    EXPECT_EQ(started, 1) << "tab " << i << "\n" << dump_all(frames);
    EXPECT_EQ(ended, 1) << "tab " << i << "\n" << dump_all(frames);
    // Every tab saw the same frames in the same order.
    if (i == 0)
      first_tab_kinds = kinds;
    else
      ASSERT_EQ(kinds, first_tab_kinds) << "tab " << i;
  }
  // The start came before the end on every tab (checked on the shared order).
  const auto at = [&](const std::string& k) {
    return std::find(first_tab_kinds.begin(), first_tab_kinds.end(), k) - first_tab_kinds.begin();
  };
  EXPECT_LT(at("notification:impersonation_started"), at("notification:impersonation_ended"));
}

class idle_socket_test : public server_fixture {
protected:
  net::server_options options() const override {
    auto o = server_fixture::options();
    o.ws_idle_timeout = std::chrono::seconds(3);
    return o;
  }
};

TEST_F(idle_socket_test, a_silent_socket_is_pinged_then_dropped_and_a_live_quiet_one_stays) {
  auto stuck = tab(token("ann"));
  auto live = tab(token("ann"));
  const auto adam = token("adam");

  // The stuck tab answers nothing: it sees the server's ping, then the connection ends. Meanwhile the live
  // tab, silent itself but reading (so answering pings), waits; once the stuck one is gone, adam starts.
  std::optional<std::vector<unsigned>> seen;
  bool stuck_closed = false;
  std::thread stuck_side([&] {
    seen = stuck.raw_opcodes(30s, [](unsigned) { return false; });
    stuck_closed = stuck.closed();
    EXPECT_EQ(start(adam, "ann").status, 201u);
  });
  auto note = live.read_until("notification", 60s);
  stuck_side.join();

  ASSERT_TRUE(seen) << "still open 30 s after an idle timeout of 3 s";
  EXPECT_NE(std::find(seen->begin(), seen->end(), 0x9u), seen->end()) << "no ping before the drop";
  EXPECT_TRUE(stuck_closed);
  // The live tab outlived the idle timeout and got what happened next.
  ASSERT_TRUE(note);
  EXPECT_EQ((*note)["notification"]["kind"], "impersonation_started");
  EXPECT_GE(live.pings_answered(), 1u);
}

} // namespace
} // namespace actas::testing
