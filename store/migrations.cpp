#include "store/migrations.hpp"

#include <stdexcept>

#include <sqlite3.h>

#include "store/sqlite_engine.hpp"

namespace actas::store {

namespace {

// Times are integer microseconds since the Unix epoch (domain::to_micros); ids are TEXT; booleans 0/1.
// Users are never deleted (SPEC §1 tombstones), so references to users need no ON DELETE rule; rows are
// replaced with UPSERTs, never with INSERT OR REPLACE (which deletes first and trips foreign keys).
const migration v1{1, {
  R"(CREATE TABLE meta (
       key   TEXT PRIMARY KEY,
       value TEXT NOT NULL))",

  // No foreign key on top_portal: realm and top portal reference each other, and the realm comes first.
  R"(CREATE TABLE realms (
       realm_id   TEXT PRIMARY KEY,
       name       TEXT NOT NULL,
       top_portal TEXT NOT NULL))",

  R"(CREATE TABLE portals (
       portal_id TEXT PRIMARY KEY,
       realm_id  TEXT NOT NULL REFERENCES realms(realm_id),
       parent    TEXT REFERENCES portals(portal_id),
       name      TEXT NOT NULL))",
  "CREATE INDEX portals_by_parent ON portals(parent)",

  R"(CREATE TABLE users (
       user_id         TEXT PRIMARY KEY,
       username        TEXT NOT NULL UNIQUE,
       display_name    TEXT NOT NULL,
       role            TEXT NOT NULL,
       status          TEXT NOT NULL,
       home_portal     TEXT REFERENCES portals(portal_id),
       realm_id        TEXT REFERENCES realms(realm_id),
       consent_terms   INTEGER NOT NULL CHECK (consent_terms IN (0, 1)),
       consent_privacy INTEGER NOT NULL CHECK (consent_privacy IN (0, 1)),
       exact_scope     INTEGER NOT NULL CHECK (exact_scope IN (0, 1)),
       grant_id        TEXT,
       last_seen_at    INTEGER))",
  "CREATE INDEX users_by_realm ON users(realm_id)",

  // The lists of a user keep their order through `pos`.
  R"(CREATE TABLE user_admin_portals (
       user_id   TEXT NOT NULL REFERENCES users(user_id),
       pos       INTEGER NOT NULL,
       portal_id TEXT NOT NULL REFERENCES portals(portal_id),
       PRIMARY KEY (user_id, pos)))",
  // No foreign key on the assigned user: a seed may provision a power user before its learners.
  R"(CREATE TABLE user_assigned_users (
       user_id          TEXT NOT NULL REFERENCES users(user_id),
       pos              INTEGER NOT NULL,
       assigned_user_id TEXT NOT NULL,
       PRIMARY KEY (user_id, pos)))",
  R"(CREATE TABLE user_assigned_portals (
       user_id   TEXT NOT NULL REFERENCES users(user_id),
       pos       INTEGER NOT NULL,
       portal_id TEXT NOT NULL REFERENCES portals(portal_id),
       PRIMARY KEY (user_id, pos)))",

  R"(CREATE TABLE passwords (
       user_id TEXT PRIMARY KEY REFERENCES users(user_id),
       hash    TEXT NOT NULL))",

  // One stored override per portal, as the nested JSON of SPEC §1 (codec::encode of a settings_patch).
  R"(CREATE TABLE settings (
       portal_id TEXT PRIMARY KEY REFERENCES portals(portal_id),
       json      TEXT NOT NULL))",

  R"(CREATE TABLE sessions (
       session_id TEXT PRIMARY KEY,
       actor      TEXT NOT NULL REFERENCES users(user_id),
       target     TEXT NOT NULL REFERENCES users(user_id),
       portal     TEXT,
       realm_id   TEXT,
       grant_id   TEXT,
       via        TEXT,
       reason     TEXT NOT NULL,
       return_to  TEXT,
       state      TEXT NOT NULL,
       started_at INTEGER NOT NULL,
       expires_at INTEGER NOT NULL,
       warn_at    INTEGER NOT NULL,
       ended_at   INTEGER,
       end_reason TEXT))",
  "CREATE INDEX sessions_active ON sessions(state) WHERE state = 'active'",
  "CREATE INDEX sessions_by_realm ON sessions(realm_id, started_at)",
  "CREATE INDEX sessions_by_started ON sessions(started_at)",

  // Only the SHA-256 of a token is ever stored (crypto::token_hash). session_id has no foreign key so a
  // job may write the token and its session in either order. parent_hash: the user token an impersonation
  // token was started with (an impersonation never outlives the actor's own login).
  R"(CREATE TABLE tokens (
       hash           TEXT PRIMARY KEY,
       user_id        TEXT NOT NULL REFERENCES users(user_id),
       kind           TEXT NOT NULL,
       session_id     TEXT,
       grant_id       TEXT,
       actor_id       TEXT,
       created_at     INTEGER NOT NULL,
       expires_at     INTEGER NOT NULL,
       idle_timeout_s INTEGER NOT NULL,
       last_used_at   INTEGER NOT NULL,
       revoked_at     INTEGER,
       parent_hash    TEXT))",
  "CREATE INDEX tokens_by_user ON tokens(user_id)",
  "CREATE INDEX tokens_by_session ON tokens(session_id) WHERE session_id IS NOT NULL",

  R"(CREATE TABLE notifications (
       notification_id TEXT PRIMARY KEY,
       user_id         TEXT NOT NULL REFERENCES users(user_id),
       kind            TEXT NOT NULL,
       title           TEXT NOT NULL,
       body            TEXT NOT NULL,
       created_at      INTEGER NOT NULL,
       read            INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))))",
  "CREATE INDEX notifications_by_user ON notifications(user_id, created_at)",

  // SPEC §5. `grant` is spelled grant_id (GRANT is reserved in SQL). `detail` holds canonical JSON text.
  R"(CREATE TABLE audit (
       chain          TEXT NOT NULL,
       seq            INTEGER NOT NULL CHECK (seq >= 1),
       at             INTEGER NOT NULL,
       event          TEXT NOT NULL,
       performed_by   TEXT,
       active_account TEXT,
       via            TEXT,
       session        TEXT,
       grant_id       TEXT,
       portal         TEXT,
       action         TEXT,
       outcome        TEXT NOT NULL,
       code           TEXT,
       reason         TEXT,
       ip             TEXT,
       detail         TEXT NOT NULL DEFAULT '',
       prev_hash      TEXT NOT NULL,
       hash           TEXT NOT NULL,
       PRIMARY KEY (chain, seq)))",
  // The filters of GET /v1/audit, each within a chain and in seq order; partial, since most are null.
  "CREATE INDEX audit_by_portal ON audit(chain, portal, seq) WHERE portal IS NOT NULL",
  "CREATE INDEX audit_by_session ON audit(chain, session, seq) WHERE session IS NOT NULL",
  "CREATE INDEX audit_by_grant ON audit(chain, grant_id, seq) WHERE grant_id IS NOT NULL",
  "CREATE INDEX audit_by_performer ON audit(chain, performed_by, seq) WHERE performed_by IS NOT NULL",
  "CREATE INDEX audit_by_account ON audit(chain, active_account, seq) WHERE active_account IS NOT NULL",
}, {
  // Append-only (SPEC §5): the file itself refuses to change or drop an event, whoever asks.
  R"(CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END)",
  R"(CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
     BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END)",
}, {
  // The same rules as trigger functions; TRUNCATE too, which skips row triggers.
  R"(CREATE FUNCTION actas_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$)",
  R"(CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     FOR EACH ROW EXECUTE FUNCTION actas_refuse('audit events are append-only'))",
  R"(CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
     FOR EACH ROW EXECUTE FUNCTION actas_refuse('audit events are append-only'))",
  R"(CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
     FOR EACH STATEMENT EXECUTE FUNCTION actas_refuse('audit events are append-only'))",
}};

// Preferences of a user (an opaque JSON object the platform's UI keeps). Those written while impersonating
// never reach this table: they live in the session's overlay and are discarded with it (SPEC §2).
const migration v2{2, {
  R"(CREATE TABLE preferences (
       user_id    TEXT PRIMARY KEY REFERENCES users(user_id),
       json       TEXT NOT NULL,
       updated_at INTEGER NOT NULL))",
}};

// Support access (SPEC §3). A request's portals are kept as one comma-separated list: portal ids are
// `[a-z0-9_-]` (domain::valid_id), so a comma never occurs inside one.
const migration v3{3, {
  R"(CREATE TABLE support_requests (
       request_id   TEXT PRIMARY KEY,
       support_user TEXT NOT NULL REFERENCES users(user_id),
       realm_id     TEXT NOT NULL REFERENCES realms(realm_id),
       portals      TEXT NOT NULL,
       reason       TEXT NOT NULL,
       ticket       TEXT NOT NULL,
       state        TEXT NOT NULL,
       created_at   INTEGER NOT NULL,
       lapses_at    INTEGER NOT NULL,
       decided_at   INTEGER,
       decided_by   TEXT))",
  "CREATE INDEX support_requests_by_state ON support_requests(state, realm_id)",
  R"(CREATE TABLE support_grants (
       grant_id     TEXT PRIMARY KEY,
       request_id   TEXT NOT NULL REFERENCES support_requests(request_id),
       portal_id    TEXT NOT NULL REFERENCES portals(portal_id),
       realm_id     TEXT NOT NULL REFERENCES realms(realm_id),
       support_user TEXT NOT NULL REFERENCES users(user_id),
       temp_admin   TEXT NOT NULL REFERENCES users(user_id),
       granted_by   TEXT NOT NULL,
       state        TEXT NOT NULL,
       created_at   INTEGER NOT NULL,
       expires_at   INTEGER NOT NULL,
       warn_at      INTEGER NOT NULL,
       ended_at     INTEGER,
       ended_by     TEXT))",
  "CREATE INDEX support_grants_by_realm ON support_grants(realm_id, created_at)",
  "CREATE INDEX support_grants_by_state ON support_grants(state)",
}};

// A user's unread count is read for every notification pushed and every tab that connects. With only
// notifications_by_user, SQLite visited every row of the user's inbox to test `read`; this partial index
// holds just the unread ones, so the count reads the index alone.
const migration v4{4, {
  // `read` is in the key only so that the index covers the query (SQLite 3.40 does not count a column
  // the partial index fixes as covered).
  "CREATE INDEX notifications_unread ON notifications(user_id, read) WHERE read = 0",
}};

// Chains checked at start (SPEC §5): a chain's events alone cannot show that its newest ones were
// deleted, so each chain's head is written with every event (by a trigger, in the event's own
// transaction); `audit_verified` is where the last check at start got to, so the next one walks only the
// events after it. Existing databases get their heads from the events they have.
const migration v5{5, {
  R"(CREATE TABLE audit_heads (
       chain TEXT PRIMARY KEY,
       seq   INTEGER NOT NULL,
       hash  TEXT NOT NULL))",
  R"(INSERT INTO audit_heads (chain, seq, hash)
     SELECT chain, seq, hash FROM audit a WHERE seq = (SELECT max(seq) FROM audit WHERE chain = a.chain))",
  R"(CREATE TABLE audit_verified (
       chain TEXT PRIMARY KEY,
       seq   INTEGER NOT NULL,
       hash  TEXT NOT NULL))",
}, {
  R"(CREATE TRIGGER audit_head_follows AFTER INSERT ON audit
     BEGIN
       INSERT INTO audit_heads (chain, seq, hash) VALUES (NEW.chain, NEW.seq, NEW.hash)
       ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
     END)",
  R"(CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
     BEGIN SELECT RAISE(ABORT, 'audit heads are never deleted'); END)",
}, {
  R"(CREATE FUNCTION actas_audit_head_follows() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO audit_heads (chain, seq, hash) VALUES (NEW.chain, NEW.seq, NEW.hash)
       ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
       RETURN NULL;
     END $$)",
  R"(CREATE TRIGGER audit_head_follows AFTER INSERT ON audit
     FOR EACH ROW EXECUTE FUNCTION actas_audit_head_follows())",
  R"(CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
     FOR EACH ROW EXECUTE FUNCTION actas_refuse('audit heads are never deleted'))",
  R"(CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
     FOR EACH STATEMENT EXECUTE FUNCTION actas_refuse('audit heads are never deleted'))",
}};

// SPEC §6 Retries: the first answer to each (caller, Idempotency-Key), kept 24 h. `caller` is a hash of
// the credential (never the credential itself); bodies are stored without their secrets.
const migration v6{6, {
  R"(CREATE TABLE idempotency_keys (
       caller      TEXT NOT NULL,
       key         TEXT NOT NULL,
       fingerprint TEXT NOT NULL,
       status      INTEGER NOT NULL,
       body        TEXT NOT NULL,
       created_at  INTEGER NOT NULL,
       PRIMARY KEY (caller, key)))",
  "CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at)",
}};

// The last guard of two exclusivity rules (SPEC §2 "one active impersonation per actor", SPEC §3 "one
// live grant per portal"; issue 13): the registry decides them on the state it commits, and the database
// refuses a commit that would break them anyway, on either engine. (Exclusivity per target depends on
// the portal's `exclusive` setting, which no index can see; the registry alone decides that one.)
// A database that already breaks a rule stops here, naming the index: such rows need a person to look.
const migration v7{7, {
  "CREATE UNIQUE INDEX sessions_one_active_per_actor ON sessions(actor) WHERE state = 'active'",
  "CREATE UNIQUE INDEX support_grants_one_live_per_portal ON support_grants(portal_id) WHERE state = 'active'",
}};

// The busy rule per target is read inside a start's transaction (transaction::target_busy). Without an
// index of its own that read scanned every active session: with thousands running, each start cost a scan
// (bench notify at 1000/s on SQLite: learner p50 from 5.2 ms to 100 ms).
const migration v8{8, {
  "CREATE INDEX sessions_active_by_target ON sessions(target) WHERE state = 'active'",
}};

// On a shared database every node looks, once a second, for the tokens revoked through the others (a
// logout there) and for the notifications they wrote (pushed to this node's tabs): reads of the last
// seconds, not of every row ever made.
const migration v9{9, {
  "CREATE INDEX tokens_revoked ON tokens(revoked_at) WHERE revoked_at IS NOT NULL",
  "CREATE INDEX notifications_by_time ON notifications(created_at)",
}};

// SPEC §6, §8: a WebSocket ticket bought through one node opens the socket through any other (a load
// balancer picks each request's node). Only nodes on a shared database write here; a lone node keeps its
// tickets in memory. Stored by hash: the ticket itself is a secret and never written.
const migration v10{10, {
  R"(CREATE TABLE ws_tickets (hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, user_id TEXT NOT NULL,
       expires_at INTEGER NOT NULL))",
  "CREATE INDEX ws_tickets_by_expiry ON ws_tickets(expires_at)",
  "CREATE INDEX ws_tickets_by_user ON ws_tickets(user_id)",
  // SPEC §8 revocation: each node records when its last completed follow round began, so that a change
  // that kills a token can wait (bounded) until every live node has followed past it.
  "CREATE TABLE cluster_nodes (node_id TEXT PRIMARY KEY, followed_at INTEGER NOT NULL, written_at INTEGER NOT NULL)",
}};

int user_version(sqlite3* db) {
  sqlite_statement st(db, "PRAGMA user_version");
  query q(st);
  return q.step() ? static_cast<int>(q.int64(0)) : 0;
}

} // namespace

const std::vector<migration>& migrations() {
  static const std::vector<migration> all{v1, v2, v3, v4, v5, v6, v7, v8, v9, v10};
  return all;
}

void migrate(sqlite3* db, const std::string& path) {
  const int latest = static_cast<int>(migrations().size());
  if (user_version(db) == latest) return;  // the common case: no write lock needed
  for (const auto& m : migrations()) {
    // IMMEDIATE, then re-read: two processes opening a fresh file at once must not both apply a step.
    exec(db, "BEGIN IMMEDIATE");
    try {
      int current = user_version(db);
      if (current > latest)
        throw std::runtime_error(path + ": schema version " + std::to_string(current) +
                                 " is newer than this build's " + std::to_string(latest));
      if (current < m.version) {
        for (auto sql : m.statements) exec(db, sql);
        for (auto sql : m.sqlite_only) exec(db, sql);
        exec(db, "PRAGMA user_version = " + std::to_string(m.version));
      }
      exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

} // namespace actas::store
