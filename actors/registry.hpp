#pragma once
/// The registry: the single place where access decisions are made and durable state changes. It holds
/// the directory (realms, portals, users, settings), the live tokens and the running sessions, so every
/// rule sees one consistent picture and every session ends exactly once.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/commit_book.hpp"
#include "actors/interfaces.hpp"
#include "actors/time_base.hpp"
#include "domain/dashboard.hpp"
#include "domain/denial_limiter.hpp"
#include "domain/directory.hpp"
#include "domain/login_limit.hpp"
#include "domain/support.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

namespace actas::actors {

/// What the registry is built with.
struct registry_deps {
  std::shared_ptr<store::writer> writer;
  /// A read connection of the registry's own (ended sessions, unread counts).
  std::shared_ptr<store::database> reader;
  timer_actor timers;
  /// Audit queries and verification run there.
  reader_actor audit_reader;
  /// The live dashboard's fan-out.
  dashboard_actor dashboard;
  time_base times;
  std::int64_t token_ttl_s = 12 * 3600;
  std::int64_t token_idle_s = 3600;
  /// How long to wait before writing again an end that the audit log refused.
  std::chrono::milliseconds retry_after{1000};
  /// How often tokens that died by time are swept (their tabs close, their impersonations end).
  std::chrono::milliseconds sweep_every{5000};
  /// How often sessions and grants that another node ended are looked for (0: never; one node alone on
  /// its database, the embedded SQLite default, has no other node to follow).
  std::chrono::milliseconds follow_every{0};
  /// Shared database (SPEC §8 "Fail closed"): how long this node may go without a completed follow round
  /// before it refuses impersonation and grant tokens (503 node_stale) and closes their sockets 1012.
  std::chrono::milliseconds max_staleness{2000};
  /// When the last completed follow round began, in ms of the actor clock (steady time); shared with the
  /// runtime, which answers /readyz from it even while the registry's thread waits on a read.
  std::shared_ptr<std::atomic<std::int64_t>> followed_at = std::make_shared<std::atomic<std::int64_t>>(0);
  /// Password checks running at once (each holds libsodium's interactive memory limit, 64 MiB); more wait
  /// their turn (domain/login_limit.hpp).
  std::size_t max_password_checks = 4;
  /// Tests under virtual time check passwords on the registry's own thread (same messages, no thread).
  bool inline_password_checks = false;
};

/// A password login waiting for its check.
struct pending_login {
  caf::typed_response_promise<mint_reply> reply;
  std::optional<id> user_id;  ///< unset when the username is unknown (the check runs against a decoy)
  std::string username;
  std::string ip;
  std::string password;  ///< until its check starts
  std::string hash;      ///< what the password is checked against, until its check starts
};

/// A WebSocket ticket: the token it was asked with, and until when it may be presented.
struct ws_ticket {
  std::string token_hash;
  domain::timestamp expires_at{};
  id user_id;  ///< the token's subject, whose share of the pool the ticket counts against
};

/// A tab subscribed to the dashboard: whose it is and what it sees.
struct dashboard_tab {
  socket_actor tab;
  id user_id;
  domain::dashboard_scope scope;
};

/// A running (or starting) session and its handles.
struct live_session {
  domain::impersonation_session session;
  std::string token_hash;
  /// The user token the actor started it with: the session never outlives it.
  std::optional<std::string> parent_hash;
  impersonation_actor handle;  ///< unset while the start is not yet durable
};

/// How an end's write came out.
enum class end_outcome {
  written,          ///< durable: the event, the notes and the answer are this end's
  ended_elsewhere,  ///< another node that held the session too had ended it first: nothing written here
  unwritten,        ///< the write failed; the end stays decided and is written again until durable
};

/// A session whose end this node decided (its token dead, its actor and target free) but its session
/// actor has not yet made durable: it is still read as ended here, and announced once its actor reports.
struct ending_session {
  domain::impersonation_session session;  ///< as ended
  std::vector<domain::notification> notes;  ///< pushed once the end is durable, if this node's write ended it
  impersonation_actor writer;
};

/// A grant whose end this node decided but its grant actor has not yet made durable: it still holds its
/// portal (a restart would find it live), and a repeat revoke asks its actor how the next write goes.
struct ending_grant {
  domain::support_grant grant;  ///< as ended
  std::vector<domain::notification> notes;  ///< pushed once the end is durable, if this node's write ended it
  grant_actor writer;
};

/// An answer that waits until every other live node has followed past `asked_at` (wall clock), or until
/// `give_up_ms` (this node's steady clock): by then a node that has not followed refuses by itself.
struct settle_wait {
  domain::timestamp asked_at{};
  std::int64_t give_up_ms = 0;
  caf::typed_response_promise<bool> answer;
};

struct registry_state {
  registry_deps deps;
  domain::directory dir;
  std::unordered_map<std::string, domain::token_record> tokens;
  std::map<id, live_session> sessions;
  std::map<id, id> session_of_actor;
  std::map<id, std::set<id>> sessions_of_target;
  std::map<id, ending_session> ending_sessions;
  std::map<id, user_actor> user_actors;
  commit_book commits;
  // Password logins (domain/login_limit.hpp): who may try, and the checks running and waiting.
  domain::login_limiter login_limits;
  domain::check_queue checks{4};
  std::map<std::uint64_t, pending_login> logins;
  std::uint64_t next_login = 1;
  /// A hash no password matches, so an unknown username costs as much as a wrong password.
  std::string decoy_hash;
  std::unordered_map<std::string, ws_ticket> tickets;
  /// Tabs subscribed to the dashboard (monitored, forgotten when they go down).
  std::map<caf::actor_addr, dashboard_tab> dashboard_tabs;
  /// Outstanding tickets per user, so one user cannot take the whole pool (issue 12).
  std::unordered_map<id, std::size_t> tickets_per_user;
  /// Preferences written while impersonating, per session; discarded when the session ends.
  std::map<id, std::string> overlays;
  /// Shared database: tokens logged out through this node are never taken back from the store (their
  /// revocation may not be committed yet), until they would have expired anyway (the sweep forgets them).
  std::unordered_map<std::string, domain::timestamp> revoked_here;
  /// Shared database: the last seq of each chain whose changes this node has taken (registry_follow.cpp),
  /// and since when tokens revoked through other nodes are looked for.
  std::map<std::string, std::int64_t> followed_seq;
  domain::timestamp revoked_since{};
  /// Shared database: the notifications this node pushed lately (its own, and those other nodes wrote,
  /// found by the follow poll), so that each reaches this node's tabs once; and since when they are looked for.
  std::unordered_map<id, domain::timestamp> pushed_notes;
  domain::timestamp notes_since{};
  /// pushed_notes holds every note pushed here created at or after this (older entries are forgotten).
  domain::timestamp pushed_since{};
  /// Shared database: this node found itself stale (and closed the impersonation and grant sockets).
  bool stale = false;
  /// Shared database: this process's name in cluster_nodes, where each completed follow round records
  /// when it began; and the answers waiting until the other nodes have followed past them.
  std::string node_id;
  std::vector<settle_wait> settle_waits;
  /// When the last follow round began (steady ms), and whether a rung round is already scheduled.
  std::int64_t last_round_ms = 0;
  bool round_scheduled = false;
  /// Plain users acting as themselves and allowed: counted, not logged (SPEC §5).
  std::uint64_t plain_allowed = 0;
  /// Denials written per caller and minute; the rest are counted into one summary (SPEC §5).
  domain::denial_limiter denials;
  // Support access: pending requests and active grants, as read caches (each has its actor).
  std::map<id, domain::support_request> requests;
  std::map<id, domain::support_grant> grants;
  /// The actor of each pending request (its state machine, its lapse and its close).
  std::map<id, request_actor> request_actors;
  /// The portals a grant being written will hold, taken until the commit returns, so a second grant on
  /// this node never reads the state the first is about to replace (SPEC §6 "Concurrency"; a request
  /// being decided is taken by its own actor).
  std::multiset<id> granting_portals;
  /// Sessions whose start was in flight when a grant's end was decided, with who ended it: their start
  /// is re-checked once it commits.
  std::map<id, std::optional<id>> recheck_at_start;
  /// Ends waiting on such a start (a grant's end waits for its temporary admin's): told once the start
  /// failed, runs, or has ended durably.
  std::map<id, std::vector<std::function<void(bool)>>> late_start_waiters;
  /// The actor of each active grant (its deadlines and its end).
  std::map<id, grant_actor> grant_actors;
  std::map<id, ending_grant> ending_grants;

  static inline const char* name = "registry";
};

using registry_self = registry_actor::stateful_pointer<registry_state>;

/// Behavior of the registry: loads nothing itself; `snap` is the store's snapshot read at start.
/// Sessions whose deadline passed while the process was down are ended `expired` at their deadline.
registry_actor::behavior_type registry(registry_self self, registry_deps deps, store::snapshot snap);

} // namespace actas::actors
