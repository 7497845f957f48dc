#pragma once
// Two actas nodes on one PostgreSQL (a schema of its own on the throwaway server per test): the nodes,
// and what the tests read off the shared database.
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tests/race/race_server.hpp"
#include "tests/store/test_database.hpp"

namespace actas::testing {

/// A demo node on the shared database (the first one seeds it, the others find it seeded).
struct node {
  node(const std::string& url)
      : server({"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0", "--log-level", "warn"},
               {"ACTAS_DATABASE_URL=" + url}) {}
  temp_dir dir;
  process server;
  std::uint16_t port = listening_port(server).value_or(0);
  /// What the node logged so far (warnings and errors): shown when a round fails.
  std::string log() {
    server.pump_until([] { return false; }, std::chrono::milliseconds(200));
    return server.out_text + server.err_text;
  }
};

/// Two demo nodes on one fresh schema of the throwaway PostgreSQL server.
class two_node_race_test : public ::testing::Test {
public:
  void SetUp() override {
    ASSERT_TRUE(on_postgresql()) << "this suite runs only against the throwaway PostgreSQL server";
    url = fresh_postgresql_schema();
    a = std::make_unique<node>(url);
    ASSERT_NE(a->port, 0) << a->server.err_text;
    b = std::make_unique<node>(url);
    ASSERT_NE(b->port, 0) << b->server.err_text;
  }
  std::string url;
  std::unique_ptr<node> a, b;
};

/// The first column of the first row of `sql` on the shared database ("" when none or on error).
inline std::string pg_value(const std::string& url, const std::string& sql) {
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

/// How many rows `sql` counts on the shared database.
inline int pg_count(const std::string& url, const std::string& sql) {
  const auto v = pg_value(url, sql);
  return v.empty() ? -1 : std::stoi(v);
}

/// Whether `done` holds within `bound`, asked every 100 ms. A node follows the others within a second
/// (SPEC §8); the bound is generous so that a slow machine does not fail the test, and a node that never
/// follows does.
template <class Done>
bool eventually(Done&& done, std::chrono::seconds bound = std::chrono::seconds{20}) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return true;
}

/// Restarts b, which then loads from the database what a has made live meanwhile (as both nodes would
/// after any restart): answers sara's token on the new b.
inline std::string restart_b(two_node_race_test& t) {
  t.b.reset();
  t.b = std::make_unique<node>(t.url);
  EXPECT_NE(t.b->port, 0) << t.b->server.err_text;
  return login(t.b->port, "sara");
}

} // namespace actas::testing
