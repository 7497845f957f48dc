#pragma once
/// Store-internal: the column lists of each table and the conversions from a row to a domain value.
/// A row that does not convert (an unknown enum name, settings JSON that no longer decodes) throws
/// std::runtime_error naming the table and the value: the file is damaged or from a newer build.
#include <string>

#include "domain/audit.hpp"
#include "domain/notification.hpp"
#include "domain/session.hpp"
#include "domain/settings.hpp"
#include "store/records.hpp"
#include "store/connection.hpp"

namespace actas::store::rows {

inline constexpr const char* user_columns =
  "user_id, username, display_name, role, status, home_portal, realm_id, consent_terms, consent_privacy, "
  "exact_scope, grant_id, last_seen_at";
domain::user read_user(const query& q);

inline constexpr const char* session_columns =
  "session_id, actor, target, portal, realm_id, grant_id, via, reason, return_to, state, started_at, "
  "expires_at, warn_at, ended_at, end_reason";
domain::impersonation_session read_session(const query& q);

inline constexpr const char* token_columns =
  "hash, user_id, kind, session_id, grant_id, actor_id, created_at, expires_at, idle_timeout_s, last_used_at, "
  "revoked_at, parent_hash";
token_record read_token(const query& q);

inline constexpr const char* request_columns =
  "request_id, support_user, realm_id, portals, reason, ticket, state, created_at, lapses_at, decided_at, decided_by";
domain::support_request read_request(const query& q);

inline constexpr const char* grant_columns =
  "grant_id, request_id, portal_id, realm_id, support_user, temp_admin, granted_by, state, created_at, expires_at, "
  "warn_at, ended_at, ended_by";
domain::support_grant read_grant(const query& q);

/// Portal ids joined with commas, and back.
std::string join_ids(const std::vector<domain::id>& ids);
std::vector<domain::id> split_ids(const std::string& text);

inline constexpr const char* notification_columns =
  "notification_id, user_id, kind, title, body, created_at, read";
domain::notification read_notification(const query& q);

inline constexpr const char* audit_columns =
  "chain, seq, at, event, performed_by, active_account, via, session, grant_id, portal, action, outcome, code, "
  "reason, ip, detail, prev_hash, hash";
domain::audit_event read_audit(const query& q);

/// The stored settings JSON of `portal_id` back into a patch.
domain::settings_patch read_settings(const std::string& portal_id, const std::string& json);

} // namespace actas::store::rows
