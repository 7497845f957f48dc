#pragma once
/// Store-internal: the SQLite engine (the embedded default). A file in WAL mode with synchronous=FULL;
/// the writer's BEGIN IMMEDIATE is the one write lock. The WAL machinery (store/checkpointer.hpp,
/// store/wal_reserve.hpp) reaches the raw handle through sqlite_handle().
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/connection.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace actas::store {

/// How long a connection waits for another one's lock before giving up with SQLITE_BUSY.
inline constexpr int busy_timeout_ms = 5000;

/// Throws store_error built from the connection's last error, prefixed with `doing`.
[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view doing);

/// Runs one or more statements that return nothing of interest (DDL, PRAGMA, BEGIN…).
void exec(sqlite3* db, std::string_view sql);

/// What the writer must assume about a failed commit, from SQLite's extended result code.
failure sqlite_failure(int extended_code);

/// One prepared SQLite statement, finalized on destruction.
class sqlite_statement final : public statement {
public:
  sqlite_statement(sqlite3* db, std::string_view sql);
  ~sqlite_statement() override;
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  void bind_null(int index) override;
  void bind_text(int index, std::string_view value) override;
  void bind_int64(int index, std::int64_t value) override;
  bool step() override;
  void reset() override;
  bool is_null(int col) const override;
  std::string text(int col) const override;
  std::int64_t int64(int col) const override;

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class sqlite_connection final : public connection {
public:
  /// Opens (creating if needed) the file, sets WAL, synchronous=FULL, foreign keys and a busy timeout,
  /// and migrates. Throws std::runtime_error with the path and SQLite's message.
  explicit sqlite_connection(const std::string& path);
  ~sqlite_connection() override;

  engine kind() const override { return engine::sqlite; }
  const std::string& where() const override { return path_; }
  statement& prepared(std::string_view sql) override;
  void exec(std::string_view sql) override;
  void begin_write() override;
  void begin_read() override;
  void commit() override;
  bool in_transaction() const override;
  void rollback_quietly() override;
  std::string_view lock_rows() const override { return {}; }

  sqlite3* handle() const { return db_; }

private:
  // Transparent, so a lookup by string_view allocates nothing.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string path_;
  sqlite3* db_ = nullptr;
  // Preparing costs more than running a small INSERT, and the writer runs the same few statements for
  // every job.
  std::unordered_map<std::string, std::unique_ptr<sqlite_statement>, text_hash, std::equal_to<>> stmts_;
};

/// The raw handle when `c` is a SQLite connection, else nullptr.
sqlite3* sqlite_handle(connection& c);

} // namespace actas::store
