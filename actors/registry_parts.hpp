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
