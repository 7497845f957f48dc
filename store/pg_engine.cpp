#include "store/pg_engine.hpp"

#include <charconv>
#include <cstring>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "store/migrations.hpp"

namespace actas::store {

std::string to_postgresql(std::string_view sql, int& max_param) {
  std::string out;
  out.reserve(sql.size() + 8);
  max_param = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;  // '' inside a literal toggles twice: still inside
    if (c == '?' && !quoted && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      int n = 0;
      std::size_t j = i + 1;
      for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) n = n * 10 + (sql[j] - '0');
      out += '$';
      out.append(sql.substr(i + 1, j - i - 1));
      max_param = std::max(max_param, n);
      i = j - 1;
      continue;
    }
    out += c;
  }
  return out;
}

namespace {

// PostgreSQL's SQLSTATE class 53 is "insufficient resources"; 53100 is disk_full; 23505 is
// unique_violation; 40P01 is deadlock_detected and 40001 serialization_failure (the store runs at READ
// COMMITTED, where only the first happens, but both mean "try again").
failure failure_of(PGconn* conn, PGresult* r) {
  if (PQstatus(conn) != CONNECTION_OK) return failure::connection_lost;
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state && std::strcmp(state, "53100") == 0) return failure::disk_full;
  if (state && std::strncmp(state, "08", 2) == 0) return failure::connection_lost;  // connection exceptions
  if (state && std::strcmp(state, "23505") == 0) return failure::duplicate;
  if (state && (std::strcmp(state, "40P01") == 0 || std::strcmp(state, "40001") == 0)) return failure::conflict;
  return failure::other;
}

// libpq's messages end in a newline.
std::string without_trailing_space(std::string msg) {
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

} // namespace

pg_statement::pg_statement(pg_connection& owner, std::string name, std::string sql, int params)
  : owner_(owner), name_(std::move(name)), sql_(std::move(sql)), values_(params), null_(params, true) {}

pg_statement::~pg_statement() { PQclear(result_); }

std::string& pg_statement::slot(int index) {
  if (index < 1 || index > static_cast<int>(values_.size()))
    throw store_error("binding parameter " + std::to_string(index) + " of " + std::string(first_line(sql_)) +
                          ", which has " + std::to_string(values_.size()),
                      failure::other);
  null_[index - 1] = false;
  return values_[index - 1];
}

void pg_statement::bind_null(int index) {
  slot(index);
  null_[index - 1] = true;
}

void pg_statement::bind_text(int index, std::string_view v) { slot(index).assign(v); }

void pg_statement::bind_int64(int index, std::int64_t v) { slot(index) = std::to_string(v); }

void pg_statement::execute() {
  owner_.reconnect_if_broken();
  owner_.ensure_prepared(name_, sql_, static_cast<int>(values_.size()));
  std::vector<const char*> params(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) params[i] = null_[i] ? nullptr : values_[i].c_str();
  result_ = PQexecPrepared(owner_.handle(), name_.c_str(), static_cast<int>(params.size()), params.data(), nullptr,
                           nullptr, 0);
  const auto status = PQresultStatus(result_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = result_;
    result_ = nullptr;
    owner_.fail(failed, std::string(first_line(sql_)));
  }
  rows_ = PQntuples(result_);
  row_ = -1;
  executed_ = true;
}

bool pg_statement::step() {
  if (!executed_) {
    try {
      execute();
    } catch (const store_error& e) {
      // Outside a transaction a statement stands alone: after a server restart it is safe to send it
      // again on a new connection (inside one, the failure must end the transaction).
      if (e.kind() != failure::connection_lost || owner_.in_open_transaction()) throw;
      owner_.reconnect();
      execute();
    }
  }
  return ++row_ < rows_;
}

void pg_statement::reset() {
  PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  rows_ = 0;
  row_ = -1;
  std::fill(null_.begin(), null_.end(), true);
}

bool pg_statement::is_null(int col) const { return PQgetisnull(result_, row_, col) != 0; }

std::string pg_statement::text(int col) const {
  return std::string(PQgetvalue(result_, row_, col), static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

std::int64_t pg_statement::int64(int col) const {
  const char* p = PQgetvalue(result_, row_, col);
  const char* end = p + PQgetlength(result_, row_, col);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(p, end, v);
  if (ec != std::errc() || ptr != end)
    throw store_error("column " + std::to_string(col) + " of " + std::string(first_line(sql_)) + " is not an integer: '" +
                          std::string(p, end) + "'",
                      failure::other);
  return v;
}

namespace {

PGconn* connect(const std::string& url, const std::string& shown) {
  PGconn* c = PQconnectdb(url.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    const std::string msg = without_trailing_space(c ? PQerrorMessage(c) : "out of memory");
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + shown + ": " + msg);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them out of stderr.
  PQsetNoticeProcessor(c, [](void*, const char* m) { spdlog::debug("postgresql: {}", m); }, nullptr);
  return c;
}

} // namespace

pg_connection::pg_connection(const std::string& url) : url_(url), shown_(redact(url)) {
  conn_ = connect(url_, shown_);
  try {
    // Times are the node's (SPEC §8): nothing here depends on the server's zone or now().
    exec("SET client_min_messages = warning");
    migrate_postgresql(*this);
  } catch (const std::exception& e) {
    stmts_.clear();
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot open database " + shown_ + ": " + e.what());
  }
}

pg_connection::~pg_connection() {
  stmts_.clear();
  PQfinish(conn_);
}

void pg_connection::fail(PGresult* r, std::string_view doing) {
  const failure kind = failure_of(conn_, r);
  std::string msg = r ? PQresultErrorMessage(r) : "";
  if (msg.empty()) msg = PQerrorMessage(conn_);
  // Copied before PQclear, which frees the field's text with the result.
  const char* field = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? std::string(field) + " " : std::string();
  PQclear(r);
  throw store_error(std::string(doing) + ": " + state + without_trailing_space(msg), kind);
}

void pg_connection::reconnect_if_broken() {
  if (open_ || PQstatus(conn_) == CONNECTION_OK) return;
  reconnect();
}

void pg_connection::reconnect() {
  spdlog::warn("store: the connection to {} broke; connecting again", shown_);
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) fail(nullptr, "connecting again to " + shown_);
  ++generation_;
  exec("SET client_min_messages = warning");
}

void pg_connection::ensure_prepared(const std::string& name, const std::string& sql, int params) {
  auto& gen = prepared_in_[name];
  if (gen == generation_ + 1) return;  // stored as generation + 1 so that 0 means "never"
  PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), params, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) fail(r, "preparing " + std::string(first_line(sql)));
  PQclear(r);
  gen = generation_ + 1;
}

statement& pg_connection::prepared(std::string_view sql) {
  auto it = stmts_.find(std::string(sql));
  if (it != stmts_.end()) return *it->second;
  int params = 0;
  std::string text = to_postgresql(sql, params);
  std::string name = "s" + std::to_string(stmts_.size() + 1);
  auto st = std::make_unique<pg_statement>(*this, name, std::move(text), params);
  return *stmts_.emplace(std::string(sql), std::move(st)).first->second;
}

void pg_connection::exec(std::string_view sql) {
  std::string text(sql);
  PGresult* r = PQexec(conn_, text.c_str());
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, std::string(first_line(sql)));
  PQclear(r);
}

void pg_connection::begin(const char* sql) {
  reconnect_if_broken();
  try {
    exec(sql);
  } catch (const store_error& e) {
    // libpq sees a server restart only when it next uses the socket: this BEGIN. Nothing had been sent
    // in a transaction yet, so a new connection and a second BEGIN lose nothing.
    if (e.kind() != failure::connection_lost) throw;
    reconnect();
    exec(sql);
  }
  open_ = true;
}

void pg_connection::begin_write() { begin("BEGIN ISOLATION LEVEL READ COMMITTED"); }

void pg_connection::begin_read() { begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

void pg_connection::commit() {
  // Whatever COMMIT answers, the transaction is over (on a lost connection its fate is unknown: the
  // writer asks the database afterwards, see store/batch_runner.cpp).
  open_ = false;
  PGresult* r = PQexec(conn_, "COMMIT");
  if (PQresultStatus(r) != PGRES_COMMAND_OK) fail(r, "COMMIT");
  // COMMIT of a transaction that had failed answers OK with the tag ROLLBACK: nothing was committed.
  const bool rolled_back = std::strcmp(PQcmdStatus(r), "COMMIT") != 0;
  PQclear(r);
  if (rolled_back) throw store_error("COMMIT: the transaction had failed and was rolled back", failure::other);
}

int pg_connection::server_pid() const { return PQbackendPID(conn_); }

bool pg_connection::in_transaction() const {
  const auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

void pg_connection::rollback_quietly() {
  open_ = false;
  if (!in_transaction()) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

} // namespace actas::store
