#include "domain/support.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "domain/text.hpp"

namespace actas::domain {

namespace {

template <class E, std::size_t N>
std::optional<E> parse(std::string_view name, const std::array<std::pair<E, std::string_view>, N>& table) {
  for (const auto& [value, text] : table)
    if (text == name)
      return value;
  return std::nullopt;
}

constexpr std::array<std::pair<request_state, std::string_view>, 5> request_names{{
  {request_state::pending, "pending"},
  {request_state::granted, "granted"},
  {request_state::denied, "denied"},
  {request_state::cancelled, "cancelled"},
  {request_state::lapsed, "lapsed"},
}};

constexpr std::array<std::pair<grant_state, std::string_view>, 3> grant_names{{
  {grant_state::active, "active"},
  {grant_state::expired, "expired"},
  {grant_state::revoked, "revoked"},
}};

support_refusal field_refusal(std::string field, std::string message) {
  return {errc::invalid_request, std::move(field), std::move(message)};
}

} // namespace

std::string_view to_string(request_state s) {
  for (const auto& [value, text] : request_names)
    if (value == s)
      return text;
  return "pending";
}

std::optional<request_state> request_state_from_string(std::string_view name) { return parse(name, request_names); }

std::string_view to_string(grant_state s) {
  for (const auto& [value, text] : grant_names)
    if (value == s)
      return text;
  return "active";
}

std::optional<grant_state> grant_state_from_string(std::string_view name) { return parse(name, grant_names); }

bool is_superadmin_of(const user& caller, const id& realm_id) {
  return caller.user_role == role::superadmin && !caller.is_temporary() && caller.status == user_status::active &&
         caller.realm_id == realm_id;
}

std::optional<support_refusal> check_request(const directory& dir, const user& caller, const std::vector<id>& portals,
                                             std::string_view reason, std::string_view ticket, id& realm_out) {
  if (caller.user_role != role::support || caller.status != user_status::active)
    return support_refusal{errc::permission_missing, {}, "only vendor support staff request access"};
  if (portals.empty() || portals.size() > max_request_portals)
    return field_refusal("portals", "name between 1 and 100 portals");
  std::optional<id> realm;
  std::set<id> seen;
  for (const auto& p : portals) {
    const auto* found = dir.find_portal(p);
    if (!found)
      return field_refusal("portals", "no such portal: " + truncate_code_points(p, 100, "…"));
    if (!seen.insert(p).second)
      return field_refusal("portals", "portal named twice: " + p);
    if (realm && *realm != found->realm_id)
      return field_refusal("portals", "all portals of a request must belong to one customer");
    realm = found->realm_id;
  }
  if (!accept_text(reason, 1, max_support_reason))
    return field_refusal("reason", "a reason of 1 to 500 characters without control characters is required");
  if (!accept_text(ticket, 1, max_ticket))
    return field_refusal("ticket", "a ticket reference of 1 to 100 characters without control characters is required");
  realm_out = *realm;
  return std::nullopt;
}

std::optional<support_refusal> check_grant(const directory& dir, const user& caller, const support_request& req,
                                           const std::vector<id>& portals, std::int64_t duration_s,
                                           const std::vector<id>& active_portals) {
  if (!is_superadmin_of(caller, req.realm_id))
    return support_refusal{caller.user_role == role::superadmin ? errc::not_found : errc::permission_missing, {},
                           "only the customer's top-level admins allow support access"};
  if (!req.pending())
    return support_refusal{errc::session_ended, {}, "the request is no longer pending"};
  if (portals.empty() || portals.size() > max_request_portals)
    return field_refusal("portals", "name between 1 and 100 portals");
  std::set<id> seen;
  for (const auto& p : portals) {
    const auto* found = dir.find_portal(p);
    if (!found || found->realm_id != req.realm_id)
      return field_refusal("portals", "no such portal in this customer: " + truncate_code_points(p, 100, "…"));
    if (!seen.insert(p).second)
      return field_refusal("portals", "portal named twice: " + p);
    if (std::find(active_portals.begin(), active_portals.end(), p) != active_portals.end())
      return field_refusal("portals", "portal already has an active grant: " + p);
  }
  const auto* realm = dir.find_realm(req.realm_id);
  auto max = realm ? dir.effective_settings(realm->top_portal).support.max_duration_s : support_settings{}.max_duration_s;
  if (duration_s < 3600 || duration_s > max)
    return field_refusal("duration_s", "between 3600 and " + std::to_string(max) + " seconds");
  return std::nullopt;
}

user make_temp_admin(const directory& dir, const id& user_id, const id& portal_id, const id& grant_id,
                     const std::string& ticket) {
  user u;
  u.user_id = user_id;
  // The suffix of the id keeps names unique; the ticket says why the account exists.
  u.username = "support-" + user_id.substr(user_id.size() > 8 ? user_id.size() - 8 : 0);
  u.display_name = "Vendor support (" + ticket + ")";
  u.user_role = role::admin;
  u.status = user_status::active;
  u.home_portal = portal_id;
  const auto* p = dir.find_portal(portal_id);
  if (p)
    u.realm_id = p->realm_id;
  u.admin_portals = {portal_id};
  u.exact_scope = true;
  u.grant_id = grant_id;
  u.accepted = {true, true};
  return u;
}

std::optional<errc> end_grant(support_grant& g, grant_state how, timestamp at, std::optional<id> by) {
  if (!g.active())
    return errc::session_ended;
  g.state = how;
  g.ended_at = at;
  g.ended_by = std::move(by);
  return std::nullopt;
}

std::vector<access_row> access_status(const directory& dir, const id& realm_id,
                                      const std::vector<support_grant>& grants,
                                      const std::vector<support_request>& pending) {
  std::vector<access_row> rows;
  for (const auto& portal_id : dir.realm_portals(realm_id)) {
    access_row row;
    row.portal_id = portal_id;
    row.name = dir.find_portal(portal_id)->name;
    row.state = "none";
    // The active grant decides; without one, the newest ended grant.
    const support_grant* newest = nullptr;
    for (const auto& g : grants) {
      if (g.portal_id != portal_id)
        continue;
      bool better = !newest || (g.active() && !newest->active()) ||
                    (g.active() == newest->active() && g.created_at > newest->created_at);
      if (better)
        newest = &g;
    }
    const support_request* asked = nullptr;
    for (const auto& r : pending)
      if (r.pending() && std::find(r.portals.begin(), r.portals.end(), portal_id) != r.portals.end())
        asked = &r;
    if (newest && newest->active()) {
      row.state = "available";
      row.expires_at = newest->expires_at;
    } else if (asked) {
      row.state = "requested";
    } else if (newest) {
      row.state = std::string{to_string(newest->state)};
      row.expires_at = newest->ended_at;
    }
    if (newest)
      row.grant_id = newest->grant_id;
    if (asked)
      row.request_id = asked->request_id;
    rows.push_back(std::move(row));
  }
  return rows;
}

} // namespace actas::domain
