#include "domain/authorize.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "domain/restricted.hpp"

namespace actas::domain {

namespace {

// SPEC §1: "Temporary support admins cannot provision users or change roles, assignments, consents or
// settings"; provisioning realms and portals and deleting users are provisioning too. Status changes are
// not on SPEC's list, so they stay allowed here.
constexpr std::array<std::string_view, 10> temporary_admin_denied{
    "users.create",        "users.provision", "users.delete", "users.role", "users.assignments",
    "users.admin_portals", "users.consents",  "settings",     "realms",     "portals"};

constexpr std::array<std::string_view, 3> looks{"read", "view", "list"};

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// `action` is `name` or lies below it ("users.role.set" below "users.role").
bool at_or_below(std::string_view action, std::string_view name) {
  return action == name ||
         (action.size() > name.size() && action.starts_with(name) && action[name.size()] == '.');
}

std::string_view last_segment(std::string_view action) {
  const std::size_t dot = action.rfind('.');
  return dot == std::string_view::npos ? action : action.substr(dot + 1);
}

// The restricted list of the session's portal; defaults for a subject without any portal.
std::vector<std::string> restricted_for(const directory& dir, const authorize_context& ctx) {
  std::optional<id> portal = ctx.session_portal;
  if (!portal && ctx.subject) portal = ctx.subject->home_portal;
  return (portal ? dir.effective_settings(*portal) : default_settings()).impersonation.restricted_actions;
}

bool acting_as_temporary_admin(const authorize_context& ctx) {
  return ctx.temporary_admin || (ctx.subject && ctx.subject->is_temporary());
}

authorize_decision deny(errc code) { return {false, code}; }

} // namespace

bool valid_action(std::string_view action) {
  if (action.empty() || action.size() > max_action_length) return false;
  if (action.front() == '.' || action.back() == '.' || action.find("..") != std::string_view::npos) return false;
  return std::all_of(action.begin(), action.end(), [](char c) { return c == '.' || is_name_char(c); });
}

bool denied_to_temporary_admins(std::string_view action) {
  if (std::find(looks.begin(), looks.end(), last_segment(action)) != looks.end()) return false;
  return std::any_of(temporary_admin_denied.begin(), temporary_admin_denied.end(),
                     [&](std::string_view name) { return at_or_below(action, name); });
}

authorize_decision authorize(const directory& dir, const authorize_context& ctx, std::string_view action) {
  if (!valid_action(action)) return deny(errc::invalid_request);
  if (ctx.impersonating && is_restricted(restricted_for(dir, ctx), action))
    return deny(errc::restricted_while_impersonating);
  if (acting_as_temporary_admin(ctx) && denied_to_temporary_admins(action)) return deny(errc::forbidden);
  return {true, std::nullopt};
}

bool must_audit(const authorize_context& ctx, const authorize_decision& decision) {
  return !decision.allowed || ctx.impersonating || acting_as_temporary_admin(ctx);
}

} // namespace actas::domain
