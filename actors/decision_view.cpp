#include "actors/decision_view.hpp"

#include <algorithm>

namespace actas::actors {

portal_tree tree_of(const domain::directory& dir, const std::vector<id>& realm_ids) {
  portal_tree tree;
  for (const auto& realm_id : realm_ids) {
    const auto* r = dir.find_realm(realm_id);
    if (!r || std::any_of(tree.realms.begin(), tree.realms.end(), [&](const auto& x) { return x.realm_id == realm_id; }))
      continue;
    tree.realms.push_back(*r);
    for (const auto& portal_id : dir.realm_portals(realm_id)) tree.portals.push_back(*dir.find_portal(portal_id));
  }
  return tree;
}

domain::directory read_in(store::transaction& tx, const portal_tree& tree, const std::vector<id>& user_ids,
                          const std::vector<id>& settings_of) {
  domain::directory dir;
  for (const auto& r : tree.realms) dir.put_realm(r);
  for (const auto& p : tree.portals) dir.put_portal(p);
  // Locked in the order given, the caller first (on PostgreSQL find_user takes the row FOR UPDATE). Not
  // sorted: a writer's batch already holds the rows its earlier jobs touched (the caller's own
  // last_seen_at among them), and sorting made two nodes' grants deadlock on those (tried: 40P01 in 2 of
  // 4 runs of tests/race). Deadlocks across nodes are still possible (x starting y while y starts x);
  // PostgreSQL then fails one job, and the writer runs it again after its batch committed (store::writer::job).
  for (const auto& user_id : user_ids)
    if (auto u = tx.find_user(user_id)) dir.put_user(std::move(*u));
  for (const auto& portal_id : settings_of) dir.put_settings(portal_id, tx.find_settings(portal_id));
  return dir;
}

std::optional<domain::errc> caller_gone(const domain::directory& committed, const id& caller_id) {
  const auto* u = committed.find_user(caller_id);
  if (!u || u->status != domain::user_status::active)
    return domain::errc::unauthenticated;
  return std::nullopt;
}

} // namespace actas::actors
