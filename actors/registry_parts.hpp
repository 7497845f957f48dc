#pragma once
/// The registry's handlers, split by concern over a few files (internal to actors/).
#include "actors/end_writer.hpp"
#include "actors/registry.hpp"
#include "domain/recheck.hpp"
#include "domain/session_events.hpp"

namespace actas::actors::detail {

/// Wall-clock now, from the actor's clock.
domain::timestamp now(registry_self self);

/// What the registry gives each entity actor it spawns (a session's, a grant's).
inline entity_deps entity_deps_of(registry_self self) {
  const auto& deps = self->state.deps;
  return {deps.writer, caf::actor_cast<registry_actor>(self), deps.timers, deps.retry_after};
}

/// The user actor of `user_id`, spawned on first use.
user_actor user_actor_of(registry_self self, const id& user_id);

// -- tokens (registry_tokens.cpp) --
/// Resolves a token hash; unknown, revoked, expired and idle tokens are unauthenticated (and dropped).
auth_reply authenticate(registry_self self, const std::string& token_hash);
/// Whether `t` works at `at`: not revoked, expired or idle; its subject active; and the support user
/// behind it (a grant token's, or the `via` of a temporary admin's impersonation) active too.
bool token_alive(const registry_state& st, const domain::token_record& t, domain::timestamp at);
/// Forgets a dead token and closes the tabs opened with it.
void bury(registry_self self, const domain::token_record& t);
caf::result<mint_reply> mint_user_token(registry_self self, const id& user_id);
/// Writes a fresh user token for `u` and answers `rp` once it is durable.
void issue_user_token(registry_self self, const domain::user& u, caf::typed_response_promise<mint_reply> rp);
caf::result<logout_reply> logout(registry_self self, const std::string& token_hash, const std::string& ip);
caf::result<ticket_reply> issue_ticket(registry_self self, const std::string& token_hash);
caf::result<auth_reply> redeem_ticket(registry_self self, const std::string& ticket);
/// Tokens that died by time: their tabs close (1008) and the impersonations started with them end.
void sweep(registry_self self);
/// Ends, `actor_logged_out`, every session started with the user token `parent_hash`.
void end_sessions_of_token(registry_self self, const std::string& parent_hash,
                           std::function<void(bool)> all_written);

// -- password login (registry_login.cpp) --
caf::result<mint_reply> login(registry_self self, const login_command& cmd);
void password_checked(registry_self self, std::uint64_t attempt, bool matched);

// -- policy (registry_policy.cpp) --
/// A settings change committed (through this node or another) reaches this node: the portal's override
/// and the re-check of the realm's sessions running here, by `by`; `then` as for take_user_change.
void take_settings_change(registry_self self, const id& portal_id, const domain::settings_patch& after,
                          std::optional<id> by, std::function<void(bool)> then);
settings_reply read_settings(registry_self self, const caller_ref& c, const id& portal_id);
counts_reply counts(registry_self self, const caller_ref& c);
caf::result<settings_reply> change_settings(registry_self self, const caller_ref& c, const id& portal_id,
                                            const domain::settings_patch& patch);
caf::result<authorize_reply> authorize(registry_self self, const authorize_command& cmd);
prefs_reply read_preferences(registry_self self, const std::string& token_hash);
caf::result<prefs_reply> write_preferences(registry_self self, const std::string& token_hash, const std::string& json);
inbox_reply inbox(registry_self self, const std::string& token_hash, bool unread_only, std::int32_t limit);
caf::result<inbox_reply> mark_read(registry_self self, const std::string& token_hash, const id& notification_id);

// -- users and provisioning (registry_users.cpp) --
/// A user change committed (through this node or another) reaches this node's caches: the directory, the
/// dashboards, the tokens of a user who may no longer sign in (`loses_access`: its own and the grant
/// tokens it holds as a support user), and the sessions running here that it is in, re-checked by `by`;
/// `then` learns whether their ends were written.
void take_user_change(registry_self self, const domain::user& after, bool loses_access, std::optional<id> by,
                      std::function<void(bool)> then);
users_reply list_users(registry_self self, const caller_ref& c, const domain::user_filter& f, std::int32_t limit);
caf::result<user_reply> create_user(registry_self self, const caller_ref& c, const domain::new_user& u);
caf::result<user_reply> update_user(registry_self self, const caller_ref& c, const id& user_id,
                                    const domain::user_patch& patch);
caf::result<portal_reply> create_realm(registry_self self, const caller_ref& c, const domain::new_realm& r);
caf::result<portal_reply> create_portal(registry_self self, const caller_ref& c, const domain::new_portal& p);
introspect_reply introspect(registry_self self, const caller_ref& c, const std::string& token_hash);

// -- support access (registry_support*.cpp) --
caf::result<request_reply> create_request(registry_self self, const request_command& cmd);
caf::result<request_reply> close_request(registry_self self, const std::string& token_hash, const id& request_id,
                                         domain::request_state how, const std::string& ip);
caf::result<grants_reply> create_grants(registry_self self, const grant_command& cmd);
caf::result<grants_reply> revoke_grants(registry_self self, const std::string& token_hash, const std::vector<id>& ids,
                                        const std::string& ip);
caf::result<mint_reply> grant_token(registry_self self, const std::string& token_hash, const id& grant_id);
access_reply access(registry_self self, const std::string& token_hash);
caf::result<audit_reply> grant_log(registry_self self, const std::string& token_hash, const id& grant_id);
void support_due(registry_self self, const id& owner, std::uint64_t cookie);
/// Resumes the snapshot's pending requests and active grants; ends those whose deadline passed.
void resume_support(registry_self self, std::vector<domain::support_request> requests,
                    std::vector<domain::support_grant> grants);
/// Renders one notification for `user_id` unless its kind is switched off (safe on the writer's thread).
void add_note(std::vector<domain::notification>& out, const domain::realm_settings& settings,
              domain::notification_kind kind, const std::map<std::string, std::string>& values,
              const id& user_id, domain::timestamp at);
/// Renders and collects one notification for each of `users` (disabled kinds render nothing).
void notify_all(registry_self self, std::vector<domain::notification>& out, const domain::realm_settings& settings,
                domain::notification_kind kind, const std::map<std::string, std::string>& values,
                const std::vector<id>& users, domain::timestamp at);
/// Pushes durable notifications to their users' tabs.
/// Pushes `notes` to their users' tabs, each once. On a shared database a note written here first pushes
/// its user's notes that other nodes wrote before it (`catch_up`; the follow poll, which reads in order,
/// does not need to).
void push_notes(registry_self self, const std::vector<domain::notification>& notes, bool catch_up = true);

// -- dashboard (registry_dashboard.cpp) --
/// Tells the dashboard about a change.
void publish(registry_self self, dashboard_update update);
/// Subscribes a tab once (a repeat is ignored) with its user's scope and the rows of that scope.
void subscribe(registry_self self, const socket_actor& tab, const std::string& token_hash);
/// After a change of `changed` (role, portals, assignments, status): its subscribed tabs get the rows they
/// lose and gain, or, when it may no longer see a dashboard, their subscription ends with `forbidden`.
void rescope_dashboards(registry_self self, const domain::user& changed);
// -- other nodes (registry_follow.cpp, registry_adopt.cpp) --
/// True when other nodes may write the same database (PostgreSQL): what this node has not seen may exist.
bool shares_database(const registry_state& st);
/// One follow round: brings this node's caches up to what other nodes committed (ends here the sessions
/// and grants they ended, runs those they started, forgets the tokens they revoked, takes the users and
/// settings they changed, pushes their notifications to the tabs here); marks the node fresh when it
/// completes, and stale (sockets closed 1012) when the last completed round is too old. Throws when the
/// database cannot be read (the next round tries again).
void follow_other_nodes(registry_self self);
/// Shared database: whether the last completed follow round began more than max_staleness ago (this
/// node may be missing changes committed since: it fails closed for impersonation and grant tokens).
bool node_stale(registry_self self);
/// This node's monotonic clock in milliseconds (the staleness bound is measured on it).
std::int64_t steady_ms(registry_self self);
/// The doorbell rang: a follow round now, or as soon as `min_round_gap` after the last one began (rings
/// that come faster are one round).
void follow_soon(registry_self self);
/// Writes that this node's last completed follow round began at `round_began` (cluster_nodes).
void record_progress(registry_self self, domain::timestamp round_began);
/// A node that may be missing a revocation does not vouch for the two kinds of token that matter most:
/// true for an impersonation or grant token while node_stale (SPEC §8 "Fail closed").
bool refused_as_stale(registry_self self, const domain::token_record& t);
/// Where following starts: each chain's log after `chain_seq` (where it stood when the snapshot was read),
/// revocations from now.
void follow_from_now(registry_self self, std::map<std::string, std::int64_t> chain_seq);
/// A token this node has not seen, read from the store and cached here when it is alive there, with its
/// user and the session or grant it belongs to; nullptr when there is none, it is dead, or the database
/// is this node's alone.
domain::token_record* adopt_token(registry_self self, const std::string& token_hash);
/// A session another node started and that is active, run here too (its actor, its deadline, the
/// target's banner); the running one when this node has it; nullptr otherwise.
live_session* adopt_live_session(registry_self self, const id& session_id);
/// A user another node made, read into the directory; nullptr when there is none (or its realm or home
/// portal is not known here).
const domain::user* adopt_user(registry_self self, const id& user_id);

/// Every open dashboard follows a change of the portal tree (a new portal under an administered one).
void rescope_all_dashboards(registry_self self);
/// A subscribed tab went away.
void forget_dashboard_tab(registry_self self, const caf::actor_addr& tab);

// -- reads (registry_reads.cpp) --
me_reply me(registry_self self, const std::string& token_hash);
sessions_reply list_sessions(registry_self self, const std::string& token_hash, const sessions_query& q);
caf::result<audit_reply> audit(registry_self self, const std::string& token_hash, domain::audit_query q);
caf::result<verify_reply> verify(registry_self self, const std::string& token_hash, const std::string& chain);
/// The first frame of a new tab.
hello hello_for(registry_self self, const principal& who);
grants_reply own_grants(registry_self self, const std::string& token_hash);

// -- sessions (registry_sessions.cpp) --
caf::result<start_reply> start(registry_self self, const start_command& cmd);
/// On a shared database: the sessions of `actor` or of `target` that this node holds as running but another
/// node has ended (the follow poll would apply it within a round) are ended here now, so that a start is
/// never refused busy on a session whose end was already answered (read from the database only when the
/// cache says busy).
void forget_ended_elsewhere(registry_self self, const id& actor, const id& target);
/// SPEC §8 "Revocation holds cluster-wide": answers once every other live node has followed past now
/// (cluster_nodes), or once `cluster.max_staleness_ms` has passed, after which a node that has not is
/// stale and refuses by itself. At once when the database is this node's own.
caf::result<bool> settled(registry_self self);
/// Answers the waits the other nodes' progress now allows (and asks again soon while some remain).
void check_settled(registry_self self);
caf::result<end_reply> end(registry_self self, const end_command& cmd);
find_reply find(registry_self self, const std::string& token_hash, const id& session_id);
/// How a running session ends: why, when, by whom (a person, or nobody for an expiry), the rule that
/// refused it on a re-check, the exit message, and the caller's address.
struct ending {
  domain::end_reason why = domain::end_reason::ended_by_actor;
  domain::timestamp at{};
  std::optional<id> ended_by;
  std::optional<domain::errc> rule;
  std::optional<std::string> message;
  std::string ip;
};

/// The audit identity of a token: the real person first, then the account in use.
domain::acting acting_of(const principal& who);
std::string name_of(const domain::directory& dir, const id& user_id);

/// The caller of a request: the user behind a token, or the platform (service key).
struct resolved_caller {
  std::optional<domain::errc> error;
  const domain::user* user = nullptr;  ///< null for the platform
  principal who;
  bool service = false;
};
resolved_caller resolve(registry_self self, const caller_ref& c);

/// Learns how an end's write came out, with the session as this node ended it.
using end_waiter = std::function<void(end_outcome, const domain::impersonation_session&)>;

/// Ends a running session: at once its token dies and its actor and target are free again; its row,
/// notifications and audit event are written, and only then is it announced and `waiter` answered.
void finish(registry_self self, const id& session_id, ending how, end_waiter waiter);
/// Ends several sessions; `then` learns once all are durable (true) or one could not be written.
void finish_all(registry_self self, std::vector<std::pair<id, ending>> ends, std::function<void(bool)> then);
/// After a change: every running session for which `side_of` names a side is re-checked (SPEC §2) and
/// those the rules now refuse end (actor_revoked / target_changed, `code` = the rule) by `changed_by`.
void recheck_sessions(registry_self self,
                      const std::function<std::optional<domain::change_side>(const domain::impersonation_session&)>& side_of,
                      std::optional<id> changed_by, std::function<void(bool)> then);
/// A start that was in flight when a grant's end was decided, checked now that it committed first: how
/// it ends when the rules no longer allow it (nullopt: it runs, or no grant end came in between). Other
/// changes need no such check: a start decides in its own transaction (decide_start).
std::optional<ending> recheck_started(registry_self self, const domain::impersonation_session& s);
/// Tells the ends waiting on the start of `session_id` (late_start_waiters) how it went, once.
void settle_late_start(registry_self self, const id& session_id, bool ok);
/// Runs a session on this node: its actor (its deadline) and the target's banner here.
void run_session_here(registry_self self, live_session live);
/// Ends here, `expired` at its deadline, a session found active past it (a node down meanwhile).
void end_overdue_here(registry_self self, live_session live);
/// Spawns session actors for the snapshot's sessions and ends those already overdue.
void resume(registry_self self, std::vector<domain::impersonation_session> sessions);
/// A session actor made its end durable: the target's banner clears, dashboards lose the session, and
/// its notes are pushed when this node's write was the one that ended it (`written`).
void session_end_durable(registry_self self, const id& session_id, bool written);
/// A grant actor made its end durable: this node's dashboards lose the grant, and its notes are pushed
/// when this node's write was the one that ended it (`written`).
void grant_end_durable(registry_self self, const id& grant_id, bool written);

} // namespace actas::actors::detail
