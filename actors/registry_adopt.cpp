/// What another node made, this node takes over on first use (SPEC §8: any node answers any call). On a
/// shared database a login, a session or a grant may have been made through any node; a token this node
/// has not seen is read from the store and, when it is alive there, cached here with what it needs: its
/// user, and the session or the grant it belongs to, which then run here too (their actors, their
/// deadlines, the target's banner). The decisions about them stay in their transactions (a second end is
/// refused there); this is only the cache learning what is already committed.
#include <caf/all.hpp>

#include "actors/registry_support_common.hpp"

namespace actas::actors::detail {

bool shares_database(const registry_state& st) { return st.deps.follow_every.count() > 0; }

const domain::user* adopt_user(registry_self self, const id& user_id) {
  auto& st = self->state;
  if (const auto* known = st.dir.find_user(user_id))
    return known;
  if (!shares_database(st))
    return nullptr;
  auto stored = st.deps.reader->find_user(user_id);
  // A user of a realm or a portal this node does not know yet is not taken: the directory must stay whole.
  if (!stored || (stored->realm_id && !st.dir.find_realm(*stored->realm_id)) ||
      (stored->home_portal && !st.dir.find_portal(*stored->home_portal)))
    return nullptr;
  st.dir.put_user(std::move(*stored));
  return st.dir.find_user(user_id);
}

live_session* adopt_live_session(registry_self self, const id& session_id) {
  auto& st = self->state;
  if (auto i = st.sessions.find(session_id); i != st.sessions.end())
    return i->second.handle ? &i->second : nullptr;
  // One whose end this node decided is not live, whatever the database says until the end is written.
  if (st.ending_sessions.count(session_id) || !shares_database(st))
    return nullptr;
  auto stored = st.deps.reader->find_session(session_id);
  if (!stored || stored->state != domain::session_state::active)
    return nullptr;
  for (const auto& person : {std::optional{stored->actor}, std::optional{stored->target}, stored->via})
    if (person && !adopt_user(self, *person))
      return nullptr;
  // Its token and the login it was started with: its end buries the one here, and a logout of the other
  // through this node ends it (as on the node that started it).
  live_session live{*stored, {}, {}, {}};
  if (auto token = st.deps.reader->session_token(session_id)) {
    live.token_hash = token->hash;
    live.parent_hash = token->parent_hash;
    // The login is taken too when it is alive, so the sweep does not take the session for an orphan.
    if (live.parent_hash && !st.tokens.contains(*live.parent_hash))
      adopt_token(self, *live.parent_hash);
  }
  // Past its deadline (its node died before ending it): it ends here, dated at the deadline.
  if (stored->expires_at <= now(self)) {
    end_overdue_here(self, std::move(live));
    return nullptr;
  }
  run_session_here(self, std::move(live));
  publish(self, {false, *stored, std::nullopt, std::nullopt});
  return &st.sessions.at(session_id);
}

domain::token_record* adopt_token(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  if (!shares_database(st) || st.revoked_here.contains(token_hash))
    return nullptr;
  auto stored = st.deps.reader->find_token(token_hash);
  const auto at = now(self);
  if (!stored || stored->revoked_at || stored->expires_at <= at || !adopt_user(self, stored->user_id))
    return nullptr;
  if (stored->kind == domain::token_kind::grant &&
      (!stored->grant_id || !stored->actor_id || !adopt_user(self, *stored->actor_id) ||
       !adopt_live_grant(self, *stored->grant_id)))
    return nullptr;
  if (stored->kind == domain::token_kind::impersonation) {
    auto* live = stored->session_id ? adopt_live_session(self, *stored->session_id) : nullptr;
    if (!live)
      return nullptr;
    // Its end buries this token here.
    if (live->token_hash.empty()) {
      live->token_hash = token_hash;
      live->parent_hash = stored->parent_hash;
    }
  }
  if (!token_alive(st, *stored, at))
    return nullptr;
  return &(st.tokens[token_hash] = std::move(*stored));
}

} // namespace actas::actors::detail
