#pragma once
/// The in-memory picture of realms, portal trees, users and settings overrides that rules are checked
/// against. A plain value: the registry actor owns one, tests build their own.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/settings.hpp"

namespace actas::domain {

class directory {
public:
  /// Adders keep the indexes consistent; a portal's parent and realm must already be present.
  void put_realm(realm r);
  void put_portal(portal p);
  void put_user(user u);
  /// Replaces the stored override of a portal (the top-level portal's "override" is the realm's values).
  void put_settings(const id& portal_id, settings_patch patch);

  const realm* find_realm(const id& realm_id) const;
  const portal* find_portal(const id& portal_id) const;
  const user* find_user(const id& user_id) const;
  const user* find_username(const std::string& username) const;
  /// The stored override of one portal (empty when none).
  const settings_patch& settings_override(const id& portal_id) const;

  /// True when `p` is `ancestor` or lies below it.
  bool within(const id& p, const id& ancestor) const;
  /// The portal and its ancestors, the portal first and the top-level portal last.
  std::vector<id> path_to_top(const id& portal_id) const;
  /// All portals of a realm, top-level first, parents before children.
  std::vector<id> realm_portals(const id& realm_id) const;
  /// Every user, in id order.
  const std::map<id, user>& users() const { return users_; }

  /// Effective settings of a portal: the top-level portal's values applied onto the defaults, then each
  /// sub-portal's override on the way down folded with `tighten` (stricter wins, field by field).
  realm_settings effective_settings(const id& portal_id) const;
  /// Effective settings of a portal's parent (defaults for a top-level portal).
  realm_settings parent_settings(const id& portal_id) const;

  /// Whether `actor` administers `portal_id` (SPEC §1): a superadmin its whole realm; an admin the
  /// portals it holds and their descendants (a temporary admin its portal only).
  bool administers(const user& actor, const id& portal_id) const;
  /// Whether `actor` may act on `target` by scope: administered portals, or for a power user the assigned
  /// users and users of assigned portals (with their descendants). Never across realms.
  bool in_scope(const user& actor, const user& target) const;

private:
  std::map<id, realm> realms_;
  std::map<id, portal> portals_;
  std::map<id, user> users_;
  std::map<std::string, id> user_by_name_;
  std::map<id, settings_patch> settings_;
};

} // namespace actas::domain
