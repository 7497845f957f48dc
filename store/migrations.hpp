#pragma once
/// Store-internal: the schema as a list of versioned steps, applied through PRAGMA user_version.
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace actas::store {

/// One schema step, the same on both engines: its statements run in one transaction that also records
/// `version`. `statements` are written once for both (on PostgreSQL each INTEGER column becomes BIGINT:
/// times are microseconds, and INTEGER is 32 bits there); triggers differ in syntax, so each engine has
/// its own.
struct migration {
  int version;
  std::vector<std::string_view> statements;
  std::vector<std::string_view> sqlite_only = {};
  std::vector<std::string_view> postgresql_only = {};
};

/// Every step in version order (version i+1 at index i). New tables (support grants, preferences…) come
/// as new steps at the end; a released step is never edited.
const std::vector<migration>& migrations();

/// Brings the connection's file up to the latest version. Throws when the file was written by a newer
/// build (a user_version above ours), rather than guessing at a schema it does not know.
void migrate(sqlite3* db, const std::string& path);

class pg_connection;

/// A shared statement in PostgreSQL's words (INTEGER as BIGINT).
std::string postgresql_ddl(std::string_view sql);

/// Brings a PostgreSQL database up to the latest version, under an advisory lock so that nodes starting
/// together apply each step once. Throws like migrate.
void migrate_postgresql(pg_connection& c);

} // namespace actas::store
