#pragma once
/// The database on either engine (store/connection.hpp): reads, and the transaction type the writer
/// hands to jobs.
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/audit.hpp"
#include "domain/idempotency.hpp"
#include "domain/notification.hpp"
#include "store/records.hpp"

#include "store/connection.hpp"

struct sqlite3;

namespace actas::store {

/// The schema version this build writes; opening runs every migration above the file's version.
int schema_version();

/// One connection. Not thread-safe: the writer owns one, each reader its own.
class database {
public:
  /// Opens `location` (a SQLite file, created if needed, or a `postgresql://` URL) and migrates.
  /// Throws std::runtime_error with the location (never a password) and the engine's message.
  explicit database(const std::string& location);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// The file path, or the URL without its password.
  const std::string& path() const { return conn_->where(); }
  engine kind() const { return conn_->kind(); }
  /// The connection (store-internal: see store/connection.hpp).
  connection& conn() { return *conn_; }
  /// The raw SQLite handle for the WAL machinery; nullptr on PostgreSQL.
  sqlite3* sqlite();
  /// The database's page size in bytes (SQLite only).
  int page_size();

  // -- reads (any connection) --
  snapshot load_snapshot(timestamp now);
  /// The ids of every active impersonation session and every active support grant (what another node
  /// may have ended is found by comparing them with what this node holds live).
  std::vector<id> active_session_ids();
  std::vector<id> active_grant_ids();
  std::optional<std::string> password_hash(const id& user_id);
  /// One user with its portals and assignments as this connection sees it (inside the writer's
  /// transaction: with the batch's earlier changes).
  /// `lock`: inside a write, the rows are locked until the commit (PostgreSQL's FOR UPDATE).
  std::optional<domain::user> find_user(const id& user_id, bool lock = false);
  std::optional<domain::impersonation_session> find_session(const id& session_id, bool lock = false);
  std::vector<domain::impersonation_session> sessions(const std::optional<id>& realm_id,
                                                      std::optional<domain::session_state> state,
                                                      int limit);
  std::vector<domain::audit_event> audit(const audit_query& q);
  /// The whole chain in seq order (for verify).
  std::vector<domain::audit_event> audit_chain(const std::string& chain);
  /// Walks the whole chain and checks that it ends at its head row (domain::check_head), reading both in
  /// one read transaction so a commit in between cannot look like a cut tail.
  domain::verify_result verify(const std::string& chain, const domain::hash_function& sha256);
  /// The same check inside whatever transaction this connection has open (actas migrate's copy).
  domain::verify_result verify_as_seen(const std::string& chain, const domain::hash_function& sha256);
  std::vector<domain::notification> inbox(const id& user_id, bool unread_only, int limit);
  std::int64_t unread_count(const id& user_id);
  /// One notification of one user (nullopt when it is not that user's).
  std::optional<domain::notification> find_notification(const id& user_id, const id& notification_id);
  /// The earliest follow progress of the nodes other than `node_id` that wrote theirs at or after
  /// `alive_since` (nullopt: no other live node).
  std::optional<timestamp> slowest_live_node(const std::string& node_id, timestamp alive_since);
  /// The notifications of `user_id` after the one created at `after_at` with id `after_id`, in inbox order
  /// (oldest first, at most `limit`): what a reconnecting tab missed (SPEC §6 resume). An empty `after_id`
  /// takes every note created at or after `after_at`.
  std::vector<domain::notification> notifications_after(const id& user_id, timestamp after_at, const id& after_id,
                                                        int limit);
  std::optional<std::string> meta(const std::string& key);
  /// A user's preferences as JSON text (nullopt when never written).
  std::optional<std::string> preferences(const id& user_id);
  /// `lock` as for find_user.
  std::optional<domain::support_request> find_request(const id& request_id, bool lock = false);
  /// The portals of `realm_id` that have a live (active) grant; `lock` as for find_user.
  std::vector<id> live_grant_portals(const id& realm_id, bool lock = false);
  /// `lock` as for find_user.
  std::optional<domain::support_grant> find_grant(const id& grant_id, bool lock = false);
  std::optional<token_record> find_token(const std::string& hash, bool lock = false);
  /// A portal's stored settings override (empty when none).
  domain::settings_patch settings_override(const id& portal_id);
  /// The impersonation token of a session (nullopt when none).
  std::optional<token_record> session_token(const id& session_id);
  /// The notifications made at or after `since`, oldest first (at most `limit`; notifications_by_time).
  std::vector<domain::notification> notifications_since(timestamp since, int limit);
  /// The tokens revoked at or after `since`, oldest revocation first (at most `limit`; tokens_revoked
  /// index): their hashes and when they were revoked.
  std::vector<std::pair<std::string, timestamp>> tokens_revoked_since(timestamp since, int limit);
  /// The id of the user with `username` (tombstones included), if any.
  std::optional<id> user_id_of_username(const std::string& username);
  /// Whether `user_id` runs an active impersonation (as its actor) / is the target of one.
  bool impersonating(const id& user_id);
  bool impersonated(const id& user_id);
  /// Every grant of a realm, newest first (bounded by `limit`).
  std::vector<domain::support_grant> grants_of_realm(const id& realm_id, int limit);
  /// The answer kept for (caller, key), if any (SPEC §6 Retries).
  std::optional<domain::idempotent_answer> idempotent_answer(const std::string& caller, const std::string& key);
  /// Last (seq, hash) of every chain, as its head row records it.
  std::map<std::string, std::pair<std::int64_t, std::string>> chain_heads();
  /// The head row of one chain (nullopt when the chain has none).
  std::optional<domain::chain_point> chain_head(const std::string& chain);
  /// The events of `chain` after `after_seq`, in seq order (at most `limit`).
  std::vector<domain::audit_event> audit_after(const std::string& chain, std::int64_t after_seq,
                                               std::int64_t limit = std::numeric_limits<std::int64_t>::max());
  /// Every chain that has events, a head row or a verified checkpoint.
  std::vector<std::string> chain_names();

private:
  std::unique_ptr<connection> conn_;
};

/// The changes of one commit. Created by the writer inside its write transaction (SQLite's BEGIN
/// IMMEDIATE, PostgreSQL's BEGIN); every method throws store_error, which rolls the job back.
class transaction {
public:
  transaction(database& db, std::map<std::string, std::pair<std::int64_t, std::string>>& heads,
              const domain::hash_function& sha256);

  void put_realm(const domain::realm& r);
  void put_portal(const domain::portal& p);
  /// Insert or replace the user with its portals, assignments and consents.
  void put_user(const domain::user& u);
  void put_password(const id& user_id, const std::string& password_hash);
  /// The user as this transaction sees it: what a change decides on (SPEC §6 "Concurrency").
  std::optional<domain::user> find_user(const id& user_id) { return db_.find_user(user_id, true); }
  void put_settings(const id& portal_id, const domain::settings_patch& patch);
  /// The portal's stored settings override as this transaction sees it (empty when none): what a
  /// settings change decides on (SPEC §6 "Concurrency").
  domain::settings_patch find_settings(const id& portal_id);
  /// Insert or replace a session row.
  void put_session(const domain::impersonation_session& s);
  void put_token(const token_record& t);
  void revoke_token(const std::string& hash, timestamp at);
  /// Revokes every token whose session_id is `session_id`.
  void revoke_session_tokens(const id& session_id, timestamp at);
  void revoke_user_tokens(const id& user_id, timestamp at);
  /// Revokes the grant tokens a support user holds (minted through any node).
  void revoke_grant_tokens_of(const id& support_user, timestamp at);
  void touch_token(const std::string& hash, timestamp last_used_at);
  /// Keeps a WebSocket ticket (by its hash) for the nodes that share this database, and forgets the
  /// lapsed ones (they live 30 s, so the table stays small without a sweep). False, and nothing kept, when
  /// `user_id` already holds `at_most` live tickets (the bound is the cluster's, not one node's).
  bool put_ticket(const std::string& ticket_hash, const std::string& token_hash, const id& user_id,
                  timestamp expires_at, timestamp now, int at_most);
  /// Rings every node's doorbell at this transaction's commit (PostgreSQL only; store/pg_doorbell.hpp).
  void ring_doorbell();
  /// Whether this transaction wrote something the other nodes follow (users, settings, sessions, grants,
  /// requests, token revocations, notifications, audit events). Bookkeeping (follow progress, tickets,
  /// touches, kept answers) does not ring: a node's own progress write ringing every node would make
  /// idle nodes ring each other for ever.
  bool followed_by_others() const { return followed_; }
  /// Records this node's follow progress (SPEC §8): its last completed round began at `followed_at`.
  void put_node_progress(const std::string& node_id, timestamp followed_at, timestamp written_at);
  /// Takes a ticket: the token hash and expiry it was bought for, and the row is gone, so exactly one of
  /// the nodes it is presented to gets it (nullopt: unknown or already taken).
  std::optional<std::pair<std::string, timestamp>> take_ticket(const std::string& ticket_hash);
  void put_notification(const domain::notification& n);
  void mark_read(const id& user_id, const id& notification_id);
  /// Replaces a user's preferences (a JSON object as text).
  void put_preferences(const id& user_id, const std::string& json, timestamp at);
  /// Records the user's own last activity (never moved back).
  void touch_user(const id& user_id, timestamp last_seen_at);
  /// Insert or replace a support request / grant.
  void put_request(const domain::support_request& r);
  void put_grant(const domain::support_grant& g);
  /// The session as this transaction sees it: what its end decides on (another node that loaded it may
  /// have ended it first).
  std::optional<domain::impersonation_session> find_session(const id& session_id) {
    return db_.find_session(session_id, true);
  }
  /// The grant as this transaction sees it: what a start under it decides on (SPEC §6 "Concurrency").
  std::optional<domain::support_grant> find_grant(const id& grant_id) { return db_.find_grant(grant_id, true); }
  /// Whether `user_id` has the notification `notification_id` as this transaction sees it.
  bool has_notification(const id& user_id, const id& notification_id) {
    return db_.find_notification(user_id, notification_id).has_value();
  }
  /// The request as this transaction sees it: what a grant, deny, cancel or lapse decides on.
  std::optional<domain::support_request> find_request(const id& request_id) { return db_.find_request(request_id, true); }
  /// The portals of a realm with a live grant as this transaction sees them: what a new grant is checked
  /// against (on PostgreSQL the partial unique index of one live grant per portal is the last guard).
  std::vector<id> live_grant_portals(const id& realm_id) { return db_.live_grant_portals(realm_id, true); }
  /// The token as this transaction sees it (a logout committed meanwhile shows as revoked).
  std::optional<token_record> find_token(const std::string& hash) { return db_.find_token(hash, true); }
  /// Who holds `username` as this transaction sees it: what a new user's uniqueness is decided on.
  std::optional<id> user_id_of_username(const std::string& username) { return db_.user_id_of_username(username); }
  /// Whether the user runs / is the target of an active impersonation as this transaction sees it: what
  /// the busy rules of a start decide on. A start locks its caller's and target's rows first (find_user),
  /// so two starts for one actor or one target, on any nodes, read this one after the other.
  bool actor_busy(const id& user_id) { return db_.impersonating(user_id); }
  bool target_busy(const id& user_id) { return db_.impersonated(user_id); }
  void set_meta(const std::string& key, const std::string& value);
  /// Keeps the answer to (caller, key) (replacing one older than the window) and forgets at most
  /// `forget_at_most` answers older than `forget_before`, so the table stays bounded without a sweep.
  void put_idempotent_answer(const std::string& caller, const std::string& key, const domain::idempotent_answer& a,
                             timestamp forget_before, int forget_at_most);
  /// Links `e` onto its chain (seq, prev_hash, hash), writes it and returns it as written. Throws when
  /// `e`'s chain is one of the refused ones (a chain found broken at start takes no new events).
  domain::audit_event append_audit(domain::audit_event e);
  /// After a job was rolled back to its savepoint: the head rows it locked may be unlocked again, so the
  /// next append reads them again.
  void forget_row_locks() { locked_chains_.clear(); }
  /// Chains that take no new events (not owned; may be null).
  void refuse_chains(const std::map<std::string, std::string>* why_by_chain) { refused_ = why_by_chain; }

private:
  database& db_;
  std::map<std::string, std::pair<std::int64_t, std::string>>& heads_;
  const domain::hash_function& sha256_;
  const std::map<std::string, std::string>* refused_ = nullptr;
  bool followed_ = false;
  /// PostgreSQL: chains whose head row this transaction holds FOR UPDATE (read from the row, not the
  /// writer's memory: another node may have appended since).
  std::set<std::string> locked_chains_;
};

} // namespace actas::store
