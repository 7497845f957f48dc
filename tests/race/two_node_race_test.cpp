// Two actas nodes on one PostgreSQL deciding at once (issue 13, SPEC §6 "Concurrency"): neither node's
// memory knows what the other is about to commit, so only the decision made inside the transaction keeps
// the second change from being written: the request re-read FOR UPDATE and the realm's live grants
// re-read for two grants of one request; the actor's and the target's rows locked and their active
// sessions re-read for two starts of one admin or on one learner; the grant or session re-read for two
// ends of one grant or session that both nodes hold live (both loaded it at their start). The second is
// refused with the rule's own code, never written, never answered 503. Runs only on PostgreSQL
// (tests/race/CMakeLists.txt).
#include <atomic>
#include <string>
#include <thread>

#include "tests/race/two_nodes.hpp"

namespace actas::testing {
namespace {

constexpr int two_node_rounds = 12;




TEST_F(two_node_race_test, two_nodes_granting_one_request_at_once_write_one_grant) {
  node& a = *this->a;
  node& b = *this->b;
  const auto sam = login(a.port, "sam");
  const auto sara_a = login(a.port, "sara");
  const auto sara_b = login(b.port, "sara");

  for (int round = 0; round < two_node_rounds; ++round) {
    // Asked through a: b's memory has never seen this request, so b's fast check passes on what it reads
    // from the database, and both grants reach their writers.
    auto request = ask_for_acme_eu(a.port, sam);
    ASSERT_FALSE(request.empty());
    std::atomic<int> ready{0};
    http_result on_b;
    std::thread other([&] {
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      on_b = grant_acme_eu_answer(b.port, request, sara_b);
    });
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    auto on_a = grant_acme_eu_answer(a.port, request, sara_a);
    other.join();

    const bool a_won = on_a.status == 201;
    const auto& winner = a_won ? on_a : on_b;
    const auto& loser = a_won ? on_b : on_a;
    ASSERT_EQ(winner.status, 201u) << "round " << round << ": " << on_a.text << " / " << on_b.text;
    // The loser is refused by a rule (the request no longer pending, or the portal already granted),
    // not by the database's last guard (which would answer 503 audit_unavailable).
    EXPECT_TRUE(loser.status == 409u || loser.status == 400u)
        << "round " << round << ": the second grant answered " << loser.status << " " << loser.text
        << "\nlogs: " << a.log() << b.log();
    EXPECT_NE(loser.body.value("/error/code"_json_pointer, ""), "audit_unavailable")
        << "round " << round << ": " << loser.text;
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM support_grants WHERE request_id = '" + request + "'"), "1")
        << "round " << round;
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'support.grant' AND outcome = 'done' AND detail LIKE '%" + request +
                                "%'"),
              "1")
        << "round " << round;

    // The node that granted knows the grant and revokes it, freeing the portal for the next round.
    const auto grant_id = winner.body["grants"][0].value("id", "");
    auto revoked = http(a_won ? a.port : b.port, "POST", "/v1/support/grants/revoke",
                        json{{"grants", {grant_id}}}.dump(), a_won ? sara_a : sara_b);
    ASSERT_EQ(revoked.status, 200u) << revoked.text;
  }
}

/// Sends both starts at once, one through each node; answers {through a, through b}.
std::pair<http_result, http_result> start_on_both(node& a, const std::string& bearer_a, const std::string& target_a,
                                                  node& b, const std::string& bearer_b, const std::string& target_b) {
  std::atomic<int> ready{0};
  http_result on_b;
  std::thread other([&] {
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    on_b = http(b.port, "POST", "/v1/impersonations", json{{"target", target_b}, {"reason", demo_reason}}.dump(),
                bearer_b);
  });
  ++ready;
  while (ready.load() < 2) std::this_thread::yield();
  auto on_a =
      http(a.port, "POST", "/v1/impersonations", json{{"target", target_a}, {"reason", demo_reason}}.dump(), bearer_a);
  other.join();
  return {on_a, on_b};
}

/// Asserts one start won and the other was refused with `code` (409), ends the winner's session through
/// its node and answers the winner's target.
void one_start_won(int round, const std::pair<http_result, http_result>& answers, const std::string& code, node& a,
                   const std::string& ender_a, node& b, const std::string& ender_b) {
  const auto& [on_a, on_b] = answers;
  const bool a_won = on_a.status == 201;
  const auto& winner = a_won ? on_a : on_b;
  const auto& loser = a_won ? on_b : on_a;
  ASSERT_EQ(winner.status, 201u) << "round " << round << ": " << on_a.text << " / " << on_b.text;
  EXPECT_EQ(loser.status, 409u) << "round " << round << ": the second start answered " << loser.text;
  EXPECT_EQ(loser.body.value("/error/code"_json_pointer, ""), code) << "round " << round << ": " << loser.text;
  const auto session = winner.body["session"].value("id", "");
  auto ended = http(a_won ? a.port : b.port, "POST", "/v1/impersonations/" + session + "/end", "{}",
                    a_won ? ender_a : ender_b);
  ASSERT_EQ(ended.status, 200u) << ended.text;
}

/// `rounds` times: `caller_a` through a starts `target_a` while `caller_b` through b starts `target_b`;
/// one wins, the other is refused `code`, and `active_rows` (a count over the shared database) is 1.
void race_starts(two_node_race_test& t, const std::string& caller_a, const std::string& target_a,
                 const std::string& caller_b, const std::string& target_b, const std::string& code,
                 const std::string& active_rows) {
  node& a = *t.a;
  node& b = *t.b;
  const auto bearer_a = login(a.port, caller_a);
  const auto bearer_b = login(b.port, caller_b);
  // sara may end any of these sessions on either node.
  const auto sara_a = login(a.port, "sara");
  const auto sara_b = login(b.port, "sara");
  for (int round = 0; round < two_node_rounds; ++round) {
    auto answers = start_on_both(a, bearer_a, target_a, b, bearer_b, target_b);
    EXPECT_EQ(pg_value(t.url, active_rows), "1") << "round " << round;
    one_start_won(round, answers, code, a, sara_a, b, sara_b);
  }
}

TEST_F(two_node_race_test, two_nodes_starting_for_one_admin_at_once_run_one_session) {
  // sara starts ann through a and bob through b: each node's memory sees her idle.
  race_starts(*this, "sara", "ann", "sara", "bob", "actor_busy",
              "SELECT count(*) FROM sessions WHERE actor = 'sara' AND state = 'active'");
}

TEST_F(two_node_race_test, two_nodes_starting_on_one_learner_at_once_run_one_session) {
  // adam through a and sara through b both start ann, whom one admin at a time may impersonate
  // (impersonation.exclusive, on by default): no index guards this, only the decision in the transaction.
  race_starts(*this, "adam", "ann", "sara", "ann", "target_busy",
              "SELECT count(*) FROM sessions WHERE target = 'ann' AND state = 'active'");
}


/// Sends `path` with `body` through a and b at once; answers {through a, through b}.
std::pair<http_result, http_result> post_on_both(node& a, const std::string& bearer_a, node& b,
                                                 const std::string& bearer_b, const std::string& path,
                                                 const std::string& body) {
  std::atomic<int> ready{0};
  http_result on_b;
  std::thread other([&] {
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    on_b = http(b.port, "POST", path, body, bearer_b);
  });
  ++ready;
  while (ready.load() < 2) std::this_thread::yield();
  auto on_a = http(a.port, "POST", path, body, bearer_a);
  other.join();
  return {on_a, on_b};
}


/// One of two answers is `won` and the other 409 `session_ended` (never a 503, never two wins).
void one_won_one_ended(int round, const std::pair<http_result, http_result>& answers, unsigned won) {
  const auto& [on_a, on_b] = answers;
  const bool a_won = on_a.status == won;
  const auto& loser = a_won ? on_b : on_a;
  ASSERT_EQ((a_won ? on_a : on_b).status, won) << "round " << round << ": " << on_a.text << " / " << on_b.text;
  EXPECT_EQ(loser.status, 409u) << "round " << round << ": the second answered " << loser.text;
  EXPECT_EQ(loser.body.value("/error/code"_json_pointer, ""), "session_ended") << loser.text;
}

TEST_F(two_node_race_test, two_nodes_revoking_one_grant_at_once_end_it_once) {
  const auto sam = login(a->port, "sam");
  const auto sara_a = login(a->port, "sara");
  for (int round = 0; round < two_node_rounds / 2; ++round) {
    auto request = ask_for_acme_eu(a->port, sam);
    auto granted = grant_acme_eu_answer(a->port, request, sara_a);
    ASSERT_EQ(granted.status, 201u) << granted.text;
    const auto grant_id = granted.body["grants"][0].value("id", "");
    const auto sams_notes = "SELECT count(*) FROM notifications WHERE user_id = 'sam' AND kind = 'support_revoked'";
    const auto notes_before = pg_count(url, sams_notes);
    // b starts after the grant, so it loads the grant from the database: both nodes hold it live (as
    // both would arm its expiry), and each would end it on what its own memory says.
    const auto sara_b = restart_b(*this);
    // One revoke ends it; the other finds it ended in its own transaction and says so, as a revoke of an
    // ended grant does on one node. One event, one set of notifications, never a 503.
    one_won_one_ended(round, post_on_both(*a, sara_a, *b, sara_b, "/v1/support/grants/revoke",
                                          json{{"grants", {grant_id}}}.dump()),
                      200);
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'support.revoke' AND outcome = 'done' AND "
                            "grant_id = '" + grant_id + "'"),
              "1")
        << "round " << round;
    EXPECT_EQ(pg_value(url, "SELECT state FROM support_grants WHERE grant_id = '" + grant_id + "'"), "revoked");
    // The support user is told once; the second revoke is audited as refused, naming the grant.
    EXPECT_EQ(pg_count(url, sams_notes), notes_before + 1) << "round " << round;
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'support.revoke' AND outcome = 'denied' AND "
                            "code = 'session_ended' AND detail LIKE '%" + grant_id + "%'"),
              "1")
        << "round " << round;
  }
}

/// sam asks through `n` and sara allows acme-eu there for an hour; the grant's id ("" when refused).
std::string grant_acme_eu_through(node& n) {
  auto granted = grant_acme_eu_answer(n.port, ask_for_acme_eu(n.port, login(n.port, "sam")), login(n.port, "sara"));
  EXPECT_EQ(granted.status, 201u) << granted.text;
  return granted.status == 201u ? granted.body["grants"][0].value("id", "") : std::string{};
}

TEST_F(two_node_race_test, a_grant_made_through_one_node_is_used_and_revoked_through_another) {
  // a started before the grant was made through b, so a's memory never held it.
  const auto grant_id = grant_acme_eu_through(*b);
  ASSERT_FALSE(grant_id.empty());
  const auto sara_b = login(b->port, "sara");
  const auto temp_admin = pg_value(url, "SELECT temp_admin FROM support_grants WHERE grant_id = '" + grant_id + "'");
  // The support user gets the temporary admin's token through a, and a accepts it.
  const auto sam_a = login(a->port, "sam");
  auto token = http(a->port, "POST", "/v1/support/grants/" + grant_id + "/token", "{}", sam_a);
  ASSERT_EQ(token.status, 200u) << token.text;
  const auto temp_token = token.body.value("token", "");
  EXPECT_EQ(http(a->port, "GET", "/v1/me", {}, temp_token).status, 200u);
  // sara revokes it through a: ended once, its temporary admin deleted and its token dead there.
  const auto sara_a = login(a->port, "sara");
  auto revoked = http(a->port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant_id}}}.dump(), sara_a);
  ASSERT_EQ(revoked.status, 200u) << revoked.text;
  EXPECT_EQ(revoked.body["grants"][0].value("state", ""), "revoked") << revoked.text;
  EXPECT_EQ(pg_value(url, "SELECT state FROM support_grants WHERE grant_id = '" + grant_id + "'"), "revoked");
  EXPECT_EQ(pg_value(url, "SELECT status FROM users WHERE user_id = '" + temp_admin + "'"), "deleted");
  EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'support.revoke' AND outcome = 'done' AND "
                          "grant_id = '" + grant_id + "'"),
            "1");
  EXPECT_EQ(http(a->port, "GET", "/v1/me", {}, temp_token).status, 401u);
  // Asked again through b, whose memory still holds it live: its end's transaction finds it ended.
  auto again = http(b->port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant_id}}}.dump(), sara_b);
  EXPECT_EQ(again.status, 409u) << again.text;
}

TEST_F(two_node_race_test, a_request_made_through_one_node_is_denied_through_another_once) {
  // a started before the request was made through b, so a's memory never held it.
  const auto sam = login(b->port, "sam");
  const auto request = ask_for_acme_eu(b->port, sam);
  ASSERT_FALSE(request.empty());
  const auto sara_a = login(a->port, "sara");
  auto denied = http(a->port, "POST", "/v1/support/requests/" + request + "/deny", "{}", sara_a);
  ASSERT_EQ(denied.status, 200u) << denied.text;
  EXPECT_EQ(pg_value(url, "SELECT state FROM support_requests WHERE request_id = '" + request + "'"), "denied");
  EXPECT_EQ(pg_value(url, "SELECT count(*) FROM notifications WHERE user_id = 'sam' AND kind = 'support_denied'"), "1");
  // b's memory still holds it pending: its cancel's transaction finds it decided, and says so.
  auto cancelled = http(b->port, "POST", "/v1/support/requests/" + request + "/cancel", "{}", sam);
  EXPECT_EQ(cancelled.status, 409u) << cancelled.text;
  EXPECT_EQ(pg_value(url, "SELECT state FROM support_requests WHERE request_id = '" + request + "'"), "denied");
}

TEST_F(two_node_race_test, two_nodes_ending_one_session_at_once_end_it_once) {
  const auto sara_a = login(a->port, "sara");
  for (int round = 0; round < two_node_rounds / 2; ++round) {
    auto started = http(a->port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(),
                        sara_a);
    ASSERT_EQ(started.status, 201u) << started.text;
    const auto session = started.body["session"].value("id", "");
    const auto anns_notes = "SELECT count(*) FROM notifications WHERE user_id = 'ann' AND kind = 'impersonation_ended'";
    const auto notes_before = pg_count(url, anns_notes);
    // b loads the running session (and would arm its expiry): both nodes would end it on their memory.
    const auto sara_b = restart_b(*this);
    one_won_one_ended(round, post_on_both(*a, sara_a, *b, sara_b, "/v1/impersonations/" + session + "/end", "{}"), 200);
    // One end: one event, one "ended" notification for ann.
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.end' AND outcome = 'done' AND "
                            "session = '" + session + "'"),
              "1")
        << "round " << round;
    EXPECT_EQ(pg_value(url, "SELECT state FROM sessions WHERE session_id = '" + session + "'"), "ended");
    // ann is told once; the second end is audited as refused, naming the session.
    EXPECT_EQ(pg_count(url, anns_notes), notes_before + 1) << "round " << round;
    EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.end' AND outcome = 'denied' AND "
                            "code = 'session_ended' AND session = '" + session + "'"),
              "1")
        << "round " << round;
  }
}

/// acme-eu's row of the access status through `port`: none · requested · available · expired · revoked.
std::string acme_eu_access(std::uint16_t port, const std::string& sara) {
  auto status = http(port, "GET", "/v1/support/access", {}, sara);
  for (const auto& row : status.body.value("portals", json::array()))
    if (row.value("portal", "") == "acme-eu")
      return row.value("state", "");
  return "(missing: " + status.text + ")";
}

TEST_F(two_node_race_test, an_allow_refused_because_another_node_decided_the_request_forgets_it_here) {
  const auto sam = login(a->port, "sam");
  const auto sara_a = login(a->port, "sara");
  const auto request = ask_for_acme_eu(a->port, sam);
  ASSERT_FALSE(request.empty());
  // Denied through b; a's memory still holds it pending.
  const auto sara_b = login(b->port, "sara");
  ASSERT_EQ(http(b->port, "POST", "/v1/support/requests/" + request + "/deny", "{}", sara_b).status, 200u);
  EXPECT_EQ(acme_eu_access(a->port, sara_a), "requested");
  // An allow through a finds it decided in its transaction; a then stops showing it as pending.
  auto granted = grant_acme_eu_answer(a->port, request, sara_a);
  EXPECT_EQ(granted.status, 409u) << granted.text;
  EXPECT_EQ(acme_eu_access(a->port, sara_a), "none");
}


TEST_F(two_node_race_test, a_session_ended_through_one_node_stops_working_on_the_other) {
  const auto sara_a = login(a->port, "sara");
  auto started = http(a->port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(),
                      sara_a);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto session = started.body["session"].value("id", "");
  const auto token = started.body.value("token", "");
  ASSERT_FALSE(token.empty()) << started.text;
  // b loads the running session and its token, and accepts it.
  restart_b(*this);
  ASSERT_EQ(http(b->port, "GET", "/v1/me", {}, token).status, 200u);
  ASSERT_EQ(http(a->port, "POST", "/v1/impersonations/" + session + "/end", "{}", sara_a).status, 200u);
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, token).status == 401u; }))
      << "b still accepts the token of a session ended through a";
  // b ended it in its memory only: one event, written by a.
  EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'impersonation.end' AND session = '" + session + "'"),
            "1");
}

TEST_F(two_node_race_test, a_grant_revoked_through_one_node_ends_its_token_and_sessions_on_the_other) {
  const auto grant_id = grant_acme_eu_through(*a);
  ASSERT_FALSE(grant_id.empty());
  const auto sara_a = login(a->port, "sara");
  // b loads the grant; the support user gets the temporary admin's token there and impersonates ann
  // through b, a session a never hears of.
  restart_b(*this);
  const auto sam_b = login(b->port, "sam");
  auto minted = http(b->port, "POST", "/v1/support/grants/" + grant_id + "/token", "{}", sam_b);
  ASSERT_EQ(minted.status, 200u) << minted.text;
  const auto temp_token = minted.body.value("token", "");
  auto started = http(b->port, "POST", "/v1/impersonations", json{{"target", "ann"}, {"reason", demo_reason}}.dump(),
                      temp_token);
  ASSERT_EQ(started.status, 201u) << started.text;
  const auto session = started.body["session"].value("id", "");
  ASSERT_EQ(http(a->port, "POST", "/v1/support/grants/revoke", json{{"grants", {grant_id}}}.dump(), sara_a).status,
            200u);
  EXPECT_TRUE(eventually([&] { return http(b->port, "GET", "/v1/me", {}, temp_token).status == 401u; }))
      << "b still accepts the temporary admin's token of a grant revoked through a";
  // The session b ran for the temporary admin ends with the grant, written by b (a did not know it).
  EXPECT_TRUE(eventually(
      [&] { return pg_value(url, "SELECT state FROM sessions WHERE session_id = '" + session + "'") == "ended"; }));
  EXPECT_EQ(pg_value(url, "SELECT end_reason FROM sessions WHERE session_id = '" + session + "'"), "grant_ended");
  EXPECT_EQ(pg_value(url, "SELECT count(*) FROM audit WHERE event = 'support.revoke' AND outcome = 'done' AND "
                          "grant_id = '" + grant_id + "'"),
            "1");
}

} // namespace
} // namespace actas::testing
