#pragma once
/// What the races share: a fresh demo server, the database read as an operator would, and the few calls
/// every race makes (asking for and granting support access, PATCHing a user).
#include <sqlite3.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/file_query.hpp"
#include "tests/net/client.hpp"
#include "tests/net/demo_login.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

namespace actas::testing {

/// A fresh demo server; races that can undo their change share one over many rounds.
struct demo_server {
  temp_dir dir;
  process server{{"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0", "--log-level", "error"}};
  std::uint16_t port = listening_port(server).value_or(0);
  std::string db() const { return (dir.path() / "data" / "actas.db").string(); }
};

/// Every row's first column of `sql` on the server's database, in the query's order.
inline std::vector<std::string> file_rows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK)
      while (sqlite3_step(st) == SQLITE_ROW) {
        auto p = sqlite3_column_text(st, 0);
        out.emplace_back(p ? reinterpret_cast<const char*>(p) : "");
      }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

/// sam asks for support access to acme-eu; the request's id ("" when refused).
inline std::string ask_for_acme_eu(std::uint16_t port, const std::string& sam) {
  auto r = http(port, "POST", "/v1/support/requests",
                json{{"portals", {"acme-eu"}}, {"reason", "Enrolments fail"}, {"ticket", "T-1"}}.dump(), sam);
  return r.status == 201 ? r.body["request"]["id"].get<std::string>() : std::string{};
}

/// sara grants acme-eu for an hour on `request`; the answer.
inline http_result grant_acme_eu_answer(std::uint16_t port, const std::string& request, const std::string& sara) {
  return http(port, "POST", "/v1/support/grants",
              json{{"request", request}, {"portals", {"acme-eu"}}, {"duration_s", 3600}}.dump(), sara);
}

/// sara grants acme-eu for an hour on `request`; the answer's status.
inline unsigned grant_acme_eu(std::uint16_t port, const std::string& request, const std::string& sara) {
  return grant_acme_eu_answer(port, request, sara).status;
}

inline json patch_user(std::uint16_t port, const std::string& user, const json& body, const std::string& bearer) {
  auto r = http(port, "PATCH", "/v1/users/" + user, body.dump(), bearer);
  return json{{"status", r.status}, {"body", r.body}};
}

/// sara ends every session a failed round left running, so the next round's start is not refused as busy
/// (which would hide the race in it).
inline void end_leftovers(std::uint16_t port, const std::string& sara) {
  auto active = http(port, "GET", "/v1/impersonations?state=active", {}, sara);
  for (const auto& s : active.body["sessions"])
    http(port, "POST", "/v1/impersonations/" + s.value("id", "") + "/end", "{}", sara);
}

/// Waits until `done` reached `at_least` (the other side of a race is under way), bounded.
inline bool under_way(const std::atomic<int>& done, int at_least) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (done.load() < at_least)
    if (std::chrono::steady_clock::now() > until)
      return false;
    else
      std::this_thread::yield();
  return true;
}

} // namespace actas::testing
