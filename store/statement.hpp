#pragma once
/// Store-internal SQLite helpers: prepared statements kept per connection, one-use queries with typed
/// binds and columns, and errors that carry the SQL that failed.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/time.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace actas::store {

/// How long a connection waits for another one's lock before giving up with SQLITE_BUSY.
inline constexpr int busy_timeout_ms = 5000;

/// A SQLite failure: the message names what was being done and SQLite's own words; `code` is the
/// extended result code.
class sqlite_error : public std::runtime_error {
public:
  sqlite_error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

private:
  int code_;
};

/// Throws sqlite_error built from the connection's last error, prefixed with `doing`.
[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view doing);

/// Runs one or more statements that return nothing of interest (DDL, PRAGMA, BEGIN…).
void exec(sqlite3* db, std::string_view sql);

/// One prepared statement, finalized on destruction.
class statement {
public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  sqlite3* db() const { return db_; }

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Prepared statements of one connection, keyed by their SQL text. Preparing costs more than running a
/// small INSERT, and the writer runs the same few statements for every job.
class statement_cache {
public:
  explicit statement_cache(sqlite3* db) : db_(db) {}
  statement& get(std::string_view sql);

private:
  // Transparent, so a lookup by string_view allocates nothing.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<statement>, text_hash, std::equal_to<>> stmts_;
};

/// One use of a cached statement: binds left to right, steps, and resets on destruction so the
/// statement is ready (and releases its read snapshot) for the next use.
class query {
public:
  explicit query(statement& s) : s_(s) {}
  ~query();
  query(const query&) = delete;
  query& operator=(const query&) = delete;

  /// Binds each argument to the next parameter (?1, ?2, …).
  template <class... A>
  query& bind(const A&... args) {
    (bind_one(args), ...);
    return *this;
  }

  /// Steps once: true when a row is available, false when done; throws on error.
  bool step();
  /// Steps to the end, for statements that return no rows.
  void run();

  bool is_null(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::int64_t int64(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  domain::timestamp time(int col) const { return domain::from_micros(int64(col)); }
  std::optional<domain::timestamp> opt_time(int col) const;

private:
  void bind_one(std::nullptr_t);
  void bind_one(std::string_view v);
  void bind_one(const std::string& v) { bind_one(std::string_view(v)); }
  void bind_one(const char* v) { bind_one(std::string_view(v)); }
  void bind_one(std::int64_t v);
  void bind_one(int v) { bind_one(static_cast<std::int64_t>(v)); }
  void bind_one(bool v) { bind_one(static_cast<std::int64_t>(v ? 1 : 0)); }
  void bind_one(domain::timestamp t) { bind_one(domain::to_micros(t)); }
  template <class T>
  void bind_one(const std::optional<T>& v) {
    if (v) bind_one(*v);
    else bind_one(nullptr);
  }

  statement& s_;
  int next_ = 1;
};

} // namespace actas::store
