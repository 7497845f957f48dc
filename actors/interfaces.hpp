#pragma once
/// Every typed actor handle of actas, one comment per handler. net/ sees actors only through this file.
#include <cstdint>
#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/idempotency_types.hpp"
#include "actors/messages.hpp"

namespace actas::actors {

/// What the timer wheel calls back: (timeout, cookie) at the requested wall time.
using timer_client_actor = caf::typed_actor<caf::reacts_to<timeout_atom, std::uint64_t>>;

/// One per pending support request: its state machine, its lapse and its close. It is the one place that
/// writes a deny, a cancel or a lapse; an allow (written with its grants by the registry) takes the request
/// from it first, so one decision at a time leaves this node for the writer.
using request_actor = caf::typed_actor<
  // From the timer wheel: cookie 10 = the request lapses.
  caf::reacts_to<timeout_atom, std::uint64_t>,
  // From the registry, for an allow: true = taken; false while another decision is in flight, or closed.
  caf::replies_to<take_atom>::with<bool>,
  // From the registry: the allow that took the request came back unwritten; it is pending again.
  caf::reacts_to<release_atom>,
  // From the registry: a deny, a cancel or a lapse as it decided it. Answered with how its transaction
  // came out; refused `session_ended` at once while another decision is in flight.
  caf::replies_to<close_atom, request_close>::with<close_outcome>,
  // From the writer: job n of this actor committed (ok) or not.
  caf::reacts_to<committed_atom, std::uint64_t, bool>,
  // Self-sent: ask for a lapse again after the audit log refused it.
  caf::reacts_to<retry_atom>,
  // From the registry, once the request is decided and announced: quit.
  caf::reacts_to<stop_atom>>;

/// One browser tab's proxy (owned by net/, holds a weak pointer to the connection).
using socket_actor = caf::typed_actor<
  // A live event to encode and send as one frame (or a close).
  caf::reacts_to<live_event>>;

/// The deadline service: one heap of wall-clock deadlines, one armed CAF timer for the earliest.
using timer_actor = caf::typed_actor<
  // Wake `client` with (timeout, cookie) at `request.at` (at once when it already passed).
  caf::reacts_to<schedule_atom, timer_request, timer_client_actor>,
  // Self-sent: the armed timer of generation N is due.
  caf::reacts_to<tick_atom, std::uint64_t>>;

/// One per user: that user's own tabs and the banners that apply to them.
using user_actor = caf::typed_actor<
  // A tab opened with one of this user's own tokens; it gets the current banners at once.
  caf::reacts_to<attach_atom, socket_actor, std::string>,
  // The same for a tab that resumed (SPEC §6): what it has, which no push sends it twice.
  caf::reacts_to<attach_atom, socket_actor, std::string, resume_point>,
  // Deliver to every own tab; banner_set / banner_cleared also update the banner state.
  caf::reacts_to<push_atom, live_event>,
  // The token with this hash died: close its tabs with this code (1008).
  caf::reacts_to<drop_atom, std::string, std::uint16_t>>;

/// One per impersonation session: its deadlines, its impersonation tabs and its end. The registry decides
/// the end on its caches; this actor is the one place that writes it, again until it is durable, then
/// closes its tabs and reports it durable once.
using impersonation_actor = caf::typed_actor<
  // From the timer wheel: cookie 1 = ending_soon is due, cookie 2 = the session expired.
  caf::reacts_to<timeout_atom, std::uint64_t>,
  // A tab opened with this session's impersonation token; it gets `impersonating` (and `ending_soon`).
  caf::reacts_to<attach_atom, socket_actor, std::string>,
  // From the registry: close this session's tabs with `code` (1012 while the node is stale, SPEC §8).
  caf::reacts_to<drop_atom, std::string, std::uint16_t>,
  // From the registry: the end it decided. Answered with how the next write came out: (durable, this
  // node's write ended the session; false when another node had ended it first).
  caf::replies_to<end_atom, session_end>::with<bool, bool>,
  // From the writer: job n of this actor committed (ok) or not.
  caf::reacts_to<committed_atom, std::uint64_t, bool>,
  // Self-sent: write again an end the audit log refused.
  caf::reacts_to<retry_atom>,
  // From the registry, once it announced the durable end: quit.
  caf::reacts_to<stop_atom>>;

/// One per active support grant: its deadlines and its end. The registry decides the end on its caches;
/// this actor is the one place that writes it, again until it is durable, and reports it durable once.
using grant_actor = caf::typed_actor<
  // From the timer wheel: the warning (11) or the expiry (12) is due; forwarded to the registry as `due`.
  caf::reacts_to<timeout_atom, std::uint64_t>,
  // From the registry: the end it decided. Answered with how the next write came out: (durable, this
  // node's write ended the grant; false when another node had ended it first).
  caf::replies_to<end_atom, grant_end>::with<bool, bool>,
  // A repeat revoke: write now unless a write is in flight; answered like the first.
  caf::replies_to<end_atom>::with<bool, bool>,
  // From the writer: job n of this actor committed (ok) or not.
  caf::reacts_to<committed_atom, std::uint64_t, bool>,
  // Self-sent: write again an end the audit log refused.
  caf::reacts_to<retry_atom>,
  // From the registry, once it announced the durable end: quit.
  caf::reacts_to<stop_atom>>;

/// The live dashboard: subscribed tabs with their scopes; every change is published once and reaches the
/// tabs whose scope holds it.
using dashboard_actor = caf::typed_actor<
  // A tab subscribes with its scope; it gets `snapshot` (already filtered) first, then live updates.
  caf::reacts_to<subscribe_atom, socket_actor, domain::dashboard_scope, std::vector<dashboard_update>>,
  // A session, request or grant appeared, changed or left.
  caf::reacts_to<publish_atom, dashboard_update>,
  // The tab's user changed: it gets `diff` (rows lost and gained), then sees `scope` from now on; when
  // `keep` is false the subscription ends with a `forbidden` error frame.
  caf::reacts_to<rescope_atom, socket_actor, bool, domain::dashboard_scope, std::vector<dashboard_update>>>;

/// Reads the audit log on a connection and a thread of its own, so a long verify never stalls decisions.
using reader_actor = caf::typed_actor<
  // Events of one chain matching the filters (the registry has already checked who may read it).
  caf::replies_to<audit_atom, domain::audit_query>::with<audit_reply>,
  // Walks a whole chain.
  caf::replies_to<verify_atom, std::string>::with<verify_reply>>;

/// Keeps the first answer to each (caller, Idempotency-Key) for 24 h on a connection of its own.
using idempotency_actor = caf::typed_actor<
  // A request with a key arrived: proceed (it is now in flight), replay the first answer, or refuse it.
  caf::replies_to<claim_atom, idem_claim>::with<idem_ruling>,
  // The claimed request was answered: keep the answer (true once durable) or, for a 5xx, forget the claim.
  caf::replies_to<settle_atom, idem_answer>::with<bool>,
  // From the writer: job n of this actor committed (ok) or not.
  caf::reacts_to<committed_atom, std::uint64_t, bool>>;

/// The one place that decides: directory, tokens, running sessions; every change goes through it.
using registry_actor = caf::typed_actor<
  // Resolve a bearer token (by hash) to who it speaks for; touches its idle timer.
  caf::replies_to<auth_atom, std::string>::with<auth_reply>,
  // Mint a user token for a user id (service key callers; temporary admins are refused).
  caf::replies_to<mint_atom, id>::with<mint_reply>,
  // Start an impersonation: the 13 rules, then a durable session, token, notification and audit event.
  caf::replies_to<start_atom, start_command>::with<start_reply>,
  // End an impersonation by id (who may end: SPEC §2).
  caf::replies_to<end_atom, end_command>::with<end_reply>,
  // Read one session (token hash of the caller, session id) if the caller may see it.
  caf::replies_to<find_atom, std::string, id>::with<find_reply>,
  // From a session actor: its deadline passed.
  caf::reacts_to<expire_atom, id>,
  // Route a new tab (token hash) to the user actor or the impersonation actor it belongs to.
  caf::reacts_to<attach_atom, socket_actor, std::string>,
  // The same for a tab that reconnected with `resume=<notification id>` (SPEC §6): first every notification
  // of its user after that one, in order, then live frames.
  caf::reacts_to<attach_atom, socket_actor, std::string, std::string>,
  // Self-sent by the writer's callback: job N committed (true) or rolled back (false).
  caf::reacts_to<committed_atom, std::uint64_t, bool>,
  // Password login: rate limits, then the password check on a thread of its own, then a user token.
  caf::replies_to<login_atom, login_command>::with<mint_reply>,
  // From a password checker: login attempt N's password matched (true) or not.
  caf::reacts_to<checked_atom, std::uint64_t, bool>,
  // End the token (token hash, client address); an impersonation token also ends its session
  // `ended_by_actor`, a user token ends the impersonations started with it `actor_logged_out`.
  caf::replies_to<logout_atom, std::string, std::string>::with<logout_reply>,
  // Who is this token (token hash)?
  caf::replies_to<me_atom, std::string>::with<me_reply>,
  // Sessions the caller (token hash) may see.
  caf::replies_to<list_atom, std::string, sessions_query>::with<sessions_reply>,
  // Audit events of the caller's chain (token hash, filters; the chain field names a chain for sysadmins).
  caf::replies_to<audit_atom, std::string, domain::audit_query>::with<audit_reply>,
  // Verify the caller's chain (token hash, chain wanted by a sysadmin or empty).
  caf::replies_to<verify_atom, std::string, std::string>::with<verify_reply>,
  // A one-time WebSocket ticket for this token (hash).
  caf::replies_to<ticket_atom, std::string>::with<ticket_reply>,
  // Redeem a ticket once: who the new socket speaks for (its `token_hash` is then used to attach).
  caf::replies_to<redeem_atom, std::string>::with<auth_reply>,
  // Self-sent every few seconds: tokens that died by time close their tabs, and their impersonations end.
  caf::reacts_to<sweep_atom>,
  // Self-sent every `follow_every` on a shared database: end here what another node ended.
  caf::reacts_to<follow_atom>,
  // Answers once every other live node has followed past this moment, or once a node that has not could
  // no longer accept anything (it is stale by then): what a change that kills a token or ends a session or
  // grant waits for before its answer (SPEC §8). At once on a database of its own.
  caf::replies_to<settled_atom>::with<bool>,
  // The doorbell rang (another node, or this one, committed): follow the other nodes now (coalesced).
  caf::reacts_to<ring_atom>,
  // Self-sent: the round a ring asked for, once the gap since the last one has passed.
  caf::reacts_to<ring_atom, follow_atom>,
  // Self-sent while changes wait for settled_atom: ask the other nodes' progress again.
  caf::reacts_to<settled_atom, follow_atom>,
  // A portal's settings (read: admins in scope).
  caf::replies_to<settings_atom, caller_ref, id>::with<settings_reply>,
  // Change a portal's settings (superadmins; sub-portals only tighten); running sessions the new settings
  // refuse end `actor_revoked` before the answer.
  caf::replies_to<settings_atom, caller_ref, id, domain::settings_patch>::with<settings_reply>,
  // May this token do this action now? Decisions under impersonation or grant tokens, and all denials,
  // are durable in the audit log before the answer.
  caf::replies_to<authorize_atom, authorize_command>::with<authorize_reply>,
  // The caller's preferences (an impersonation reads its overlay, falling back to the target's own).
  caf::replies_to<prefs_atom, std::string>::with<prefs_reply>,
  // Replace the caller's preferences (an impersonation writes only its overlay, discarded at its end).
  caf::replies_to<prefs_atom, std::string, std::string>::with<prefs_reply>,
  // The caller's inbox (token hash, unread only, limit).
  caf::replies_to<inbox_atom, std::string, bool, std::int32_t>::with<inbox_reply>,
  // Mark one notification read (token hash, id); under an impersonation it stays unread.
  caf::replies_to<read_atom, std::string, id>::with<inbox_reply>,
  // Users the caller may see, with can_impersonate / why_not per row.
  caf::replies_to<users_atom, caller_ref, domain::user_filter, std::int32_t>::with<users_reply>,
  // Provision a user (service key, or an admin within its scope).
  caf::replies_to<create_atom, caller_ref, domain::new_user>::with<user_reply>,
  // Change a user (SPEC §1 who-may-change-what); sessions it invalidates end before the answer.
  caf::replies_to<update_atom, caller_ref, id, domain::user_patch>::with<user_reply>,
  // Provision a realm with its top-level portal (service key).
  caf::replies_to<realm_atom, caller_ref, domain::new_realm>::with<portal_reply>,
  // Provision a sub-portal (service key).
  caf::replies_to<portal_atom, caller_ref, domain::new_portal>::with<portal_reply>,
  // Introspect a token by hash (service key): RFC 7662 shape, {active:false} for anything not live.
  caf::replies_to<introspect_atom, caller_ref, std::string>::with<introspect_reply>,
  // GET /metrics: the sessions and grants this node runs; for a sysadmin or a metrics key (service = true).
  caf::replies_to<metrics_atom, caller_ref>::with<counts_reply>,
  // A support user asks for access; every superadmin of the realm sees a banner and a notification.
  caf::replies_to<request_atom, request_command>::with<request_reply>,
  // A superadmin denies a pending request (token hash, request id, address).
  caf::replies_to<deny_atom, std::string, id, std::string>::with<request_reply>,
  // The requesting support user cancels it (token hash, request id, address).
  caf::replies_to<cancel_atom, std::string, id, std::string>::with<request_reply>,
  // A superadmin allows: one grant and one temporary admin per portal.
  caf::replies_to<grant_atom, grant_command>::with<grants_reply>,
  // A superadmin revokes one or many grants (token hash, grant ids, address); everything of the temporary
  // admins ends before the answer.
  caf::replies_to<revoke_atom, std::string, std::vector<id>, std::string>::with<grants_reply>,
  // The requesting support user's token for a grant's temporary admin (token hash, grant id).
  caf::replies_to<gtoken_atom, std::string, id>::with<mint_reply>,
  // The access status of every portal of the caller's realm (superadmins).
  caf::replies_to<access_atom, std::string>::with<access_reply>,
  // A grant's access log (token hash, grant id): its events on the realm's chain.
  caf::replies_to<glog_atom, std::string, id>::with<audit_reply>,
  // From a request's or a grant's actor: request lapse (cookie 10), grant warning (11) or expiry (12).
  caf::reacts_to<due_atom, id, std::uint64_t>,
  // From a session's or a grant's actor: its end is durable (id, whether this node's write ended it); the
  // registry announces it (banners, dashboards; the notes, when its write was the one that ended it).
  caf::reacts_to<ended_atom, id, bool>,
  // A tab (opened with this token hash) asks for the dashboard: admins get a snapshot and live updates
  // within their scope, everyone else an error frame.
  caf::reacts_to<subscribe_atom, socket_actor, std::string>,
  // A support user's own active grants (token hash): where it can open a temporary admin session.
  caf::replies_to<mygrants_atom, std::string>::with<grants_reply>>;

} // namespace actas::actors
