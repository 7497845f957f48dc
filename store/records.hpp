#pragma once
/// What the store keeps besides domain values: tokens, and the snapshot loaded at start.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit.hpp"
#include "domain/model.hpp"
#include "domain/session.hpp"
#include "domain/settings.hpp"
#include "domain/support.hpp"
#include "domain/time.hpp"

namespace actas::store {

using domain::id;
using domain::timestamp;

enum class token_kind { user, impersonation, grant };
std::string_view to_string(token_kind k);
/// Inverse of to_string; nullopt for an unknown name.
std::optional<token_kind> token_kind_from_string(std::string_view name);

/// A bearer token as stored: only its hash (crypto::token_hash) is ever written.
struct token_record {
  std::string hash;
  id user_id;                    ///< the token's subject
  token_kind kind = token_kind::user;
  std::optional<id> session_id;  ///< impersonation tokens: the session
  std::optional<id> grant_id;    ///< grant tokens: the grant
  std::optional<id> actor_id;    ///< who really acts (impersonator or support user)
  timestamp created_at{};
  timestamp expires_at{};        ///< absolute end (12 h for user tokens by default)
  std::int64_t idle_timeout_s = 3600;
  timestamp last_used_at{};
  std::optional<timestamp> revoked_at;
  /// Impersonation tokens: the hash of the user token the session was started with.
  std::optional<std::string> parent_hash;
};

/// Everything the registry needs in memory, read once at start.
struct snapshot {
  std::vector<domain::realm> realms;
  std::vector<domain::portal> portals;        ///< parents before children
  std::vector<domain::user> users;            ///< tombstones included
  std::map<id, domain::settings_patch> settings;
  std::vector<domain::impersonation_session> active_sessions;
  std::vector<token_record> live_tokens;      ///< not revoked, not past expires_at at load time
  std::vector<domain::support_request> pending_requests;
  std::vector<domain::support_grant> active_grants;
};

/// Filters of GET /v1/audit (SPEC §6); `limit` is bounded by the caller.
struct audit_query {
  std::string chain;
  std::optional<id> portal, session, grant, performed_by, active_account;
  std::int64_t after_seq = 0;
  std::int64_t limit = 100;
};

} // namespace actas::store
