#pragma once
/// Store-internal: the PostgreSQL engine (SPEC §8 "Engines"), through libpq. Statements are prepared once
/// per connection (their `?N` parameters become `$N`), values cross in text format, and a result is read
/// whole. A connection that breaks is re-opened at the next transaction; what it had prepared is
/// prepared again.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/connection.hpp"

struct pg_conn;
struct pg_result;

namespace actas::store {

/// `sql` with each `?N` outside quotes turned into `$N`; `max_param` gets the highest N.
std::string to_postgresql(std::string_view sql, int& max_param);

class pg_connection;

class pg_statement final : public statement {
public:
  pg_statement(pg_connection& owner, std::string name, std::string sql, int params);
  ~pg_statement() override;
  pg_statement(const pg_statement&) = delete;
  pg_statement& operator=(const pg_statement&) = delete;

  void bind_null(int index) override;
  void bind_text(int index, std::string_view value) override;
  void bind_int64(int index, std::int64_t value) override;
  bool step() override;
  void reset() override;
  bool is_null(int col) const override;
  std::string text(int col) const override;
  std::int64_t int64(int col) const override;

private:
  void execute();
  std::string& slot(int index);

  pg_connection& owner_;
  std::string name_;
  std::string sql_;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  pg_result* result_ = nullptr;
  int rows_ = 0;
  int row_ = -1;
  bool executed_ = false;
};

class pg_connection final : public connection {
public:
  /// Connects to `url` and migrates. Throws std::runtime_error with the URL (password hidden) and
  /// libpq's message.
  explicit pg_connection(const std::string& url);
  ~pg_connection() override;

  engine kind() const override { return engine::postgresql; }
  const std::string& where() const override { return shown_; }
  statement& prepared(std::string_view sql) override;
  void exec(std::string_view sql) override;
  void begin_write() override;
  void begin_read() override;
  void commit() override;
  bool in_transaction() const override;
  void rollback_quietly() override;
  std::string_view lock_rows() const override { return " FOR UPDATE"; }

  pg_conn* handle() const { return conn_; }
  /// Throws store_error for a failed result (and frees it): SQLSTATE, message and what was being done.
  [[noreturn]] void fail(pg_result* r, std::string_view doing);
  /// Prepares `name` on the server if this connection has not yet (after a reconnect, again).
  void ensure_prepared(const std::string& name, const std::string& sql, int params);

  /// Re-opens a broken connection, outside a transaction only: inside one the failure must surface, or
  /// the rest of it would run in autocommit.
  void reconnect_if_broken();
  /// Opens the connection again (PQreset); what was prepared is prepared again on first use.
  void reconnect();
  bool in_open_transaction() const { return open_; }
  /// The server process of this connection (to end it after its COMMIT was cut off).
  int server_pid() const;

private:
  void begin(const char* sql);

  std::string url_;
  std::string shown_;
  pg_conn* conn_ = nullptr;
  bool open_ = false;  ///< a transaction this object began and has not yet ended
  std::uint64_t generation_ = 0;  ///< bumped at each reconnect: statements prepared before are gone
  std::unordered_map<std::string, std::uint64_t> prepared_in_;  ///< statement name -> generation
  std::unordered_map<std::string, std::unique_ptr<pg_statement>> stmts_;
};

} // namespace actas::store
