#pragma once
/// Store-internal: one connection to one of the two engines (SPEC §8 "Engines"), behind one interface.
/// The SQL the store runs is written once, in the subset both engines speak (numbered `?N` parameters,
/// `ON CONFLICT … DO UPDATE`, `WITH RECURSIVE`); each engine prepares it in its own dialect and keeps
/// the prepared statements for the connection's life. Values cross as text, 64-bit integers or NULL.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "domain/time.hpp"

namespace actas::store {

enum class engine { sqlite, postgresql };

/// What a failed statement means to the writer, whichever engine reported it.
enum class failure {
  other,
  disk_full,       ///< nothing of the commit reached the disk
  write_failed,    ///< a write failed before the commit record: nothing of it can come back
  sync_failed,     ///< the commit's bytes were written but not made durable
  connection_lost, ///< the server went away: the commit's fate is unknown until it is asked again
  duplicate,       ///< a unique index refused the row: a change committed first holds its place
  conflict         ///< a deadlock with another transaction (PostgreSQL picked this one to fail): run
                   ///< again once the other has ended, the same job may well succeed
};

/// A store failure: names what was being done and the engine's own words.
class store_error : public std::runtime_error {
public:
  store_error(const std::string& what, failure kind, int code = 0)
    : std::runtime_error(what), kind_(kind), code_(code) {}
  failure kind() const { return kind_; }
  /// The engine's own code (SQLite's extended result code; 0 on PostgreSQL, whose SQLSTATE is in what()).
  int code() const { return code_; }

private:
  failure kind_;
  int code_;
};

/// One prepared statement of one connection. Parameters are numbered from 1 and bound before the first
/// step; reset() makes it ready for the next use.
class statement {
public:
  virtual ~statement() = default;
  virtual void bind_null(int index) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  /// True when a row is available, false when done; throws store_error.
  virtual bool step() = 0;
  virtual void reset() = 0;
  virtual bool is_null(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;
};

class connection {
public:
  virtual ~connection() = default;
  virtual engine kind() const = 0;
  /// The file path, or the URL without its password: what logs and errors may show.
  virtual const std::string& where() const = 0;
  /// The statement for `sql`, prepared on first use and kept.
  virtual statement& prepared(std::string_view sql) = 0;
  /// Runs statements that return nothing of interest (DDL, transaction control); throws store_error.
  virtual void exec(std::string_view sql) = 0;
  /// Starts the transaction every write runs in: SQLite's BEGIN IMMEDIATE (the one write lock), or a
  /// PostgreSQL READ COMMITTED transaction whose reads for a decision take row locks (FOR UPDATE).
  virtual void begin_write() = 0;
  /// Starts a read-only transaction that sees one consistent state.
  virtual void begin_read() = 0;
  /// Commits what begin_write or begin_read started; durable once it returns (synchronous commit on both).
  virtual void commit() = 0;
  virtual bool in_transaction() const = 0;
  /// Rolls back whatever is open, never throwing (after a failure, to leave the connection clean).
  virtual void rollback_quietly() = 0;
  /// Appended to a SELECT whose rows a change decides on: " FOR UPDATE" on PostgreSQL (SQLite's
  /// BEGIN IMMEDIATE already excludes every other writer).
  virtual std::string_view lock_rows() const = 0;
};

/// Whether `location` names a PostgreSQL server (`postgresql://…` or `postgres://…`) rather than a file.
bool is_postgresql_url(std::string_view location);

/// Opens `location` (a SQLite file path or a PostgreSQL URL) and brings its schema to this build's
/// version. Throws std::runtime_error naming the location (never its password) and the engine's words.
std::unique_ptr<connection> open_connection(const std::string& location);

/// The first line of a statement (at most 80 bytes): enough to tell in a log or an error which one failed.
std::string_view first_line(std::string_view sql);

/// `location` with any password replaced by "***".
std::string redact(const std::string& location);

/// One use of a prepared statement: binds left to right, steps, and resets on destruction so the
/// statement is ready (and releases its read snapshot) for the next use.
class query {
public:
  explicit query(statement& s) : s_(s) {}
  ~query() { s_.reset(); }
  query(const query&) = delete;
  query& operator=(const query&) = delete;

  /// Binds each argument to the next parameter (?1, ?2, …).
  template <class... A>
  query& bind(const A&... args) {
    (bind_one(args), ...);
    return *this;
  }

  bool step() { return s_.step(); }
  /// Steps to the end, for statements that return no rows.
  void run() {
    while (step()) {
    }
  }

  bool is_null(int col) const { return s_.is_null(col); }
  std::string text(int col) const { return s_.text(col); }
  std::optional<std::string> opt_text(int col) const;
  std::int64_t int64(int col) const { return s_.int64(col); }
  std::optional<std::int64_t> opt_int64(int col) const;
  domain::timestamp time(int col) const { return domain::from_micros(int64(col)); }
  std::optional<domain::timestamp> opt_time(int col) const;

private:
  void bind_one(std::nullptr_t) { s_.bind_null(next_++); }
  void bind_one(std::string_view v) { s_.bind_text(next_++, v); }
  void bind_one(const std::string& v) { bind_one(std::string_view(v)); }
  void bind_one(const char* v) { bind_one(std::string_view(v)); }
  void bind_one(std::int64_t v) { s_.bind_int64(next_++, v); }
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
