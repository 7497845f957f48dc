#pragma once
/// Shared pieces of the store tests: a small realm to write, a raw connection for poking at the
/// database from outside the store, and a helper that runs one job and says whether it committed.
#include <chrono>
#include <future>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "crypto/crypto.hpp"
#include "domain/audit.hpp"
#include "store/connection.hpp"
#include "store/writer.hpp"

namespace actas::testing {

using namespace actas::domain;

inline timestamp at_s(std::int64_t seconds) { return from_micros(seconds * 1'000'000); }

inline const hash_function& sha256() {
  static const hash_function f = [](std::string_view b) { return crypto::sha256_hex(b); };
  return f;
}

/// Runs `j` through `w` (an inline writer: done has run when submit returns).
inline bool commit(store::writer& w, store::writer::job j) {
  std::optional<bool> result;
  w.submit(std::move(j), [&](bool ok) { result = ok; });
  return result.value_or(false);
}

/// Submits to a group writer and waits (bounded) for the outcome.
inline bool submit_and_wait(store::writer& w, store::writer::job j) {
  std::promise<bool> p;
  auto f = p.get_future();
  w.submit(std::move(j), [&p](bool ok) { p.set_value(ok); });
  if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "the writer never answered";
    return false;
  }
  return f.get();
}

/// A plain connection to the test's database, outside the store's API (SQLite's C API, or libpq on
/// PostgreSQL): for poking at what the store wrote, or tampering with it.
class raw_db {
public:
  explicit raw_db(const std::string& location) {
    if (store::is_postgresql_url(location)) pg_ = PQconnectdb(location.c_str());
    else sqlite3_open(location.c_str(), &db_);
  }
  ~raw_db() {
    if (pg_) PQfinish(pg_);
    else sqlite3_close(db_);
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  /// Runs `sql`; returns the engine's error message, or nullopt on success.
  std::optional<std::string> exec(const std::string& sql) {
    if (pg_) {
      PGresult* r = PQexec(pg_, sql.c_str());
      const auto status = PQresultStatus(r);
      std::optional<std::string> error;
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
      PQclear(r);
      return error;
    }
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return std::nullopt;
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return msg;
  }
  /// Drops trigger `name` of `table` (the two engines spell it differently).
  std::optional<std::string> drop_trigger(const std::string& name, const std::string& table) {
    return exec(pg_ ? "DROP TRIGGER " + name + " ON " + table : "DROP TRIGGER " + name);
  }
  /// Column `column` of the first row of `sql` as text (empty when no row).
  std::string scalar(const std::string& sql, int column = 0) {
    std::string out;
    if (pg_) {
      PGresult* r = PQexec(pg_, sql.c_str());
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, column))
        out = PQgetvalue(r, 0, column);
      PQclear(r);
      return out;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      if (auto p = sqlite3_column_text(st, column)) out = reinterpret_cast<const char*>(p);
    sqlite3_finalize(st);
    return out;
  }
  bool on_postgresql() const { return pg_ != nullptr; }

private:
  sqlite3* db_ = nullptr;
  PGconn* pg_ = nullptr;
};

inline user make_user(const std::string& name, role r, std::optional<id> home, std::optional<id> realm) {
  user u;
  u.user_id = "u-" + name;
  u.username = name;
  u.display_name = "User " + name;
  u.user_role = r;
  u.home_portal = std::move(home);
  u.realm_id = std::move(realm);
  u.accepted = consents{true, true};
  return u;
}

/// Realm "acme" (portals acme > acme-eu > acme-eu-paris), an admin, a power user and two learners.
inline void write_small_realm(store::transaction& tx) {
  tx.put_realm({"acme", "Acme Corp", "acme"});
  tx.put_portal({"acme", "acme", std::nullopt, "Acme"});
  tx.put_portal({"acme-eu", "acme", "acme", "Acme Europe"});
  tx.put_portal({"acme-eu-paris", "acme", "acme-eu", "Acme Paris"});
  user adam = make_user("adam", role::admin, "acme-eu", "acme");
  adam.admin_portals = {"acme-eu", "acme-eu-paris"};
  tx.put_user(adam);
  user pia = make_user("pia", role::power_user, "acme", "acme");
  pia.assigned_users = {"u-ann", "u-bob"};
  pia.assigned_portals = {"acme-eu-paris"};
  tx.put_user(pia);
  tx.put_user(make_user("ann", role::learner, "acme-eu", "acme"));
  user bob = make_user("bob", role::learner, "acme-eu-paris", "acme");
  bob.accepted.terms = false;
  tx.put_user(bob);
}

/// An audit event ready to append (seq and hashes are filled by the store).
inline audit_event make_event(const std::string& chain, std::string event, timestamp at) {
  audit_event e;
  e.chain = chain;
  e.event = std::move(event);
  e.at = at;
  return e;
}

} // namespace actas::testing
