/// Following the other nodes on a shared database (SPEC §8): what another node ended, this node ends in
/// its caches too, so the tokens of a session or a grant ended through another node stop working here
/// within `follow_every` (issue 14 replaces this poll with the log's doorbell; the poll stays as its
/// back-up). The end is handed to the entity's actor as any other: its transaction finds the row ended
/// and writes nothing, and this node announces it locally (tabs closed, banner cleared, dashboards).
#include <set>

#include <caf/all.hpp>

#include "actors/registry_support_common.hpp"

namespace actas::actors::detail {

void follow_other_nodes(registry_self self) {
  auto& st = self->state;
  if (st.sessions.empty() && st.grants.empty())
    return;
  const auto active_sessions = st.deps.reader->active_session_ids();
  const auto active_grants = st.deps.reader->active_grant_ids();
  const std::set<id> live_sessions(active_sessions.begin(), active_sessions.end());
  const std::set<id> live_grants(active_grants.begin(), active_grants.end());
  // Only rows this node saw committed (a session whose start is in flight has no handle yet; a grant
  // enters `grants` once its commit returned): ended is for ever, so what is not active now was ended.
  std::vector<id> ended_grants;
  for (const auto& [grant_id, g] : st.grants)
    if (!live_grants.contains(grant_id))
      ended_grants.push_back(grant_id);
  for (const auto& grant_id : ended_grants) {
    auto stored = st.deps.reader->find_grant(grant_id);
    auto how = stored && stored->state == domain::grant_state::expired ? domain::grant_state::expired
                                                                        : domain::grant_state::revoked;
    // Its temporary admin's sessions running here end with it (the node that ended the grant may not
    // have known them): their ends are written here if they are still active.
    end_grants(self, {grant_id}, how, stored ? stored->ended_by : std::nullopt, "", nullptr);
  }
  std::vector<std::pair<id, ending>> ended_sessions;
  for (const auto& [session_id, live] : st.sessions) {
    if (!live.handle || live_sessions.contains(session_id))
      continue;
    ending how;
    auto stored = st.deps.reader->find_session(session_id);
    how.why = stored && stored->ended_because ? *stored->ended_because : domain::end_reason::terminated;
    how.at = stored && stored->ended_at ? *stored->ended_at : now(self);
    ended_sessions.emplace_back(session_id, std::move(how));
  }
  for (auto& [session_id, how] : ended_sessions)
    finish(self, session_id, std::move(how), nullptr);
}

} // namespace actas::actors::detail
