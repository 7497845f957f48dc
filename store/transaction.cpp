#include "store/database.hpp"

#include <stdexcept>

#include "codec/settings_json.hpp"
#include "store/pg_doorbell.hpp"
#include "store/rows.hpp"

namespace actas::store {

transaction::transaction(database& db, std::map<std::string, std::pair<std::int64_t, std::string>>& heads,
                         const domain::hash_function& sha256)
  : db_(db), heads_(heads), sha256_(sha256) {}

namespace {

// Runs one cached statement with its parameters.
template <class... A>
void run(database& db, std::string_view sql, const A&... args) {
  // SQLite ends the whole transaction itself on some errors (disk full, I/O). A job that swallowed such
  // an error must not go on writing in autocommit mode, outside the batch.
  if (!db.conn().in_transaction())
    throw store_error("a write job used the store outside its transaction (it was rolled back)", failure::other);
  query q(db.conn().prepared(sql));
  q.bind(args...);
  q.run();
}

// Replaces a user's list by the given one, keeping its order in `pos`.
void put_list(database& db, std::string_view del, std::string_view ins, const id& user_id,
              const std::vector<id>& items) {
  run(db, del, user_id);
  for (std::size_t i = 0; i < items.size(); ++i) run(db, ins, user_id, static_cast<std::int64_t>(i), items[i]);
}

} // namespace

void transaction::put_realm(const domain::realm& r) {
  followed_ = true;
  run(db_, R"(INSERT INTO realms (realm_id, name, top_portal) VALUES (?1, ?2, ?3)
              ON CONFLICT (realm_id) DO UPDATE SET name = excluded.name, top_portal = excluded.top_portal)",
      r.realm_id, r.name, r.top_portal);
}

void transaction::put_portal(const domain::portal& p) {
  followed_ = true;
  run(db_, R"(INSERT INTO portals (portal_id, realm_id, parent, name) VALUES (?1, ?2, ?3, ?4)
              ON CONFLICT (portal_id) DO UPDATE SET
                realm_id = excluded.realm_id, parent = excluded.parent, name = excluded.name)",
      p.portal_id, p.realm_id, p.parent, p.name);
}

void transaction::put_user(const domain::user& u) {
  followed_ = true;
  // An UPSERT, not INSERT OR REPLACE: replacing would delete the row that sessions and tokens reference.
  run(db_, R"(INSERT INTO users (user_id, username, display_name, role, status, home_portal, realm_id,
                                 consent_terms, consent_privacy, exact_scope, grant_id, last_seen_at)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
              ON CONFLICT (user_id) DO UPDATE SET
                username = excluded.username, display_name = excluded.display_name, role = excluded.role,
                status = excluded.status, home_portal = excluded.home_portal, realm_id = excluded.realm_id,
                consent_terms = excluded.consent_terms, consent_privacy = excluded.consent_privacy,
                exact_scope = excluded.exact_scope, grant_id = excluded.grant_id,
                last_seen_at = excluded.last_seen_at)",
      u.user_id, u.username, u.display_name, domain::to_string(u.user_role), domain::to_string(u.status),
      u.home_portal, u.realm_id, u.accepted.terms, u.accepted.privacy, u.exact_scope, u.grant_id,
      u.last_seen_at);
  put_list(db_, "DELETE FROM user_admin_portals WHERE user_id = ?1",
           "INSERT INTO user_admin_portals (user_id, pos, portal_id) VALUES (?1, ?2, ?3)", u.user_id,
           u.admin_portals);
  put_list(db_, "DELETE FROM user_assigned_users WHERE user_id = ?1",
           "INSERT INTO user_assigned_users (user_id, pos, assigned_user_id) VALUES (?1, ?2, ?3)", u.user_id,
           u.assigned_users);
  put_list(db_, "DELETE FROM user_assigned_portals WHERE user_id = ?1",
           "INSERT INTO user_assigned_portals (user_id, pos, portal_id) VALUES (?1, ?2, ?3)", u.user_id,
           u.assigned_portals);
}

void transaction::put_password(const id& user_id, const std::string& password_hash) {
  run(db_, R"(INSERT INTO passwords (user_id, hash) VALUES (?1, ?2)
              ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash)",
      user_id, password_hash);
}

void transaction::put_settings(const id& portal_id, const domain::settings_patch& patch) {
  followed_ = true;
  run(db_, R"(INSERT INTO settings (portal_id, json) VALUES (?1, ?2)
              ON CONFLICT (portal_id) DO UPDATE SET json = excluded.json)",
      portal_id, codec::encode(patch).dump());
}

domain::settings_patch transaction::find_settings(const id& portal_id) {
  // PostgreSQL: the portal's row is the lock, since a portal without an override has no settings row
  // to lock, and two first PATCHes would otherwise both read "none".
  if (auto lock = db_.conn().lock_rows(); !lock.empty()) {
    query portal(db_.conn().prepared("SELECT portal_id FROM portals WHERE portal_id = ?1" + std::string(lock)));
    portal.bind(portal_id);
    portal.run();
  }
  query q(db_.conn().prepared("SELECT json FROM settings WHERE portal_id = ?1"));
  q.bind(portal_id);
  if (!q.step()) return {};
  return rows::read_settings(portal_id, q.text(0));
}

void transaction::put_session(const domain::impersonation_session& s) {
  followed_ = true;
  std::optional<std::string_view> why;
  if (s.ended_because) why = domain::to_string(*s.ended_because);
  run(db_, R"(INSERT INTO sessions (session_id, actor, target, portal, realm_id, grant_id, via, reason, return_to,
                                    state, started_at, expires_at, warn_at, ended_at, end_reason)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
              ON CONFLICT (session_id) DO UPDATE SET
                actor = excluded.actor, target = excluded.target, portal = excluded.portal,
                realm_id = excluded.realm_id, grant_id = excluded.grant_id, via = excluded.via,
                reason = excluded.reason, return_to = excluded.return_to, state = excluded.state,
                started_at = excluded.started_at, expires_at = excluded.expires_at, warn_at = excluded.warn_at,
                ended_at = excluded.ended_at, end_reason = excluded.end_reason)",
      s.session_id, s.actor, s.target, s.portal, s.realm_id, s.grant_id, s.via, s.reason, s.return_to,
      domain::to_string(s.state), s.started_at, s.expires_at, s.warn_at, s.ended_at, why);
}

void transaction::put_token(const token_record& t) {
  run(db_, R"(INSERT INTO tokens (hash, user_id, kind, session_id, grant_id, actor_id, created_at, expires_at,
                                  idle_timeout_s, last_used_at, revoked_at, parent_hash)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
              ON CONFLICT (hash) DO UPDATE SET
                user_id = excluded.user_id, kind = excluded.kind, session_id = excluded.session_id,
                grant_id = excluded.grant_id, actor_id = excluded.actor_id, created_at = excluded.created_at,
                expires_at = excluded.expires_at, idle_timeout_s = excluded.idle_timeout_s,
                last_used_at = excluded.last_used_at, revoked_at = excluded.revoked_at,
                parent_hash = excluded.parent_hash)",
      t.hash, t.user_id, to_string(t.kind), t.session_id, t.grant_id, t.actor_id, t.created_at, t.expires_at,
      t.idle_timeout_s, t.last_used_at, t.revoked_at, t.parent_hash);
}

void transaction::ring_doorbell() {
  query q(db_.conn().prepared(pg_doorbell::ring_sql));
  while (q.step()) {}
}

void transaction::put_node_progress(const std::string& node_id, timestamp followed_at, timestamp written_at) {
  run(db_, R"(INSERT INTO cluster_nodes (node_id, followed_at, written_at) VALUES (?1, ?2, ?3)
              ON CONFLICT (node_id) DO UPDATE SET followed_at = excluded.followed_at, written_at = excluded.written_at)",
      node_id, followed_at, written_at);
}

bool transaction::put_ticket(const std::string& ticket_hash, const std::string& token_hash, const id& user_id,
                             timestamp expires_at, timestamp now, int at_most) {
  run(db_, "DELETE FROM ws_tickets WHERE expires_at < ?1", now);
  query held(db_.conn().prepared("SELECT count(*) FROM ws_tickets WHERE user_id = ?1"));
  held.bind(user_id);
  if (held.step() && held.int64(0) >= at_most) return false;
  run(db_, "INSERT INTO ws_tickets (hash, token_hash, user_id, expires_at) VALUES (?1, ?2, ?3, ?4)", ticket_hash,
      token_hash, user_id, expires_at);
  return true;
}

std::optional<std::pair<std::string, timestamp>> transaction::take_ticket(const std::string& ticket_hash) {
  if (!db_.conn().in_transaction())
    throw store_error("a write job used the store outside its transaction (it was rolled back)", failure::other);
  // One statement: the row lock of the DELETE makes two nodes presented the same ticket take it in turn,
  // and the second finds nothing.
  query q(db_.conn().prepared("DELETE FROM ws_tickets WHERE hash = ?1 RETURNING token_hash, expires_at"));
  q.bind(ticket_hash);
  if (!q.step()) return std::nullopt;
  auto out = std::make_pair(q.text(0), q.time(1));
  while (q.step()) {}
  return out;
}

// Revocations keep the first revocation time: a token dies once.
void transaction::revoke_token(const std::string& hash, timestamp at) {
  followed_ = true;
  run(db_, "UPDATE tokens SET revoked_at = ?2 WHERE hash = ?1 AND revoked_at IS NULL", hash, at);
}

void transaction::revoke_session_tokens(const id& session_id, timestamp at) {
  followed_ = true;
  run(db_, "UPDATE tokens SET revoked_at = ?2 WHERE session_id = ?1 AND revoked_at IS NULL", session_id, at);
}

void transaction::revoke_user_tokens(const id& user_id, timestamp at) {
  followed_ = true;
  run(db_, "UPDATE tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL", user_id, at);
}

void transaction::revoke_grant_tokens_of(const id& support_user, timestamp at) {
  followed_ = true;
  run(db_, "UPDATE tokens SET revoked_at = ?2 WHERE kind = 'grant' AND actor_id = ?1 AND revoked_at IS NULL",
      support_user, at);
}

void transaction::touch_token(const std::string& hash, timestamp last_used_at) {
  // max(): jobs may commit out of the order their requests arrived; last use never moves back.
  // CASE rather than a two-argument max(): the one spelling both engines know.
  run(db_, "UPDATE tokens SET last_used_at = CASE WHEN last_used_at > ?2 THEN last_used_at ELSE ?2 END WHERE hash = ?1",
      hash, last_used_at);
}

void transaction::put_notification(const domain::notification& n) {
  followed_ = true;
  run(db_, R"(INSERT INTO notifications (notification_id, user_id, kind, title, body, created_at, read)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
              ON CONFLICT (notification_id) DO UPDATE SET
                user_id = excluded.user_id, kind = excluded.kind, title = excluded.title, body = excluded.body,
                created_at = excluded.created_at, read = excluded.read)",
      n.notification_id, n.user_id, domain::to_string(n.kind), n.title, n.body, n.created_at, n.read);
}

void transaction::mark_read(const id& user_id, const id& notification_id) {
  run(db_, "UPDATE notifications SET read = 1 WHERE notification_id = ?2 AND user_id = ?1", user_id,
      notification_id);
}

void transaction::put_preferences(const id& user_id, const std::string& json, timestamp at) {
  run(db_, R"(INSERT INTO preferences (user_id, json, updated_at) VALUES (?1, ?2, ?3)
              ON CONFLICT (user_id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at)",
      user_id, json, at);
}

void transaction::touch_user(const id& user_id, timestamp last_seen_at) {
  run(db_, R"(UPDATE users SET last_seen_at = CASE WHEN coalesce(last_seen_at, 0) > ?2 THEN last_seen_at ELSE ?2 END
              WHERE user_id = ?1)",
      user_id, last_seen_at);
}

void transaction::put_request(const domain::support_request& r) {
  followed_ = true;
  run(db_, R"(INSERT INTO support_requests (request_id, support_user, realm_id, portals, reason, ticket, state,
                                            created_at, lapses_at, decided_at, decided_by)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
              ON CONFLICT (request_id) DO UPDATE SET
                state = excluded.state, decided_at = excluded.decided_at, decided_by = excluded.decided_by)",
      r.request_id, r.support_user, r.realm_id, rows::join_ids(r.portals), r.reason, r.ticket,
      domain::to_string(r.state), r.created_at, r.lapses_at, r.decided_at, r.decided_by);
}

void transaction::put_grant(const domain::support_grant& g) {
  followed_ = true;
  run(db_, R"(INSERT INTO support_grants (grant_id, request_id, portal_id, realm_id, support_user, temp_admin,
                                          granted_by, state, created_at, expires_at, warn_at, ended_at, ended_by)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
              ON CONFLICT (grant_id) DO UPDATE SET
                state = excluded.state, ended_at = excluded.ended_at, ended_by = excluded.ended_by)",
      g.grant_id, g.request_id, g.portal_id, g.realm_id, g.support_user, g.temp_admin, g.granted_by,
      domain::to_string(g.state), g.created_at, g.expires_at, g.warn_at, g.ended_at, g.ended_by);
}

void transaction::set_meta(const std::string& key, const std::string& value) {
  run(db_, "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key, value);
}

void transaction::put_idempotent_answer(const std::string& caller, const std::string& key,
                                        const domain::idempotent_answer& a, timestamp forget_before,
                                        int forget_at_most) {
  run(db_, R"(DELETE FROM idempotency_keys WHERE (caller, key) IN
                (SELECT caller, key FROM idempotency_keys WHERE created_at < ?1 ORDER BY created_at LIMIT ?2))",
      forget_before, forget_at_most);
  run(db_, R"(INSERT INTO idempotency_keys (caller, key, fingerprint, status, body, created_at)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6)
              ON CONFLICT (caller, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
                body = excluded.body, created_at = excluded.created_at)",
      caller, key, a.fingerprint, static_cast<std::int64_t>(a.status), a.body, a.at);
}

domain::audit_event transaction::append_audit(domain::audit_event e) {
  followed_ = true;
  if (refused_)
    if (auto it = refused_->find(e.chain); it != refused_->end())
      throw std::runtime_error("audit chain " + e.chain + " takes no new events: " + it->second);
  // PostgreSQL: the head row is locked and read once per transaction, so nodes sharing the database
  // append to one chain in turn (SQLite's BEGIN IMMEDIATE already makes the writer the only one).
  if (auto lock = db_.conn().lock_rows(); !lock.empty() && !locked_chains_.contains(e.chain)) {
    query q(db_.conn().prepared("SELECT seq, hash FROM audit_heads WHERE chain = ?1" + std::string(lock)));
    q.bind(e.chain);
    if (q.step()) heads_[e.chain] = {q.int64(0), q.text(1)};
    locked_chains_.insert(e.chain);
  }
  std::int64_t prev_seq = 0;
  std::string prev_hash = domain::genesis_hash;
  if (auto it = heads_.find(e.chain); it != heads_.end()) std::tie(prev_seq, prev_hash) = it->second;
  domain::link(e, prev_seq, prev_hash, sha256_);
  run(db_, R"(INSERT INTO audit (chain, seq, at, event, performed_by, active_account, via, session, grant_id, portal,
                                 action, outcome, code, reason, ip, detail, prev_hash, hash)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18))",
      e.chain, e.seq, e.at, e.event, e.performed_by, e.active_account, e.via, e.session, e.grant, e.portal, e.action,
      domain::to_string(e.result), e.code, e.reason, e.ip, e.detail_json, e.prev_hash, e.hash);
  // Only after the row is in: a failed insert leaves the head where it was. A rollback of the whole
  // transaction is the writer's to undo (it reloads the heads).
  heads_[e.chain] = {e.seq, e.hash};
  return e;
}

} // namespace actas::store
