// The steps of store/migrations.cpp applied to PostgreSQL. The schema version lives in a table
// (PostgreSQL has no user_version), written in the step's own transaction, and steps run under an
// advisory lock so that nodes starting together apply each one once.
#include <regex>
#include <stdexcept>

#include "store/migrations.hpp"
#include "store/pg_engine.hpp"

namespace actas::store {

namespace {

// An arbitrary constant: the advisory lock every actas node takes while migrating.
constexpr const char* migration_lock = "SELECT pg_advisory_xact_lock(7406411513)";

int stored_version(pg_connection& c) {
  query q(c.prepared("SELECT coalesce(max(version), 0) FROM actas_schema"));
  return q.step() ? static_cast<int>(q.int64(0)) : 0;
}

} // namespace

std::string postgresql_ddl(std::string_view sql) {
  static const std::regex integer_type(R"(\bINTEGER\b)");
  return std::regex_replace(std::string(sql), integer_type, "BIGINT");
}

void migrate_postgresql(pg_connection& c) {
  const int latest = static_cast<int>(migrations().size());
  // Under the lock too: two nodes creating the table at once would collide in the catalog.
  c.begin_write();
  try {
    c.exec(migration_lock);
    c.exec("CREATE TABLE IF NOT EXISTS actas_schema (version BIGINT NOT NULL)");
    c.commit();
  } catch (...) {
    c.rollback_quietly();
    throw;
  }
  if (stored_version(c) == latest) return;
  for (const auto& m : migrations()) {
    c.begin_write();
    try {
      c.exec(migration_lock);
      const int current = stored_version(c);
      if (current > latest)
        throw std::runtime_error("schema version " + std::to_string(current) + " is newer than this build's " +
                                 std::to_string(latest));
      if (current < m.version) {
        for (auto sql : m.statements) c.exec(postgresql_ddl(sql));
        for (auto sql : m.postgresql_only) c.exec(sql);
        c.exec("INSERT INTO actas_schema (version) VALUES (" + std::to_string(m.version) + ")");
      }
      c.commit();
    } catch (...) {
      c.rollback_quietly();
      throw;
    }
  }
}

} // namespace actas::store
