#pragma once
/// JSON forms of the API (SPEC §6): encoders for what the server answers and pushes, strict decoders for
/// what clients send. Decoders refuse non-objects, unknown fields and wrong types with a message naming
/// the field; they never judge content (reasons, return_to, messages are checked by the rules).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "actors/messages.hpp"
#include "domain/audit.hpp"
#include "domain/model.hpp"
#include "domain/notification.hpp"
#include "domain/session.hpp"
#include "domain/support.hpp"

namespace actas::net {

using json = nlohmann::json;

/// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string dump(const json& j);
/// The string, or JSON null when absent.
json or_null(const std::optional<std::string>& v);

/// {id, username, name, role, status, portal, realm, consents: {terms, privacy}, temporary}
json encode(const domain::user& u);
/// {id, actor, target, portal, realm, reason, return_to, state, started_at, expires_at, ended_at,
/// end_reason, via, grant}; absent values are null, times RFC 3339 UTC.
json encode(const domain::impersonation_session& s);
/// {id, kind, title, body, created_at, read}
json encode(const domain::notification& n);
/// Every field of SPEC §5, `detail` parsed back into JSON (null when empty).
json encode(const domain::audit_event& e);
/// {id, support_user, realm, portals, reason, ticket, state, created_at, lapses_at, decided_at, decided_by}
json encode(const domain::support_request& r);
/// {id, request, portal, realm, support_user, temp_admin, granted_by, state, created_at, expires_at,
/// ended_at, ended_by}
json encode(const domain::support_grant& g);
/// {ok, events, head, chain, first_bad_seq?, problem?}
json encode(const std::string& chain, const domain::verify_result& r);

/// The WebSocket frame of a live event, without `seq` (the connection numbers frames). `now` is the
/// wall-clock time of encoding (a banner's `seconds_left`). A socket_close is not a frame: nullopt.
std::optional<json> encode_frame(const actors::live_event& ev, domain::timestamp now);

/// Why a body or a frame was refused (400 invalid_request); the message names the field.
struct decode_error {
  std::string message;
};

template <class T>
using decoded = std::variant<T, decode_error>;

/// POST /v1/login {username, password}
struct login_body {
  std::string username;
  std::string password;
};
decoded<login_body> decode_login(std::string_view body);

/// POST /v1/impersonations {target, reason?, return_to?} (a missing reason is rule 12's to refuse).
struct start_body {
  std::string target;
  std::optional<std::string> reason;
  std::optional<std::string> return_to;
};
decoded<start_body> decode_start(std::string_view body);

/// POST /v1/impersonations/{id}/end {message?}; an empty body is allowed.
struct end_body {
  std::optional<std::string> message;
};
decoded<end_body> decode_end(std::string_view body);

/// POST /v1/tokens {user}
struct token_body {
  std::string user;
};
decoded<token_body> decode_token(std::string_view body);

/// Calls that take no fields (logout, ws ticket): an empty body or `{}`.
struct empty_body {};
decoded<empty_body> decode_empty(std::string_view body);

/// Client → server frames: {"type": "ping"} or {"type": "subscribe", "topic": "…"}.
struct ping_frame {};
struct subscribe_frame {
  std::string topic;
};
using client_frame = std::variant<ping_frame, subscribe_frame>;
decoded<client_frame> decode_client_frame(std::string_view text);

} // namespace actas::net
