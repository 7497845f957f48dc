#pragma once
/// Bearer tokens as actas keeps them (SPEC §1 "Tokens"): which kind, whose, until when. Only a token's
/// hash is ever kept; the token itself goes to its holder once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "domain/time.hpp"

namespace actas::domain {

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

} // namespace actas::domain
