#pragma once
/// Where a test keeps its database. The store, actors and net suites run twice (tests/CMakeLists.txt):
/// on SQLite, a file in the test's own folder; on PostgreSQL (when ACTAS_TEST_PG_HOST names the socket
/// folder of the throwaway server scripts/pg-throwaway started), a fresh schema of its own. Without that
/// server a PostgreSQL run fails, never skips.
#include <atomic>
#include <cctype>
#include <filesystem>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>
#include <unistd.h>


namespace actas::testing {

/// Whether this run is the PostgreSQL one.
inline bool on_postgresql() {
  const char* host = std::getenv("ACTAS_TEST_PG_HOST");
  return host && *host;
}

/// `text` with every byte outside [A-Za-z0-9-._~] percent-encoded (for a URL's query values).
inline std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// A new, empty schema on the throwaway server, and the URL whose connections use it.
inline std::string fresh_postgresql_schema() {
  const char* host = std::getenv("ACTAS_TEST_PG_HOST");
  static std::atomic<int> counter{0};
  const std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
                             std::to_string(std::rand() % 100000);
  const std::string conninfo = std::string("host=") + host + " user=postgres dbname=postgres";
  PGconn* c = PQconnectdb(conninfo.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, ("CREATE SCHEMA " + schema).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error("cannot make a test schema on " + conninfo + ": " + error);
  return "postgresql://postgres@/postgres?host=" + url_encode(host) +
         "&options=" + url_encode("-c search_path=" + schema);
}

/// The database location of a test whose files live in folder `dir`.
inline std::string test_database(const std::filesystem::path& dir) {
  return on_postgresql() ? fresh_postgresql_schema() : (dir / "actas.db").string();
}

} // namespace actas::testing
