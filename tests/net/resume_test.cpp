// A tab that reconnects with `resume=<last notification id>` (SPEC §6): first every notification of its
// user after that id, in inbox order, then live frames; never one twice, never one missing.
#include "server_fixture.hpp"

#include <atomic>
#include <thread>

namespace actas::testing {
namespace {

/// The next notification frame on `ws` (skipping banners and the like); null when none comes.
json next_notification(ws_client& ws, std::chrono::milliseconds timeout = 10s) {
  while (auto f = ws.read(timeout))
    if (f->value("type", "") == "notification") return *f;
  return nullptr;
}

std::string id_of(const json& frame) { return frame["notification"]["id"].get<std::string>(); }

class resume_fixture : public server_fixture {
protected:
  /// adam views ann and ends it: two notifications for ann (started, ended).
  void view_and_end() {
    auto s = start(token("adam"), "ann");
    ASSERT_EQ(s.status, 201u) << s.text;
    auto e = post("/v1/impersonations/" + s.body["session"]["id"].get<std::string>() + "/end", nullptr, token("adam"));
    ASSERT_EQ(e.status, 200u) << e.text;
  }

  /// ann's inbox ids, oldest first.
  std::vector<std::string> inbox() {
    auto r = get("/v1/notifications?limit=200", token("ann"));
    EXPECT_EQ(r.status, 200u) << r.text;
    std::vector<std::string> ids;
    for (const auto& n : r.body["notifications"]) ids.push_back(n["id"].get<std::string>());
    std::reverse(ids.begin(), ids.end());
    return ids;
  }

  /// A tab of ann resuming after `after`, its hello read.
  ws_client resumed_tab(const std::string& after) {
    ws_client ws;
    EXPECT_EQ(ws.connect(port_, "/v1/ws?ticket=" + ticket(token("ann")) + "&resume=" + after, origin()), 101u)
      << ws.refusal().dump();
    auto hello = ws.read();
    EXPECT_TRUE(hello && hello->value("type", "") == "hello") << (hello ? hello->dump() : "no frame");
    return ws;
  }
};

TEST_F(resume_fixture, a_resumed_tab_gets_what_it_missed_in_order_then_live_frames) {
  view_and_end();
  const auto seen = inbox();
  ASSERT_EQ(seen.size(), 2u);
  // The tab saw the first notification, then lost its connection; three more views happen meanwhile.
  for (int i = 0; i < 3; ++i) view_and_end();
  const auto all = inbox();
  ASSERT_EQ(all.size(), 8u);

  auto ws = resumed_tab(seen.front());
  std::vector<std::string> replayed;
  for (std::size_t i = 1; i < all.size(); ++i) {
    auto f = next_notification(ws);
    ASSERT_FALSE(f.is_null()) << "replay stopped after " << replayed.size();
    replayed.push_back(id_of(f));
  }
  EXPECT_EQ(replayed, std::vector<std::string>(all.begin() + 1, all.end()));

  // Then live frames: the next view's notification comes once, after the replay.
  auto s = start(token("adam"), "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  auto live = next_notification(ws);
  ASSERT_FALSE(live.is_null());
  EXPECT_EQ(id_of(live), inbox().back());
  EXPECT_EQ(live["notification"]["kind"], "impersonation_started");
}

TEST_F(resume_fixture, resuming_after_the_newest_replays_nothing) {
  view_and_end();
  auto ws = resumed_tab(inbox().back());
  auto s = start(token("adam"), "ann");
  ASSERT_EQ(s.status, 201u) << s.text;
  auto first = next_notification(ws);
  ASSERT_FALSE(first.is_null());
  EXPECT_EQ(id_of(first), inbox().back()) << "the first notification after the newest is the live one";
}

TEST_F(resume_fixture, an_id_that_is_not_the_users_is_an_error_frame_and_a_malformed_one_is_400) {
  view_and_end();
  const auto anns = inbox().front();
  // bob's tab names ann's notification: not his, so nothing of ann's is replayed to him.
  ws_client bob;
  ASSERT_EQ(bob.connect(port_, "/v1/ws?ticket=" + ticket(token("bob")) + "&resume=" + anns, origin()), 101u)
    << bob.refusal().dump();
  ASSERT_TRUE(bob.read_until("hello"));
  auto err = bob.read_until("error");
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["code"], "not_found");

  ws_client bad;
  EXPECT_EQ(bad.connect(port_, "/v1/ws?ticket=" + ticket(token("ann")) + "&resume=..%2Fx", origin()), 400u);
  EXPECT_EQ(bad.refusal()["error"]["code"], "invalid_request");
}

// The race the rule is about: notifications committed while the tab reconnects. Over many reconnects the
// tab's frames, put together, are exactly the inbox: nothing twice (a push racing the replay), nothing
// missing (a push sent before the tab was attached).
TEST_F(resume_fixture, reconnecting_while_notifications_flow_misses_none_and_repeats_none) {
  view_and_end();
  std::vector<std::string> received = inbox();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    // Each round: adam views ann and ends it (two notifications), as fast as the server answers.
    for (int i = 0; i < 90 && !stop; ++i) {
      auto s = start(token("adam"), "ann");
      if (s.status != 201u) continue;
      post("/v1/impersonations/" + s.body["session"]["id"].get<std::string>() + "/end", nullptr, token("adam"));
    }
  });
  for (int round = 0; round < 80; ++round) {
    auto ws = resumed_tab(received.back());
    // Take a few frames (or none), then drop the connection as a flaky network would.
    for (int k = 0; k < round % 4; ++k) {
      auto f = next_notification(ws, 2s);
      if (f.is_null()) break;
      received.push_back(id_of(f));
    }
  }
  writer.join();
  // A last tab takes whatever is left.
  auto ws = resumed_tab(received.back());
  const auto all = inbox();
  while (received.size() < all.size()) {
    auto f = next_notification(ws, 5s);
    if (f.is_null()) break;
    received.push_back(id_of(f));
  }
  EXPECT_EQ(received, all);
}

} // namespace
} // namespace actas::testing
