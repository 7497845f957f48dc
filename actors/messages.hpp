#pragma once
/// The values actors exchange. All of them stay inside one process (no caf_io), so they travel as
/// "unsafe" local message types instead of carrying 0.17 inspectors for every optional field.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <caf/allowed_unsafe_message_type.hpp>

#include "domain/errc.hpp"
#include "domain/notification.hpp"
#include "domain/session.hpp"
#include "store/records.hpp"

namespace actas::actors {

using domain::id;

/// Who a bearer token speaks for.
struct principal {
  std::string token_hash;
  id user_id;                     ///< `sub`: the active account
  store::token_kind kind = store::token_kind::user;
  std::optional<id> session_id;   ///< impersonation tokens
  std::optional<id> grant_id;     ///< grant tokens and impersonations started under one
  std::optional<id> actor_id;     ///< `act`: who really acts, when not the subject
  domain::timestamp expires_at{};
};

struct auth_reply {
  std::optional<domain::errc> error;  ///< unauthenticated for unknown, revoked, expired or idle tokens
  principal who;
};

/// POST /v1/tokens {user} (service) and password login: a fresh user token.
struct mint_reply {
  std::optional<domain::errc> error;
  std::string token;  ///< the only time the token text exists outside the client
  principal who;
};

/// POST /v1/impersonations.
struct start_command {
  std::string token_hash;
  id target;
  std::optional<std::string> reason;
  std::optional<std::string> return_to;
  std::string ip;
};

struct start_reply {
  std::optional<domain::errc> error;
  domain::impersonation_session session;
  std::string token;
};

/// POST /v1/impersonations/{id}/end.
struct end_command {
  std::string token_hash;
  id session_id;
  std::optional<std::string> message;
  std::string ip;
};

struct end_reply {
  std::optional<domain::errc> error;
  domain::impersonation_session session;
};

/// GET /v1/impersonations/{id}.
struct find_reply {
  std::optional<domain::errc> error;
  domain::impersonation_session session;
};

// -- live events: what actors push to a browser tab (net/ encodes them as WebSocket frames) --

/// A new inbox item, with the user's unread count after it.
struct notification_pushed {
  domain::notification item;
  std::int64_t unread = 0;
};

/// A banner that applies to a tab: `impersonating` and `ending_soon` on impersonation tabs,
/// `being_viewed` on the target's own tabs.
struct banner_set {
  std::string kind;
  domain::impersonation_session session;
  std::string actor_name;
  std::string target_name;
};

struct banner_cleared {
  std::string kind;
  id session_id;
};

/// The impersonation a tab belongs to ended; the tab is closed after this frame.
struct session_closed {
  domain::impersonation_session session;
};

/// Close the socket with a WebSocket close code (1008: its token died).
struct socket_close {
  std::uint16_t code = 1000;
  std::string why;
};

using live_event = std::variant<notification_pushed, banner_set, banner_cleared, session_closed, socket_close>;

/// A one-shot timer request to the timer wheel: at wall time `at`, `client` gets (timeout, cookie).
struct timer_request {
  domain::timestamp at{};
  std::uint64_t cookie = 0;
};

} // namespace actas::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::principal)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::auth_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::mint_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::start_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::start_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::end_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::end_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::find_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::live_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::timer_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::impersonation_session)
