#include "store/statement.hpp"

#include <sqlite3.h>

namespace actas::store {

void throw_sqlite(sqlite3* db, std::string_view doing) {
  int code = sqlite3_extended_errcode(db);
  throw sqlite_error(std::string(doing) + ": " + sqlite3_errmsg(db), code);
}

namespace {

// The first line of a statement is enough to tell which one failed in a log.
std::string_view head(std::string_view sql) {
  auto start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return {};
  sql.remove_prefix(start);
  return sql.substr(0, std::min(sql.find('\n'), std::size_t{80}));
}

} // namespace

void exec(sqlite3* db, std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = std::string(head(sql)) + ": " + (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    throw sqlite_error(msg, sqlite3_extended_errcode(db));
  }
}

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  // PERSISTENT: these statements live as long as the connection.
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK)
    throw_sqlite(db, std::string("preparing ") + std::string(head(sql)));
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement& statement_cache::get(std::string_view sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) it = stmts_.emplace(std::string(sql), std::make_unique<statement>(db_, sql)).first;
  return *it->second;
}

query::~query() {
  sqlite3_reset(s_.get());
  sqlite3_clear_bindings(s_.get());
}

bool query::step() {
  int rc = sqlite3_step(s_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite(s_.db(), head(sqlite3_sql(s_.get())));
}

void query::run() {
  while (step()) {
  }
}

void query::bind_one(std::nullptr_t) { sqlite3_bind_null(s_.get(), next_++); }

void query::bind_one(std::string_view v) {
  // TRANSIENT copies the bytes: callers often bind temporaries that die before step().
  if (sqlite3_bind_text(s_.get(), next_++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    throw_sqlite(s_.db(), "binding a parameter");
}

void query::bind_one(std::int64_t v) {
  if (sqlite3_bind_int64(s_.get(), next_++, v) != SQLITE_OK) throw_sqlite(s_.db(), "binding a parameter");
}

bool query::is_null(int col) const { return sqlite3_column_type(s_.get(), col) == SQLITE_NULL; }

std::string query::text(int col) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_.get(), col));
  int n = sqlite3_column_bytes(s_.get(), col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> query::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::int64_t query::int64(int col) const { return sqlite3_column_int64(s_.get(), col); }

std::optional<std::int64_t> query::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<domain::timestamp> query::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}

} // namespace actas::store
