// Two actas nodes on one PostgreSQL deciding on the same support request at once (issue 13, SPEC §6
// "Concurrency"): neither node's memory knows what the other is about to commit, so only the decision
// made inside the transaction (the request re-read FOR UPDATE, the realm's live grants re-read) keeps the
// second grant from being written. The second is refused with the rule's own code, never written, never
// answered 503. Runs only on PostgreSQL (tests/race/CMakeLists.txt).
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <atomic>
#include <string>
#include <thread>

#include "tests/race/race_server.hpp"
#include "tests/store/test_database.hpp"

namespace actas::testing {
namespace {

constexpr int rounds = 12;

/// A demo node on the shared database (the first one seeds it, the others find it seeded).
struct node {
  node(const std::string& url)
      : server({"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0", "--log-level", "error"},
               {"ACTAS_DATABASE_URL=" + url}) {}
  temp_dir dir;
  process server;
  std::uint16_t port = listening_port(server).value_or(0);
};

/// The first column of the first row of `sql` on the shared database ("" when none or on error).
std::string pg_value(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string out;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
      out = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

TEST(two_node_race_test, two_nodes_granting_one_request_at_once_write_one_grant) {
  ASSERT_TRUE(on_postgresql()) << "this suite runs only against the throwaway PostgreSQL server";
  const auto url = fresh_postgresql_schema();
  node a(url);
  ASSERT_NE(a.port, 0) << a.server.err_text;
  node b(url);
  ASSERT_NE(b.port, 0) << b.server.err_text;
  const auto sam = login(a.port, "sam");
  const auto sara_a = login(a.port, "sara");
  const auto sara_b = login(b.port, "sara");

  for (int round = 0; round < rounds; ++round) {
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
        << "round " << round << ": the second grant answered " << loser.status << " " << loser.text;
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

} // namespace
} // namespace actas::testing
