#include "store/database.hpp"

#include <stdexcept>
#include <unordered_map>

#include "store/migrations.hpp"
#include "store/rows.hpp"
#include "store/sqlite_engine.hpp"

namespace actas::store {

int schema_version() { return static_cast<int>(migrations().size()); }

database::database(const std::string& location) : conn_(open_connection(location)) {}

database::~database() = default;

sqlite3* database::sqlite() { return sqlite_handle(*conn_); }

int database::page_size() {
  query q(conn_->prepared("PRAGMA page_size"));
  q.step();
  return static_cast<int>(q.int64(0));
}

namespace {

void read_user_lists(connection& c, std::vector<domain::user>& users) {
  std::unordered_map<std::string, domain::user*> by_id;
  for (auto& u : users) by_id[u.user_id] = &u;
  auto load = [&](std::string_view sql, std::vector<id> domain::user::*list) {
    query q(c.prepared(sql));
    while (q.step())
      if (auto it = by_id.find(q.text(0)); it != by_id.end()) (it->second->*list).push_back(q.text(1));
  };
  load("SELECT user_id, portal_id FROM user_admin_portals ORDER BY user_id, pos", &domain::user::admin_portals);
  load("SELECT user_id, assigned_user_id FROM user_assigned_users ORDER BY user_id, pos",
       &domain::user::assigned_users);
  load("SELECT user_id, portal_id FROM user_assigned_portals ORDER BY user_id, pos",
       &domain::user::assigned_portals);
}

/// The engine's row-lock clause for a read a transaction decides on (empty when not asked or on SQLite,
/// whose writer already holds the database).
std::string locked_if(const connection& c, bool lock) { return std::string(lock ? c.lock_rows() : std::string_view()); }

} // namespace

std::optional<domain::user> database::find_user(const id& user_id, bool lock) {
  auto& c = *conn_;
  std::optional<domain::user> u;
  {
    query q(c.prepared(std::string("SELECT ") + rows::user_columns + " FROM users WHERE user_id = ?1" +
                       locked_if(c, lock)));
    q.bind(user_id);
    if (!q.step()) return std::nullopt;
    u = rows::read_user(q);
  }
  auto load = [&](std::string_view sql, std::vector<id> domain::user::*list) {
    query q(c.prepared(sql));
    q.bind(user_id);
    while (q.step()) ((*u).*list).push_back(q.text(0));
  };
  load("SELECT portal_id FROM user_admin_portals WHERE user_id = ?1 ORDER BY pos", &domain::user::admin_portals);
  load("SELECT assigned_user_id FROM user_assigned_users WHERE user_id = ?1 ORDER BY pos", &domain::user::assigned_users);
  load("SELECT portal_id FROM user_assigned_portals WHERE user_id = ?1 ORDER BY pos", &domain::user::assigned_portals);
  return u;
}

snapshot database::load_snapshot(timestamp now) {
  snapshot s;
  auto& c = *conn_;
  // One read transaction: the snapshot is consistent even while the writer commits.
  c.begin_read();
  try {
    for (const auto& [chain, head] : chain_heads()) s.chain_seq[chain] = head.first;
    {
      query q(c.prepared("SELECT realm_id, name, top_portal FROM realms ORDER BY realm_id"));
      while (q.step()) s.realms.push_back({q.text(0), q.text(1), q.text(2)});
    }
    {
      query q(c.prepared(R"(WITH RECURSIVE tree(portal_id, depth) AS (
                           SELECT portal_id, 0 FROM portals WHERE parent IS NULL
                           UNION ALL
                           SELECT p.portal_id, t.depth + 1 FROM portals p JOIN tree t ON p.parent = t.portal_id)
                         SELECT p.portal_id, p.realm_id, p.parent, p.name
                         FROM portals p JOIN tree USING (portal_id) ORDER BY tree.depth, p.portal_id)"));
      while (q.step()) s.portals.push_back({q.text(0), q.text(1), q.opt_text(2), q.text(3)});
    }
    {
      query q(c.prepared(std::string("SELECT ") + rows::user_columns + " FROM users ORDER BY user_id"));
      while (q.step()) s.users.push_back(rows::read_user(q));
    }
    read_user_lists(c, s.users);
    {
      query q(c.prepared("SELECT portal_id, json FROM settings ORDER BY portal_id"));
      while (q.step()) s.settings.emplace(q.text(0), rows::read_settings(q.text(0), q.text(1)));
    }
    {
      query q(c.prepared(std::string("SELECT ") + rows::session_columns +
                    " FROM sessions WHERE state = 'active' ORDER BY started_at, session_id"));
      while (q.step()) s.active_sessions.push_back(rows::read_session(q));
    }
    {
      query q(c.prepared(std::string("SELECT ") + rows::token_columns +
                    " FROM tokens WHERE revoked_at IS NULL AND expires_at > ?1 ORDER BY created_at, hash"));
      q.bind(now);
      while (q.step()) s.live_tokens.push_back(rows::read_token(q));
    }
    {
      query q(c.prepared(std::string("SELECT ") + rows::request_columns +
                    " FROM support_requests WHERE state = 'pending' ORDER BY created_at, request_id"));
      while (q.step()) s.pending_requests.push_back(rows::read_request(q));
    }
    {
      query q(c.prepared(std::string("SELECT ") + rows::grant_columns +
                    " FROM support_grants WHERE state = 'active' ORDER BY created_at, grant_id"));
      while (q.step()) s.active_grants.push_back(rows::read_grant(q));
    }
    c.commit();
  } catch (...) {
    c.rollback_quietly();
    throw;
  }
  return s;
}

std::optional<std::string> database::password_hash(const id& user_id) {
  query q(conn_->prepared("SELECT hash FROM passwords WHERE user_id = ?1"));
  q.bind(user_id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::optional<domain::impersonation_session> database::find_session(const id& session_id, bool lock) {
  auto& c = *conn_;
  query q(c.prepared(std::string("SELECT ") + rows::session_columns + " FROM sessions WHERE session_id = ?1" +
                     locked_if(c, lock)));
  q.bind(session_id);
  if (!q.step()) return std::nullopt;
  return rows::read_session(q);
}

std::vector<domain::impersonation_session> database::sessions(const std::optional<id>& realm_id,
                                                              std::optional<domain::session_state> state,
                                                              int limit) {
  std::optional<std::string> state_name;
  if (state) state_name = std::string(domain::to_string(*state));
  query q(conn_->prepared(std::string("SELECT ") + rows::session_columns +
                      " FROM sessions WHERE (CAST(?1 AS TEXT) IS NULL OR realm_id = ?1)"
                      " AND (CAST(?2 AS TEXT) IS NULL OR state = ?2)"
                      " ORDER BY started_at DESC, session_id DESC LIMIT ?3"));
  q.bind(realm_id, state_name, std::max(limit, 0));
  std::vector<domain::impersonation_session> out;
  while (q.step()) out.push_back(rows::read_session(q));
  return out;
}

std::vector<domain::audit_event> database::audit(const audit_query& aq) {
  // Only the filters that are set go into the SQL, so the planner can pick the matching index. The
  // cache keeps one statement per combination (at most 32).
  std::string sql = std::string("SELECT ") + rows::audit_columns + " FROM audit WHERE chain = ?1 AND seq > ?2";
  std::vector<const std::optional<id>*> values;
  auto filter = [&](const char* column, const std::optional<id>& v) {
    if (!v) return;
    values.push_back(&v);
    sql += std::string(" AND ") + column + " = ?" + std::to_string(values.size() + 2);
  };
  filter("portal", aq.portal);
  filter("session", aq.session);
  filter("grant_id", aq.grant);
  filter("performed_by", aq.performed_by);
  filter("active_account", aq.active_account);
  sql += " ORDER BY seq LIMIT ?" + std::to_string(values.size() + 3);

  query q(conn_->prepared(sql));
  q.bind(aq.chain, aq.after_seq);
  for (const auto* v : values) q.bind(*v);
  q.bind(std::max<std::int64_t>(aq.limit, 0));
  std::vector<domain::audit_event> out;
  while (q.step()) out.push_back(rows::read_audit(q));
  return out;
}

std::vector<domain::audit_event> database::audit_chain(const std::string& chain) { return audit_after(chain, 0); }

domain::verify_result database::verify(const std::string& chain, const domain::hash_function& sha256) {
  conn_->begin_read();
  try {
    auto r = verify_as_seen(chain, sha256);
    conn_->commit();
    return r;
  } catch (...) {
    conn_->rollback_quietly();
    throw;
  }
}

domain::verify_result database::verify_as_seen(const std::string& chain, const domain::hash_function& sha256) {
  auto r = domain::verify_chain(audit_chain(chain), sha256);
  domain::check_head(r, {r.events, r.head}, chain_head(chain));
  return r;
}

std::vector<domain::notification> database::inbox(const id& user_id, bool unread_only, int limit) {
  query q(conn_->prepared(std::string("SELECT ") + rows::notification_columns +
                      " FROM notifications WHERE user_id = ?1 AND (?2 = 0 OR read = 0)"
                      " ORDER BY created_at DESC, notification_id DESC LIMIT ?3"));
  q.bind(user_id, unread_only, std::max(limit, 0));
  std::vector<domain::notification> out;
  while (q.step()) out.push_back(rows::read_notification(q));
  return out;
}

std::optional<domain::notification> database::find_notification(const id& user_id, const id& notification_id) {
  query q(conn_->prepared(std::string("SELECT ") + rows::notification_columns +
                      " FROM notifications WHERE user_id = ?1 AND notification_id = ?2"));
  q.bind(user_id, notification_id);
  if (!q.step()) return std::nullopt;
  return rows::read_notification(q);
}

std::optional<timestamp> database::slowest_live_node(const std::string& node_id, timestamp alive_since) {
  query q(conn_->prepared("SELECT min(followed_at) FROM cluster_nodes WHERE node_id <> ?1 AND written_at >= ?2"));
  q.bind(node_id, alive_since);
  if (!q.step()) return std::nullopt;
  return q.opt_time(0);
}

std::vector<domain::notification> database::notifications_after(const id& user_id, timestamp after_at,
                                                                  const id& after_id, int limit) {
  // Inbox order is (created_at, notification_id): the same order the live pushes and GET /v1/notifications use.
  query q(conn_->prepared(std::string("SELECT ") + rows::notification_columns +
                          " FROM notifications WHERE user_id = ?1 AND (created_at > ?2 OR"
                          " (created_at = ?2 AND notification_id > ?3))"
                          " ORDER BY created_at, notification_id LIMIT ?4"));
  q.bind(user_id, after_at, after_id, std::max(limit, 0));
  std::vector<domain::notification> out;
  while (q.step()) out.push_back(rows::read_notification(q));
  return out;
}

std::int64_t database::unread_count(const id& user_id) {
  query q(conn_->prepared("SELECT count(*) FROM notifications WHERE user_id = ?1 AND read = 0"));
  q.bind(user_id);
  return q.step() ? q.int64(0) : 0;
}

std::optional<std::string> database::preferences(const id& user_id) {
  query q(conn_->prepared("SELECT json FROM preferences WHERE user_id = ?1"));
  q.bind(user_id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::optional<domain::support_request> database::find_request(const id& request_id, bool lock) {
  auto& c = *conn_;
  query q(c.prepared(std::string("SELECT ") + rows::request_columns + " FROM support_requests WHERE request_id = ?1" +
                     locked_if(c, lock)));
  q.bind(request_id);
  if (!q.step()) return std::nullopt;
  return rows::read_request(q);
}

namespace {

std::vector<id> ids_of(connection& c, const char* sql) {
  query q(c.prepared(sql));
  std::vector<id> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

} // namespace

std::vector<id> database::active_session_ids() {
  return ids_of(*conn_, "SELECT session_id FROM sessions WHERE state = 'active'");
}

std::vector<id> database::active_grant_ids() {
  return ids_of(*conn_, "SELECT grant_id FROM support_grants WHERE state = 'active'");
}

std::vector<id> database::live_grant_portals(const id& realm_id, bool lock) {
  auto& c = *conn_;
  query q(c.prepared("SELECT portal_id FROM support_grants WHERE realm_id = ?1 AND state = 'active'" +
                     locked_if(c, lock)));
  q.bind(realm_id);
  std::vector<id> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

std::optional<domain::support_grant> database::find_grant(const id& grant_id, bool lock) {
  auto& c = *conn_;
  query q(c.prepared(std::string("SELECT ") + rows::grant_columns + " FROM support_grants WHERE grant_id = ?1" +
                     locked_if(c, lock)));
  q.bind(grant_id);
  if (!q.step()) return std::nullopt;
  return rows::read_grant(q);
}

std::optional<token_record> database::find_token(const std::string& hash, bool lock) {
  auto& c = *conn_;
  query q(c.prepared(std::string("SELECT ") + rows::token_columns + " FROM tokens WHERE hash = ?1" +
                     locked_if(c, lock)));
  q.bind(hash);
  if (!q.step()) return std::nullopt;
  return rows::read_token(q);
}

std::optional<token_record> database::session_token(const id& session_id) {
  query q(conn_->prepared(std::string("SELECT ") + rows::token_columns +
                          " FROM tokens WHERE session_id = ?1 AND kind = 'impersonation' LIMIT 1"));
  q.bind(session_id);
  if (!q.step()) return std::nullopt;
  return rows::read_token(q);
}

domain::settings_patch database::settings_override(const id& portal_id) {
  query q(conn_->prepared("SELECT json FROM settings WHERE portal_id = ?1"));
  q.bind(portal_id);
  if (!q.step()) return {};
  return rows::read_settings(portal_id, q.text(0));
}

std::vector<domain::notification> database::notifications_since(timestamp since, int limit) {
  query q(conn_->prepared(std::string("SELECT ") + rows::notification_columns +
                          " FROM notifications WHERE created_at >= ?1 ORDER BY created_at, notification_id LIMIT ?2"));
  q.bind(since, limit);
  std::vector<domain::notification> out;
  while (q.step()) out.push_back(rows::read_notification(q));
  return out;
}

std::vector<std::pair<std::string, timestamp>> database::tokens_revoked_since(timestamp since, int limit) {
  query q(conn_->prepared("SELECT hash, revoked_at FROM tokens WHERE revoked_at >= ?1 ORDER BY revoked_at LIMIT ?2"));
  q.bind(since, limit);
  std::vector<std::pair<std::string, timestamp>> out;
  while (q.step()) out.emplace_back(q.text(0), q.time(1));
  return out;
}

std::optional<id> database::user_id_of_username(const std::string& username) {
  query q(conn_->prepared("SELECT user_id FROM users WHERE username = ?1"));
  q.bind(username);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

bool database::impersonating(const id& user_id) {
  query q(conn_->prepared("SELECT 1 FROM sessions WHERE state = 'active' AND actor = ?1 LIMIT 1"));
  q.bind(user_id);
  return q.step();
}

bool database::impersonated(const id& user_id) {
  query q(conn_->prepared("SELECT 1 FROM sessions WHERE state = 'active' AND target = ?1 LIMIT 1"));
  q.bind(user_id);
  return q.step();
}

std::vector<domain::support_grant> database::grants_of_realm(const id& realm_id, int limit) {
  query q(conn_->prepared(std::string("SELECT ") + rows::grant_columns +
                      " FROM support_grants WHERE realm_id = ?1 ORDER BY created_at DESC, grant_id LIMIT ?2"));
  q.bind(realm_id, std::max(limit, 0));
  std::vector<domain::support_grant> out;
  while (q.step()) out.push_back(rows::read_grant(q));
  return out;
}

std::optional<std::string> database::meta(const std::string& key) {
  query q(conn_->prepared("SELECT value FROM meta WHERE key = ?1"));
  q.bind(key);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::optional<domain::idempotent_answer> database::idempotent_answer(const std::string& caller,
                                                                    const std::string& key) {
  query q(conn_->prepared("SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE caller = ?1 AND key = ?2"));
  q.bind(caller, key);
  if (!q.step()) return std::nullopt;
  return domain::idempotent_answer{q.text(0), static_cast<unsigned>(q.int64(1)), q.text(2), q.time(3)};
}

std::map<std::string, std::pair<std::int64_t, std::string>> database::chain_heads() {
  query q(conn_->prepared("SELECT chain, seq, hash FROM audit_heads"));
  std::map<std::string, std::pair<std::int64_t, std::string>> heads;
  while (q.step()) heads[q.text(0)] = {q.int64(1), q.text(2)};
  return heads;
}

std::optional<domain::chain_point> database::chain_head(const std::string& chain) {
  query q(conn_->prepared("SELECT seq, hash FROM audit_heads WHERE chain = ?1"));
  q.bind(chain);
  if (!q.step()) return std::nullopt;
  return domain::chain_point{q.int64(0), q.text(1)};
}

std::vector<domain::audit_event> database::audit_after(const std::string& chain, std::int64_t after_seq,
                                                      std::int64_t limit) {
  query q(conn_->prepared(std::string("SELECT ") + rows::audit_columns +
                      " FROM audit WHERE chain = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"));
  q.bind(chain, after_seq, limit);
  std::vector<domain::audit_event> out;
  while (q.step()) out.push_back(rows::read_audit(q));
  return out;
}

std::vector<std::string> database::chain_names() {
  // A loose index scan over the (chain, seq) key: one seek per chain instead of reading every event.
  query q(conn_->prepared(R"(WITH RECURSIVE chains(name) AS (
                            SELECT min(chain) FROM audit
                            UNION ALL
                            SELECT (SELECT min(chain) FROM audit WHERE chain > name) FROM chains
                            WHERE name IS NOT NULL)
                          SELECT name FROM chains WHERE name IS NOT NULL
                          UNION SELECT chain FROM audit_heads
                          UNION SELECT chain FROM audit_verified
                          ORDER BY 1)"));
  std::vector<std::string> names;
  while (q.step()) names.push_back(q.text(0));
  return names;
}

} // namespace actas::store
