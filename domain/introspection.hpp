#pragma once
/// POST /v1/introspect as values: the RFC 7662 answer with the RFC 8693 `act` chain (SPEC §3.3, §6).
#include <optional>
#include <vector>

#include "domain/model.hpp"
#include "domain/time.hpp"
#include "domain/token.hpp"

namespace actas::domain {

/// One `act` level: who really acts, and the impersonation session when there is one.
struct actor_link {
  id sub;
  std::optional<id> sid;
  friend bool operator==(const actor_link&, const actor_link&) = default;
};

/// `{active, sub, act: {sub, sid, act?}, exp, portal}` plus RFC 7662's `token_type` (always
/// `access_token`), `iat` and `username` (SPEC §9). `act` is the nesting flattened, nearest real actor
/// first: act[0] is the outer `act`, act[1] the `act` inside it, and so on. Inactive tokens are
/// `{active: false}` and nothing else (every other field empty).
struct introspection {
  bool active = false;
  id sub;
  std::string username;  ///< the subject's username (`sub` is its id)
  std::vector<actor_link> act;
  timestamp iat{};
  timestamp exp{};
  std::optional<id> portal;
};

/// The facts the registry holds about a live token.
struct token_facts {
  bool active = false;  ///< known, unexpired, not idle, not revoked
  token_kind kind = token_kind::user;
  const user* subject = nullptr;     ///< `sub`: the target of an impersonation, the temporary admin of a grant
  std::optional<id> session_id;      ///< impersonation tokens
  std::optional<id> actor_id;        ///< the impersonator (impersonation tokens)
  std::optional<id> via;             ///< the support user behind a temporary admin (grant tokens, and
                                     ///< impersonations a temporary admin started)
  std::optional<id> session_portal;  ///< the session's portal; otherwise the subject's home portal
  timestamp expires_at{};
  timestamp issued_at{};  ///< `iat`: when the token was made
};

/// A user token: no `act`. A grant token: act = [{support user}]. An impersonation: act = [{actor, sid}],
/// and when the actor is a temporary admin, [{temp admin, sid}, {support user}] (learner ← temp admin ←
/// support user). Facts that cannot name a subject, or an impersonation without its actor, or a grant
/// without its support user, give `{active: false}`: an answer never hides who really acts.
introspection introspect_token(const token_facts& facts);

} // namespace actas::domain
