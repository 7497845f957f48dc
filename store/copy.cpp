#include "store/copy.hpp"

#include <stdexcept>

#include "store/rows.hpp"

namespace actas::store {

namespace {

struct table {
  const char* name;
  std::string columns;
  /// The source's SELECT order: parents before children (foreign keys), events in seq order.
  const char* order;
};

// In an order that satisfies every foreign key. audit_heads is not copied: the target's trigger writes
// each head as its events arrive (and the heads are compared afterwards); audit_verified is not either:
// the target's first start walks every chain once.
std::vector<table> tables() {
  return {
      {"meta", "key, value", "key"},
      {"realms", "realm_id, name, top_portal", "realm_id"},
      {"portals", "portal_id, realm_id, parent, name", ""},  // tree order, see select_sql
      {"users", rows::user_columns, "user_id"},
      {"user_admin_portals", "user_id, pos, portal_id", "user_id, pos"},
      {"user_assigned_users", "user_id, pos, assigned_user_id", "user_id, pos"},
      {"user_assigned_portals", "user_id, pos, portal_id", "user_id, pos"},
      {"passwords", "user_id, hash", "user_id"},
      {"settings", "portal_id, json", "portal_id"},
      {"sessions", rows::session_columns, "started_at, session_id"},
      {"tokens", rows::token_columns, "created_at, hash"},
      {"notifications", rows::notification_columns, "created_at, notification_id"},
      {"preferences", "user_id, json, updated_at", "user_id"},
      {"support_requests", rows::request_columns, "created_at, request_id"},
      {"support_grants", rows::grant_columns, "created_at, grant_id"},
      {"audit", rows::audit_columns, "chain, seq"},
      {"idempotency_keys", "caller, key, fingerprint, status, body, created_at", "caller, key"},
  };
}

int column_count(const std::string& columns) {
  int n = 1;
  for (char c : columns) n += c == ',';
  return n;
}

std::string select_sql(const table& t) {
  if (std::string(t.name) == "portals")
    return R"(WITH RECURSIVE tree(portal_id, depth) AS (
                SELECT portal_id, 0 FROM portals WHERE parent IS NULL
                UNION ALL
                SELECT p.portal_id, t.depth + 1 FROM portals p JOIN tree t ON p.parent = t.portal_id)
              SELECT p.portal_id, p.realm_id, p.parent, p.name
              FROM portals p JOIN tree USING (portal_id) ORDER BY tree.depth, p.portal_id)";
  return "SELECT " + t.columns + " FROM " + t.name + " ORDER BY " + t.order;
}

std::string insert_sql(const table& t) {
  std::string sql = std::string("INSERT INTO ") + t.name + " (" + t.columns + ") VALUES (";
  for (int i = 1; i <= column_count(t.columns); ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
  return sql + ")";
}

std::int64_t count(database& db, const std::string& name) {
  query q(db.conn().prepared("SELECT count(*) FROM " + name));
  return q.step() ? q.int64(0) : 0;
}

// Every value crosses as text (or NULL): both engines turn text into the column's type on insert, and
// the stored integers are exact in decimal.
std::int64_t copy_table(database& from, database& to, const table& t) {
  const int columns = column_count(t.columns);
  query in(from.conn().prepared(select_sql(t)));
  statement& out = to.conn().prepared(insert_sql(t));
  std::int64_t n = 0;
  while (in.step()) {
    query row(out);
    for (int c = 0; c < columns; ++c) {
      if (in.is_null(c)) row.bind(nullptr);
      else row.bind(in.text(c));
    }
    row.run();
    ++n;
  }
  return n;
}

void refuse_non_empty(database& to) {
  for (const auto& t : tables())
    if (count(to, t.name) > 0)
      throw std::runtime_error("the target " + to.path() + " is not empty (table " + t.name +
                               " has rows): migrate copies into an empty database only");
}

} // namespace

bool copy_report::chains_ok() const {
  for (const auto& [name, r] : chains)
    if (!r.ok) return false;
  return true;
}

copy_report copy_database(database& from, database& to, const domain::hash_function& sha256) {
  copy_report report;
  from.conn().begin_write();
  try {
    to.conn().begin_write();
    try {
      refuse_non_empty(to);
      for (const auto& t : tables()) {
        const auto copied = copy_table(from, to, t);
        const auto there = count(to, t.name);
        if (copied != count(from, t.name) || there != copied)
          throw std::runtime_error(std::string("table ") + t.name + ": " + std::to_string(copied) +
                                   " rows read, " + std::to_string(there) + " in the target");
        report.rows.emplace_back(t.name, copied);
      }
      if (to.chain_heads() != from.chain_heads())
        throw std::runtime_error("the chain heads of the copy differ from the source's");
      // Verified inside the copy's own transaction, so a chain that fails leaves nothing behind.
      for (const auto& chain : to.chain_names()) {
        report.chains.emplace_back(chain, to.verify_as_seen(chain, sha256));
      }
      if (!report.chains_ok()) {
        to.conn().rollback_quietly();
        from.conn().rollback_quietly();
        return report;
      }
      to.conn().commit();
    } catch (...) {
      to.conn().rollback_quietly();
      throw;
    }
    from.conn().rollback_quietly();  // nothing was written to the source
  } catch (...) {
    from.conn().rollback_quietly();
    throw;
  }
  return report;
}

} // namespace actas::store
