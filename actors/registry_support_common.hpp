#pragma once
/// Helpers shared by the support request and grant handlers of the registry (internal to actors/).
#include <map>
#include <string>
#include <vector>

#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "actors/grant.hpp"
#include "actors/pending_request.hpp"

#include <nlohmann/json.hpp>

namespace actas::actors::detail {

/// The active superadmins of a realm: who sees requests and hears about grants.
inline std::vector<id> superadmins_of(const domain::directory& dir, const id& realm_id) {
  std::vector<id> out;
  for (const auto& [user_id, u] : dir.users())
    if (domain::is_superadmin_of(u, realm_id))
      out.push_back(user_id);
  return out;
}

/// The realm's settings, read at its top-level portal (support settings are realm-wide).
inline domain::realm_settings realm_settings_of(const domain::directory& dir, const id& realm_id) {
  const auto* r = dir.find_realm(realm_id);
  return r ? dir.effective_settings(r->top_portal) : domain::default_settings();
}

/// Placeholders of support notifications.
inline std::map<std::string, std::string> support_values(const domain::directory& dir, const id& support_user,
                                                         const std::string& ticket, const std::string& reason,
                                                         const std::vector<id>& portals,
                                                         std::optional<domain::timestamp> expires_at,
                                                         const std::string& actor_name) {
  std::string names;
  for (const auto& p : portals) {
    const auto* portal = dir.find_portal(p);
    names += (names.empty() ? "" : ", ") + (portal ? portal->name : p);
  }
  std::map<std::string, std::string> v{{"ticket", ticket}, {"reason", reason}, {"portal_name", names},
                                       {"actor_name", actor_name}, {"target_name", name_of(dir, support_user)}};
  if (expires_at)
    v["expires_at"] = domain::format_utc(*expires_at);
  return v;
}

/// A support audit event on the realm's chain.
inline domain::audit_event support_event(std::string realm_id, std::string event, domain::timestamp at,
                                         std::optional<id> performed_by, std::string ip) {
  domain::audit_event e;
  e.chain = std::move(realm_id);
  e.event = std::move(event);
  e.at = at;
  e.performed_by = std::move(performed_by);
  e.result = domain::outcome::done;
  if (!ip.empty())
    e.ip = std::move(ip);
  return e;
}

/// Spawns the actor of a pending request, with its lapse.
inline void spawn_request(registry_self self, const domain::support_request& r) {
  self->state.request_actors[r.request_id] =
    self->spawn<caf::linked>(pending_request, r.request_id, r.lapses_at, entity_deps_of(self));
}

/// Spawns the actor of an active grant, with its deadlines.
inline void spawn_grant(registry_self self, const id& grant_id, std::vector<timer_request> deadlines) {
  auto handle = self->spawn<caf::linked>(grant, grant_id, std::move(deadlines), entity_deps_of(self));
  self->state.grant_actors[grant_id] = handle;
}

/// The live grant `grant_id` as this node holds it; one that another node made after this node started
/// (live in the database only) is adopted first: its actor spawned with its expiry, its temporary admin
/// added to the directory. Null when it is not live (or not this node's to end: its end is being written).
const domain::support_grant* adopt_live_grant(registry_self self, const id& grant_id);

/// A request made through another node after this one started is pending in the database only: this
/// node takes it into its cache with its actor (and its lapse), its banner and its dashboard row, so it
/// decides it as its own. Answers the cached request, or null when it is not pending.
const domain::support_request* adopt_pending_request(registry_self self, const domain::support_request& stored);

/// Forgets a request that is no longer pending (decided here, `as_decided`, or by another node) and stops
/// its actor; this node's superadmins lose its banner and dashboards lose its row.
void forget_request(registry_self self, const id& request_id, std::optional<domain::support_request> as_decided);

inline refusal refusal_of(const domain::support_refusal& r) { return {r.code, r.field, r.message}; }

/// A refused support step (SPEC §5) by the token's user: `event` names the step, `texts` what the client
/// named (request, grants, portals, ticket…); on the caller's realm chain, or the realm acted on.
inline domain::denial support_denial(registry_self self, const principal& who, std::string event, const refusal& r,
                                     const std::string& ip, std::map<std::string, std::string> texts,
                                     const std::optional<id>& realm_acted_on) {
  auto d = denial_by(self, who, std::move(event), r.error.value_or(domain::errc::forbidden), ip, realm_acted_on);
  d.texts = std::move(texts);
  note_field(d, r);
  return d;
}

/// Ends grants (revoked or expired) with everything that hangs on them; `then` learns when all is durable.
void end_grants(registry_self self, std::vector<id> grant_ids, domain::grant_state how, std::optional<id> by,
                std::string ip, std::function<void(bool, std::vector<domain::support_grant>)> then);

} // namespace actas::actors::detail
