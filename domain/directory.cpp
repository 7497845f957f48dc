#include "domain/directory.hpp"

#include <algorithm>
#include <iterator>

namespace actas::domain {

void directory::put_realm(realm r) {
  const id key = r.realm_id;
  realms_[key] = std::move(r);
}

void directory::put_portal(portal p) {
  const id key = p.portal_id;
  portals_[key] = std::move(p);
}

void directory::put_user(user u) {
  // A renamed user must not stay reachable under its old name.
  if (const auto old = users_.find(u.user_id); old != users_.end() && old->second.username != u.username)
    user_by_name_.erase(old->second.username);
  user_by_name_[u.username] = u.user_id;
  const id key = u.user_id;
  users_[key] = std::move(u);
}

void directory::put_settings(const id& portal_id, settings_patch patch) {
  if (patch.empty())
    settings_.erase(portal_id);
  else
    settings_[portal_id] = std::move(patch);
}

const realm* directory::find_realm(const id& realm_id) const {
  const auto it = realms_.find(realm_id);
  return it == realms_.end() ? nullptr : &it->second;
}

const portal* directory::find_portal(const id& portal_id) const {
  const auto it = portals_.find(portal_id);
  return it == portals_.end() ? nullptr : &it->second;
}

const user* directory::find_user(const id& user_id) const {
  const auto it = users_.find(user_id);
  return it == users_.end() ? nullptr : &it->second;
}

const user* directory::find_username(const std::string& username) const {
  const auto it = user_by_name_.find(username);
  return it == user_by_name_.end() ? nullptr : find_user(it->second);
}

const settings_patch& directory::settings_override(const id& portal_id) const {
  static const settings_patch none;
  const auto it = settings_.find(portal_id);
  return it == settings_.end() ? none : it->second;
}

std::vector<id> directory::path_to_top(const id& portal_id) const {
  std::vector<id> path;
  const portal* p = find_portal(portal_id);
  // Bounded by the number of portals, so a corrupted parent cycle cannot loop forever.
  while (p && path.size() <= portals_.size()) {
    path.push_back(p->portal_id);
    p = p->parent ? find_portal(*p->parent) : nullptr;
  }
  return path;
}

bool directory::within(const id& p, const id& ancestor) const {
  const auto path = path_to_top(p);
  return std::find(path.begin(), path.end(), ancestor) != path.end();
}

std::vector<id> directory::realm_portals(const id& realm_id) const {
  std::vector<id> order;
  const realm* r = find_realm(realm_id);
  if (!r || !find_portal(r->top_portal)) return order;
  // Breadth first from the top: every parent is listed before its children.
  order.push_back(r->top_portal);
  for (std::size_t next = 0; next < order.size(); ++next)
    for (const auto& [pid, p] : portals_)
      if (p.parent == order[next] && p.realm_id == realm_id &&
          std::find(order.begin(), order.end(), pid) == order.end())
        order.push_back(pid);
  return order;
}

realm_settings directory::effective_settings(const id& portal_id) const {
  realm_settings s = default_settings();
  const auto path = path_to_top(portal_id);
  if (path.empty()) return s;
  // The top-level portal holds the realm's own values, which may differ from the defaults either way;
  // below it every override only ever tightens, even one stored before its parent was tightened.
  s = apply(std::move(s), settings_override(path.back()));
  for (auto it = std::next(path.rbegin()); it != path.rend(); ++it) s = tighten(s, settings_override(*it));
  return s;
}

realm_settings directory::parent_settings(const id& portal_id) const {
  const portal* p = find_portal(portal_id);
  if (!p || !p->parent) return default_settings();
  return effective_settings(*p->parent);
}

bool directory::administers(const user& actor, const id& portal_id) const {
  const portal* p = find_portal(portal_id);
  if (!p || !actor.realm_id || p->realm_id != *actor.realm_id) return false;  // never across realms
  if (actor.user_role == role::superadmin && !actor.is_temporary()) return true;
  if (actor.user_role != role::admin && actor.user_role != role::superadmin) return false;
  return std::any_of(actor.admin_portals.begin(), actor.admin_portals.end(), [&](const id& held) {
    return actor.exact_scope ? held == portal_id : within(portal_id, held);
  });
}

bool directory::in_scope(const user& actor, const user& target) const {
  if (!actor.realm_id || !target.realm_id || *actor.realm_id != *target.realm_id) return false;
  if (!target.home_portal) return false;
  const id& home = *target.home_portal;
  switch (actor.user_role) {
    case role::superadmin:
    case role::admin: return administers(actor, home);
    case role::power_user: {
      const auto& users = actor.assigned_users;
      if (std::find(users.begin(), users.end(), target.user_id) != users.end()) return true;
      const auto& portals = actor.assigned_portals;
      return std::any_of(portals.begin(), portals.end(), [&](const id& a) { return within(home, a); });
    }
    default: return false;
  }
}

} // namespace actas::domain
