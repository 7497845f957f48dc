#pragma once
/// The registry's handlers, split by concern over a few files (internal to actors/).
#include "actors/registry.hpp"

namespace actas::actors::detail {

/// Wall-clock now, from the actor's clock.
domain::timestamp now(registry_self self);

/// The user actor of `user_id`, spawned on first use.
user_actor user_actor_of(registry_self self, const id& user_id);

// -- tokens (registry_tokens.cpp) --
/// Resolves a token hash; unknown, revoked, expired and idle tokens are unauthenticated (and dropped).
auth_reply authenticate(registry_self self, const std::string& token_hash);
caf::result<mint_reply> mint_user_token(registry_self self, const id& user_id);
/// Writes a fresh user token for `u` and answers `rp` once it is durable.
void issue_user_token(registry_self self, const domain::user& u, caf::typed_response_promise<mint_reply> rp);
caf::result<logout_reply> logout(registry_self self, const std::string& token_hash, const std::string& ip);
ticket_reply issue_ticket(registry_self self, const std::string& token_hash);
auth_reply redeem_ticket(registry_self self, const std::string& ticket);
/// Tokens that died by time: their tabs close (1008) and the impersonations started with them end.
void sweep(registry_self self);
/// Ends, `actor_logged_out`, every session started with the user token `parent_hash`.
void end_sessions_of_token(registry_self self, const std::string& parent_hash,
                           std::function<void(bool)> all_written);

// -- password login (registry_login.cpp) --
caf::result<mint_reply> login(registry_self self, const login_command& cmd);
void password_checked(registry_self self, std::uint64_t attempt, bool matched);

// -- reads (registry_reads.cpp) --
me_reply me(registry_self self, const std::string& token_hash);
sessions_reply list_sessions(registry_self self, const std::string& token_hash, const sessions_query& q);
caf::result<audit_reply> audit(registry_self self, const std::string& token_hash, store::audit_query q);
caf::result<verify_reply> verify(registry_self self, const std::string& token_hash, const std::string& chain);
/// The first frame of a new tab.
hello hello_for(registry_self self, const principal& who);

// -- sessions (registry_sessions.cpp) --
caf::result<start_reply> start(registry_self self, const start_command& cmd);
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

/// Learns whether an end became durable, with the ended session.
using end_waiter = std::function<void(bool ok, const domain::impersonation_session&)>;

/// Ends a running session: at once its token dies and its actor and target are free again; its row,
/// notifications and audit event are written, and only then is it announced and `waiter` answered.
void finish(registry_self self, const id& session_id, ending how, end_waiter waiter);
/// Spawns session actors for the snapshot's sessions and ends those already overdue.
void resume(registry_self self, std::vector<domain::impersonation_session> sessions);
/// Writes again the ends the audit log refused.
void retry_unwritten(registry_self self);

} // namespace actas::actors::detail
