#pragma once
/// The values actors exchange. All of them stay inside one process (no caf_io), so they travel as
/// "unsafe" local message types instead of carrying 0.17 inspectors for every optional field.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/portal_tree.hpp"
#include "domain/audit.hpp"
#include "domain/dashboard.hpp"
#include "domain/errc.hpp"
#include "domain/introspection.hpp"
#include "domain/notification.hpp"
#include "domain/provisioning.hpp"
#include "domain/session.hpp"
#include "domain/support.hpp"
#include "domain/token.hpp"
#include "domain/user_change.hpp"
#include "domain/user_list.hpp"

namespace actas::actors {

using domain::id;

/// Who a bearer token speaks for.
struct principal {
  std::string token_hash;
  id user_id;                     ///< `sub`: the active account
  domain::token_kind kind = domain::token_kind::user;
  std::optional<id> session_id;   ///< impersonation tokens
  std::optional<id> grant_id;     ///< grant tokens and impersonations started under one
  std::optional<id> actor_id;     ///< `act`: who really acts, when not the subject
  domain::timestamp expires_at{};
};

struct auth_reply {
  std::optional<domain::errc> error;  ///< unauthenticated for unknown, revoked, expired or idle tokens
  principal who;
};

/// POST /v1/tokens {user} (service) and POST /v1/login: a fresh user token and its user.
struct mint_reply {
  std::optional<domain::errc> error;
  std::string token;  ///< the only time the token text exists outside the client
  principal who;
  domain::user user;
};

/// POST /v1/login {username, password}. Failed attempts are limited per username and per address
/// (rate_limited); unknown users, wrong passwords, inactive users and temporary admins all answer
/// unauthenticated alike.
struct login_command {
  std::string username;
  std::string password;
  std::string ip;
};

/// POST /v1/logout: nothing to say but whether it worked.
struct logout_reply {
  std::optional<domain::errc> error;
};

/// GET /metrics: what the registry counts at this moment (SPEC §10 actas_sessions_active, actas_grants_active).
struct counts_reply {
  std::optional<domain::errc> error;
  std::uint64_t sessions_active = 0;
  std::uint64_t grants_active = 0;
};

/// GET /v1/me: the active account, the real person when it is someone else (impersonator or support
/// user), and the running impersonation when the token is an impersonation token.
struct me_reply {
  std::optional<domain::errc> error;
  principal who;
  domain::user user;
  std::optional<domain::user> actor;
  std::optional<domain::impersonation_session> impersonation;
  /// The grant behind a grant token (or behind the temporary admin an impersonation was started by).
  std::optional<domain::support_grant> grant;
};

/// GET /v1/impersonations?state=active|ended (no state: both), newest first, within the caller's view.
struct sessions_query {
  std::optional<domain::session_state> state;
  int limit = 100;  ///< clamped to 1…500
};

struct sessions_reply {
  std::optional<domain::errc> error;
  std::vector<domain::impersonation_session> sessions;
};

/// GET /v1/audit: the registry sets `chain` from the caller (a superadmin: its realm; a sysadmin: the chain
/// it names, default "system"); everyone else is forbidden.
struct audit_reply {
  std::optional<domain::errc> error;
  std::vector<domain::audit_event> events;
};

/// GET /v1/audit/verify: the walk of the caller's chain.
struct verify_reply {
  std::optional<domain::errc> error;
  std::string chain;
  domain::verify_result result;
};

/// POST /v1/ws/ticket: a one-time ticket, valid 30 s, bound to the asking token.
struct ticket_reply {
  std::optional<domain::errc> error;
  std::string ticket;
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

// -- policy, provisioning and the platform's calls --

/// Who calls: a bearer token (by hash), or the platform with a service key net/ has already checked.
struct caller_ref {
  std::string token_hash;  ///< empty for a service call
  bool service = false;
  std::string ip;
};

/// A refusal that names the offending field (400 invalid_request), or another error code.
struct refusal {
  std::optional<domain::errc> error;
  std::string field;
  std::string message;
};

/// GET/PATCH /v1/portals/{id}/settings: the portal's effective settings and its own stored override.
struct settings_reply {
  refusal refused;
  id portal_id;
  domain::realm_settings effective;
  domain::settings_patch stored;
};

/// POST /v1/authorize {action, resource?}.
struct authorize_command {
  std::string token_hash;
  std::string action;
  std::optional<std::string> resource;
  std::string ip;
};

/// Always answered with 200: `allowed`, the rule `code` when not, who is active and who really acts.
struct authorize_reply {
  bool allowed = false;
  std::optional<domain::errc> code;
  std::optional<id> subject;
  std::optional<id> actor;
  /// The impersonation session and the support grant the token acts under (forward auth's headers).
  std::optional<id> session;
  std::optional<id> grant;
};

/// GET/PUT /v1/me/preferences: a JSON object as text.
struct prefs_reply {
  std::optional<domain::errc> error;
  std::string json;
};

/// GET /v1/notifications?unread= and POST /v1/notifications/{id}/read.
struct inbox_reply {
  std::optional<domain::errc> error;
  std::vector<domain::notification> items;
  std::int64_t unread = 0;
};

/// One row of GET /v1/users: the user and whether the caller could impersonate it now.
struct user_row {
  domain::user user;
  bool can_impersonate = false;
  std::optional<domain::errc> why_not;
};

struct users_reply {
  std::optional<domain::errc> error;
  std::vector<user_row> users;
};

/// POST /v1/users, PATCH /v1/users/{id}: the user as it now is.
struct user_reply {
  refusal refused;
  domain::user user;
};

/// POST /v1/realms and POST /v1/portals.
struct portal_reply {
  refusal refused;
  std::optional<domain::realm> realm;
  domain::portal portal;
};

/// POST /v1/introspect (RFC 7662 with the RFC 8693 actor chain).
struct introspect_reply {
  std::optional<domain::errc> error;
  domain::introspection result;
};

// -- support access (SPEC §3) --

/// POST /v1/support/requests {portals, reason, ticket}.
struct request_command {
  std::string token_hash;
  std::vector<id> portals;
  std::string reason;
  std::string ticket;
  std::string ip;
};

struct request_reply {
  refusal refused;
  domain::support_request request;
};

/// POST /v1/support/grants {request, portals, duration_s?}.
struct grant_command {
  std::string token_hash;
  id request_id;
  std::vector<id> portals;
  std::optional<std::int64_t> duration_s;
  std::string ip;
};

struct grants_reply {
  refusal refused;
  std::vector<domain::support_grant> grants;
};

/// GET /v1/support/access.
struct access_reply {
  std::optional<domain::errc> error;
  std::vector<domain::access_row> portals;
};

// -- live events: what actors push to a browser tab (net/ encodes them as WebSocket frames) --

/// First frame of every tab: who it speaks for and the unread count.
struct hello {
  principal who;
  domain::user user;
  std::optional<domain::user> actor;
  std::int64_t unread = 0;
};

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
  /// `support_request` banners (superadmins' tabs): the pending request.
  std::optional<domain::support_request> request;

  /// What the banner is about: the request for `support_request`, else the session.
  const id& key() const { return request ? request->request_id : session.session_id; }
};

struct banner_cleared {
  std::string kind;
  id session_id;  ///< the banner's key: a session id, or a request id for `support_request`
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

/// An event's wire text, made by the first socket that sends it and reused by every other socket the same
/// event goes to: one dashboard row reaches every admin tab in scope, and encoding it once per socket was
/// most of a fan-out's cost. The actors only carry it; net/ fills it.
struct shared_encoding {
  std::once_flag once;
  std::string text;
};

/// A row of the live dashboard appeared or changed (upsert) or left it (remove): exactly one of session,
/// request or grant is set.
struct dashboard_update {
  bool removed = false;
  std::optional<domain::impersonation_session> session;
  std::optional<domain::support_request> request;
  std::optional<domain::support_grant> grant;
  /// Set by the dashboard hub for a fan-out (shared by every copy); unset for one tab's snapshot rows.
  std::shared_ptr<shared_encoding> encoded = {};
};

/// One of the user's notifications was read (on any tab): every tab updates its bell.
struct notification_read {
  id notification_id;
  std::int64_t unread = 0;
};

/// An error frame ({type: "error", code}) for something the tab asked that it may not have.
struct error_frame {
  domain::errc code = domain::errc::forbidden;
};

/// Where a resumed tab stands (SPEC §6): it has every notification up to `after` (its client said so) and
/// was just sent `replayed`. A push of either is not sent to it again: a note another node wrote before the
/// tab moved here reaches this node's poll after the tab already has it.
struct resume_point {
  domain::timestamp after_at{};
  id after_id;
  std::vector<std::string> replayed;
  /// Whether `n` is one the tab already has.
  bool covers(const domain::notification& n) const {
    return std::tie(n.created_at, n.notification_id) <= std::tie(after_at, after_id);
  }
};

using live_event = std::variant<hello, notification_pushed, banner_set, banner_cleared, session_closed, socket_close,
                                dashboard_update, error_frame, notification_read>;

/// A one-shot timer request to the timer wheel: at wall time `at`, `client` gets (timeout, cookie).
struct timer_request {
  domain::timestamp at{};
  std::uint64_t cookie = 0;
};

/// One grant's end as the registry decided it (tokens dead, temporary admin tombstoned, sessions ended):
/// what its grant actor writes, only if the grant is still live in the database when the write runs
/// (another node holding the same grant may have ended it first).
struct grant_end {
  domain::support_grant grant;
  std::optional<domain::user> tombstone;  ///< the temporary admin, deleted
  std::vector<domain::notification> notes;
  domain::audit_event event;
};

/// One impersonation session's end as the registry decided it (its token dead, its actor and target free):
/// what the session's actor writes, only if the session is still active in the database when the write
/// runs (another node that loaded it may have ended it first).
struct session_end {
  domain::impersonation_session session;  ///< as ended
  std::vector<domain::notification> notes;
  domain::audit_event event;
};

/// A support request's close (deny, cancel or lapse) as the registry decided it on its caches: what the
/// request's actor writes, only if the request is still pending in the database and the caller (none for
/// a lapse) may still decide it there.
struct request_close {
  domain::support_request request;  ///< in its new state
  std::optional<id> caller_id;      ///< none for a lapse
  portal_tree tree;                 ///< the request's realm, to read the caller in
  std::vector<domain::notification> notes;
  domain::audit_event event;
};

/// How a close's transaction came out.
struct close_outcome {
  bool durable = false;            ///< the transaction committed (whether it wrote the close or not)
  std::optional<refusal> refused;  ///< not written, and why
  bool no_longer_pending = false;  ///< the database has the request decided (here or by another node)
};

} // namespace actas::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::principal)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::resume_point)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::request_close)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::close_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::auth_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::mint_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::start_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::start_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::end_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::end_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::find_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::login_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::logout_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::counts_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::me_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::sessions_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::sessions_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::audit_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::verify_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::ticket_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::audit_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::caller_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::settings_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::authorize_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::authorize_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::prefs_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::inbox_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::users_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::user_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::portal_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::introspect_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::settings_patch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::user_filter)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::user_patch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::new_user)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::new_realm)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::new_portal)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::request_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::request_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::grant_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::grants_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::access_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<actas::domain::id>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::dashboard_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<actas::actors::dashboard_update>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::dashboard_scope)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::live_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::timer_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::grant_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::session_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::domain::impersonation_session)
