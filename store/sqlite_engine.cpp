#include "store/sqlite_engine.hpp"

#include <sqlite3.h>

#include "store/migrations.hpp"

namespace actas::store {

failure sqlite_failure(int code) {
  if ((code & 0xff) == SQLITE_FULL) return failure::disk_full;
  if (code == SQLITE_IOERR_WRITE) return failure::write_failed;
  if (code == SQLITE_IOERR_FSYNC) return failure::sync_failed;
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) return failure::duplicate;
  return failure::other;
}

void throw_sqlite(sqlite3* db, std::string_view doing) {
  int code = sqlite3_extended_errcode(db);
  throw store_error(std::string(doing) + ": " + sqlite3_errmsg(db), sqlite_failure(code), code);
}

void exec(sqlite3* db, std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = std::string(first_line(sql)) + ": " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    int code = sqlite3_extended_errcode(db);
    throw store_error(msg, sqlite_failure(code), code);
  }
}

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
  // PERSISTENT: these statements live as long as the connection.
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK)
    throw_sqlite(db, std::string("preparing ") + std::string(first_line(sql)));
}

sqlite_statement::~sqlite_statement() { sqlite3_finalize(stmt_); }

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool sqlite_statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(db_, first_line(sqlite3_sql(stmt_)));
}

void sqlite_statement::bind_null(int index) { sqlite3_bind_null(stmt_, index); }

void sqlite_statement::bind_text(int index, std::string_view v) {
  // TRANSIENT copies the bytes: callers often bind temporaries that die before step().
  if (sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    throw_sqlite(db_, "binding a parameter");
}

void sqlite_statement::bind_int64(int index, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, index, v) != SQLITE_OK) throw_sqlite(db_, "binding a parameter");
}

bool sqlite_statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string sqlite_statement::text(int col) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t sqlite_statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

sqlite_connection::sqlite_connection(const std::string& path) : path_(path) {
  // NOMUTEX: a connection is only ever used by one thread at a time (the writer's, or a reader's own).
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    throw std::runtime_error("cannot open database " + path + ": " + msg);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    // The busy timeout comes first: switching to WAL and migrating may wait for another connection.
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    {
      sqlite_statement wal(db_, "PRAGMA journal_mode = WAL");
      query q(wal);
      if (!q.step() || q.text(0) != "wal") throw std::runtime_error("the file system does not support WAL");
    }
    // FULL: in WAL mode every COMMIT is fsynced, so a done(true) means the change survives a power cut.
    // temp_store MEMORY: the writer wraps each job in a savepoint, and SQLite keeps the pages a savepoint
    // may restore in a statement journal that otherwise spills into a temporary file past 64 KiB (a
    // create, writes and an unlink inside every commit).
    store::exec(db_, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY");
    // Keep the WAL file when the last connection closes: a restarted server writes over it rather than
    // growing a new one (store/wal_reserve.hpp says why that matters).
    int persist = 1;
    sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    migrate(db_, path);
  } catch (const std::exception& e) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + path + ": " + e.what());
  }
}

sqlite_connection::~sqlite_connection() {
  stmts_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

statement& sqlite_connection::prepared(std::string_view sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) it = stmts_.emplace(std::string(sql), std::make_unique<sqlite_statement>(db_, sql)).first;
  return *it->second;
}

void sqlite_connection::exec(std::string_view sql) { store::exec(db_, sql); }

// Cached like every other statement: BEGIN runs once per batch.
void sqlite_connection::begin_write() { query(prepared("BEGIN IMMEDIATE")).run(); }

void sqlite_connection::begin_read() { query(prepared("BEGIN")).run(); }

void sqlite_connection::commit() { query(prepared("COMMIT")).run(); }

bool sqlite_connection::in_transaction() const { return !sqlite3_get_autocommit(db_); }

void sqlite_connection::rollback_quietly() {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

sqlite3* sqlite_handle(connection& c) {
  auto* s = dynamic_cast<sqlite_connection*>(&c);
  return s ? s->handle() : nullptr;
}

} // namespace actas::store
