#pragma once
/// Support access (SPEC §3): requests by vendor support staff, grants allowed by a realm's superadmins, the
/// temporary admin each grant lives with, and the per-portal access status.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "domain/model.hpp"
#include "domain/settings.hpp"
#include "domain/time.hpp"

namespace actas::domain {

enum class request_state { pending, granted, denied, cancelled, lapsed };
enum class grant_state { active, expired, revoked };

std::string_view to_string(request_state s);
std::optional<request_state> request_state_from_string(std::string_view name);
std::string_view to_string(grant_state s);
std::optional<grant_state> grant_state_from_string(std::string_view name);

struct support_request {
  id request_id;
  id support_user;
  id realm_id;
  std::vector<id> portals;
  std::string reason;
  std::string ticket;
  request_state state = request_state::pending;
  timestamp created_at{};
  timestamp lapses_at{};  ///< created_at + support.request_ttl_s
  std::optional<timestamp> decided_at;
  std::optional<id> decided_by;

  bool pending() const { return state == request_state::pending; }
};

struct support_grant {
  id grant_id;
  id request_id;
  id portal_id;
  id realm_id;
  id support_user;
  id temp_admin;  ///< the temporary admin user of this grant
  id granted_by;
  grant_state state = grant_state::active;
  timestamp created_at{};
  timestamp expires_at{};
  timestamp warn_at{};  ///< expires_at - support.warn_before_s (never before created_at)
  std::optional<timestamp> ended_at;
  std::optional<id> ended_by;

  bool active() const { return state == grant_state::active; }
};

/// A field-level refusal (400 invalid_request naming the field), or another code.
struct support_refusal {
  errc code = errc::invalid_request;
  std::string field;
  std::string message;
};

/// Bounds of a request's free text.
inline constexpr std::size_t max_support_reason = 500;
inline constexpr std::size_t max_ticket = 100;
inline constexpr std::size_t max_request_portals = 100;

/// POST /v1/support/requests by `caller`: a support user; one or more existing portals, all of one realm
/// (a request spanning two realms is invalid_request); reason (1–500) and ticket (1–100) required, no
/// control characters. On success returns nullopt and `realm_out` names the realm.
std::optional<support_refusal> check_request(const directory& dir, const user& caller, const std::vector<id>& portals,
                                             std::string_view reason, std::string_view ticket, id& realm_out);

/// POST /v1/support/grants by `caller` for `req`: a superadmin of the request's realm (not temporary);
/// the request pending; portals non-empty, distinct, all of that realm, none with an active grant
/// (`active_portals`); duration between 3600 and support.max_duration_s of the realm.
std::optional<support_refusal> check_grant(const directory& dir, const user& caller, const support_request& req,
                                           const std::vector<id>& portals, std::int64_t duration_s,
                                           const std::vector<id>& active_portals);

/// Whether `caller` is a superadmin (not temporary, active) of `realm_id`.
bool is_superadmin_of(const user& caller, const id& realm_id);

/// The temporary admin of a grant: an admin of exactly `portal_id` (not its sub-portals), named by the
/// server, without password; it lives as long as the grant.
user make_temp_admin(const directory& dir, const id& user_id, const id& portal_id, const id& grant_id,
                     const std::string& ticket);

/// Ends an active grant exactly once; an ended grant gives errc::session_ended and stays as it was.
std::optional<errc> end_grant(support_grant& g, grant_state how, timestamp at, std::optional<id> by);

/// One row of GET /v1/support/access.
struct access_row {
  id portal_id;
  std::string name;
  std::string state;  ///< none · requested · available · expired · revoked
  std::optional<timestamp> expires_at;
  std::optional<id> grant_id;
  std::optional<id> request_id;
};

/// The access status of every portal of a realm (top-level first), from the realm's grants (newest per
/// portal decides) and its pending requests: an active grant → available; else a pending request naming
/// the portal → requested; else the newest ended grant → expired / revoked; else none.
std::vector<access_row> access_status(const directory& dir, const id& realm_id,
                                      const std::vector<support_grant>& grants,
                                      const std::vector<support_request>& pending);

} // namespace actas::domain
