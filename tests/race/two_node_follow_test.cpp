// Two nodes on one PostgreSQL, each serving what the other made and following what the other changed
// (SPEC §8: any node answers any call; each node's caches follow the committed changes). Nothing here
// restarts a node: b learns a's logins, sessions and changes while both run.
#include <algorithm>
#include <string>
#include <thread>

#include "tests/net/client.hpp"
#include "tests/race/two_nodes.hpp"

namespace actas::testing {
namespace {

using two_node_follow_test = two_node_race_test;

json me(std::uint16_t port, const std::string& token) { return http(port, "GET", "/v1/me", {}, token).body; }

/// adam's impersonation of ann started through `port`: {session id, token}.
std::pair<std::string, std::string> adam_views_ann(std::uint16_t port, const std::string& adam) {
  auto started =
    http(port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(), adam);
  EXPECT_EQ(started.status, 201u) << started.text;
  return {started.body["session"].value("id", ""), started.body.value("token", "")};
}

std::string session_column(const std::string& url, const std::string& session, const std::string& column) {
  return pg_value(url, "SELECT " + column + " FROM sessions WHERE session_id = '" + session + "'");
}

TEST_F(two_node_follow_test, a_login_through_one_node_is_accepted_by_the_other_at_once) {
  const auto ann = login(a->port, "ann");
  auto on_b = http(b->port, "GET", "/v1/me", {}, ann);
  ASSERT_EQ(on_b.status, 200u) << on_b.text;
  EXPECT_EQ(on_b.body.value("/user/id"_json_pointer, ""), "ann") << on_b.text;
  // A token no node made is refused by both.
  EXPECT_EQ(http(b->port, "GET", "/v1/me", {}, ann + "x").status, 401u);
}

TEST_F(two_node_follow_test, a_session_started_through_one_node_is_served_by_the_other) {
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  auto acting = http(b->port, "GET", "/v1/me", {}, token);
  ASSERT_EQ(acting.status, 200u) << acting.text;
  EXPECT_EQ(acting.body.value("/user/id"_json_pointer, ""), "ann") << acting.text;
  // The real person is named there as on a.
  EXPECT_EQ(acting.body.value("/actor/id"_json_pointer, ""), "adam") << acting.text;
}

TEST_F(two_node_follow_test, a_session_started_through_one_node_is_ended_through_the_other) {
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  // Ended through b, which had not seen it (it answered 409 session_ended), written once.
  auto ended = http(b->port, "POST", "/v1/impersonations/" + session + "/end", "{}", adam);
  ASSERT_EQ(ended.status, 200u) << ended.text;
  EXPECT_EQ(session_column(url, session, "state"), "ended");
  EXPECT_EQ(pg_count(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.end' AND session = '" + session + "'"), 1);
  EXPECT_EQ(http(b->port, "GET", "/v1/me", {}, token).status, 401u);
  // a, which started it, follows: its token stops working there too.
  EXPECT_TRUE(eventually([&] { return http(a->port, "GET", "/v1/me", {}, token).status == 401u; }))
    << "a still accepts the token of a session ended through b";
  // adam is free again on either node.
  auto [again, again_token] = adam_views_ann(b->port, adam);
  EXPECT_FALSE(again_token.empty());
}

TEST_F(two_node_follow_test, a_logout_through_one_node_ends_that_login_on_the_other) {
  const auto ann = login(a->port, "ann");
  ASSERT_EQ(http(b->port, "GET", "/v1/me", {}, ann).status, 200u);  // b holds it now
  ASSERT_EQ(http(a->port, "POST", "/v1/logout", {}, ann).status, 200u);
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, ann).status == 401u; }))
    << "b still accepts a token logged out through a";
  // And the node that logged it out never takes it back from the store.
  EXPECT_EQ(http(a->port, "GET", "/v1/me", {}, ann).status, 401u);
}

TEST_F(two_node_follow_test, a_demotion_through_one_node_ends_the_sessions_the_other_runs) {
  const auto adam_b = login(b->port, "adam");
  const auto [session, token] = adam_views_ann(b->port, adam_b);  // a never hears of it
  ASSERT_FALSE(token.empty());
  const auto sara_a = login(a->port, "sara");
  ASSERT_EQ(patch_user(a->port, "adam", {{"role", "learner"}}, sara_a)["status"], 200);
  EXPECT_TRUE(eventually([&] { return session_column(url, session, "state") == "ended"; }))
    << "adam's session on b outlived his demotion through a";
  EXPECT_EQ(session_column(url, session, "end_reason"), "actor_revoked");
  EXPECT_EQ(pg_count(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.end' AND session = '" + session + "'"), 1);
  // a, which follows b's sessions too, may have ended it first; b follows within its next round.
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, token).status == 401u; }));
  // b's directory has him as a learner now: its own cache refuses him fast.
  EXPECT_TRUE(eventually([&] { return me(b->port, adam_b).value("/user/role"_json_pointer, "") == "learner"; }));
}

TEST_F(two_node_follow_test, a_feature_turned_off_through_one_node_ends_the_sessions_the_other_runs) {
  const auto adam_b = login(b->port, "adam");
  const auto [session, token] = adam_views_ann(b->port, adam_b);
  ASSERT_FALSE(token.empty());
  const auto sara_a = login(a->port, "sara");
  auto off = http(a->port, "PATCH", "/v1/portals/acme/settings", json{{"impersonation", {{"enabled", false}}}}.dump(),
                  sara_a);
  ASSERT_EQ(off.status, 200u) << off.text;
  EXPECT_TRUE(eventually([&] { return session_column(url, session, "state") == "ended"; }))
    << "adam's session on b outlived impersonation turned off through a";
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, token).status == 401u; }));
}

/// A tab of `bearer` on `port`, its hello read.
ws_client open_tab(std::uint16_t port, const std::string& bearer) {
  auto ticket = http(port, "POST", "/v1/ws/ticket", {}, bearer);
  EXPECT_EQ(ticket.status, 200u) << ticket.text;
  ws_client ws;
  EXPECT_EQ(ws.connect(port, "/v1/ws?ticket=" + ticket.body.value("ticket", ""), "http://127.0.0.1:" + std::to_string(port)),
            101u)
    << ws.refusal().dump();
  auto hello = ws.read();
  EXPECT_TRUE(hello && hello->value("type", "") == "hello") << (hello ? hello->dump() : "no hello");
  return ws;
}

/// The kind of a notification frame, or of a banner frame ("banner:being_viewed").
std::string frame_kind(const std::optional<json>& frame) {
  if (!frame)
    return "(nothing)";
  if (frame->value("type", "") == "notification")
    return (*frame)["notification"].value("kind", "");
  return frame->value("type", "") + ":" + frame->value("kind", "");
}

/// The kinds of the next `count` frames of `tab`, sorted (what two nodes push may come in either order).
std::vector<std::string> next_kinds(ws_client& tab, int count) {
  std::vector<std::string> seen;
  for (int i = 0; i < count; ++i) seen.push_back(frame_kind(tab.read(std::chrono::seconds{20})));
  std::sort(seen.begin(), seen.end());
  return seen;
}

TEST_F(two_node_follow_test, a_learners_tabs_on_both_nodes_see_what_an_admin_does_through_one_of_them_once) {
  const auto ann = login(b->port, "ann");
  auto tab_b = open_tab(b->port, ann);
  auto tab_a = open_tab(a->port, ann);
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  // b runs the session too: the being-viewed banner and the notification reach ann's tab there; the tab
  // on a, the node that wrote the notification, gets it once although b's poll finds it too.
  const std::vector<std::string> started{"banner:being_viewed", "impersonation_started"};
  EXPECT_EQ(next_kinds(tab_b, 2), started);
  EXPECT_EQ(next_kinds(tab_a, 2), started);
  ASSERT_EQ(http(a->port, "POST", "/v1/impersonations/" + session + "/end", "{}", adam).status, 200u);
  const std::vector<std::string> ended{"banner_clear:being_viewed", "impersonation_ended"};
  EXPECT_EQ(next_kinds(tab_b, 2), ended);
  EXPECT_EQ(next_kinds(tab_a, 2), ended);
  // Nothing twice, on either node (a few polls later).
  EXPECT_EQ(frame_kind(tab_b.read(std::chrono::seconds{3})), "(nothing)");
  EXPECT_EQ(frame_kind(tab_a.read(std::chrono::seconds{1})), "(nothing)");
}

TEST_F(two_node_follow_test, a_session_served_by_the_other_node_is_not_taken_for_an_orphan_by_its_sweep) {
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(http(b->port, "GET", "/v1/me", {}, token).status, 200u);
  // b's sweep (every 5 s) ends sessions whose login is dead; adam's login lives, used only through a.
  std::this_thread::sleep_for(std::chrono::seconds{11});
  EXPECT_EQ(http(b->port, "GET", "/v1/me", {}, token).status, 200u);
  EXPECT_EQ(session_column(url, session, "state"), "active") << session_column(url, session, "end_reason");
}

TEST_F(two_node_follow_test, a_logout_through_a_node_that_only_followed_the_session_ends_it) {
  const auto ann = login(b->port, "ann");
  auto tab = open_tab(b->port, ann);
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  // b has taken the session from the database (its banner reached ann's tab there), then a dies: only b
  // can end it now.
  ASSERT_TRUE(tab.read_until("banner", std::chrono::seconds{20}).has_value());
  a.reset();
  ASSERT_EQ(http(b->port, "POST", "/v1/logout", {}, adam).status, 200u);
  EXPECT_EQ(session_column(url, session, "state"), "ended");
  EXPECT_EQ(session_column(url, session, "end_reason"), "actor_logged_out");
  EXPECT_EQ(http(b->port, "GET", "/v1/me", {}, token).status, 401u);
}

/// Runs `sql` on the shared database; true when it worked.
bool pg_run(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  bool ok = false;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}

TEST_F(two_node_follow_test, a_node_that_cannot_follow_the_others_fails_closed_and_recovers_by_itself) {
  const auto adam = login(a->port, "adam");
  const auto [session, token] = adam_views_ann(a->port, adam);
  ASSERT_FALSE(token.empty());
  auto tab = open_tab(b->port, token);  // an impersonation tab on b
  const auto ann = login(b->port, "ann");
  ASSERT_EQ(http(b->port, "GET", "/readyz", {}, {}).status, 200u);
  // The log's heads cannot be read: no node can show it has seen every change.
  ASSERT_TRUE(pg_run(url, "ALTER TABLE audit_heads RENAME TO audit_heads_away"));
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, token).status == 503u; }))
    << "b kept serving an impersonation token while it could not follow";
  auto refused = http(b->port, "GET", "/v1/me", {}, token);
  EXPECT_EQ(refused.body.value("/error/code"_json_pointer, ""), "node_stale") << refused.text;
  auto decision = http(b->port, "POST", "/v1/authorize", json{{"action", "courses.view"}}.dump(), token);
  EXPECT_EQ(decision.body.value("allowed", true), false) << decision.text;
  EXPECT_EQ(decision.body.value("code", ""), "node_stale") << decision.text;
  EXPECT_EQ(tab.expect_close(std::chrono::seconds{20}), std::optional<std::uint16_t>{1012});
  auto ready = http(b->port, "GET", "/readyz", {}, {});
  EXPECT_EQ(ready.status, 503u);
  EXPECT_NE(ready.text.find("stale"), std::string::npos) << ready.text;
  // A plain login is not what a missed revocation endangers most: it is still served (SPEC §8).
  EXPECT_EQ(http(b->port, "GET", "/v1/me", {}, ann).status, 200u);
  // Back: b catches up by itself.
  ASSERT_TRUE(pg_run(url, "ALTER TABLE audit_heads_away RENAME TO audit_heads"));
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, token).status == 200u; }));
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/readyz", {}, {}).status == 200u; }));
  auto again = open_tab(b->port, token);
  EXPECT_FALSE(again.closed());
}

TEST_F(two_node_follow_test, a_ticket_bought_through_one_node_opens_one_socket_through_any_node) {
  const auto ann = login(a->port, "ann");
  auto bought = http(a->port, "POST", "/v1/ws/ticket", {}, ann);
  ASSERT_EQ(bought.status, 200u) << bought.text;
  const auto ticket = bought.body.value("ticket", "");
  // A load balancer may send the upgrade to another node than the ticket: it opens the socket there.
  ws_client on_b;
  ASSERT_EQ(on_b.connect(b->port, "/v1/ws?ticket=" + ticket), 101u) << on_b.refusal().dump();
  auto hello = on_b.read_until("hello");
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["user"]["id"], "ann");
  // Used up on first presentation in the whole cluster: the node that sold it refuses it now.
  ws_client on_a;
  EXPECT_EQ(on_a.connect(a->port, "/v1/ws?ticket=" + ticket), 401u);
}

} // namespace
} // namespace actas::testing
