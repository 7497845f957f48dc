#pragma once
/// Reads (or changes) the server's database file from outside, as an operator or an intruder would.
#include <sqlite3.h>

#include <string>

namespace actas::testing {

/// Runs `sql` on the file and returns the first column of its first row ("" when none or on error).
inline std::string file_query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  // Read-write even to read: after a crash only a writer may rebuild the WAL index.
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      if (auto p = sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(p);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

} // namespace actas::testing
