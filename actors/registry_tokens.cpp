/// Bearer tokens: resolving them on every request and minting user tokens.
#include <caf/all.hpp>

#include "actors/registry_parts.hpp"
#include "crypto/crypto.hpp"

namespace actas::actors::detail {

namespace {

/// The stored last-use time is refreshed at most this often: idle tokens must survive a restart, but
/// a busy token must not cost a write per request.
constexpr auto touch_every = std::chrono::seconds{60};

bool dead(const store::token_record& t, domain::timestamp at) {
  return t.revoked_at || at >= t.expires_at || at - t.last_used_at >= std::chrono::seconds{t.idle_timeout_s};
}

principal principal_of(const store::token_record& t) {
  return {t.hash, t.user_id, t.kind, t.session_id, t.grant_id, t.actor_id, t.expires_at};
}

} // namespace

auth_reply authenticate(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto i = st.tokens.find(token_hash);
  if (i == st.tokens.end())
    return {domain::errc::unauthenticated, {}};
  auto at = now(self);
  auto& t = i->second;
  const auto* u = st.dir.find_user(t.user_id);
  if (dead(t, at) || !u || u->status != domain::user_status::active) {
    // Its tabs close with 1008 the moment the token is found dead.
    if (t.kind != store::token_kind::impersonation)
      self->send(user_actor_of(self, t.user_id), drop_atom::value, token_hash, std::uint16_t{1008});
    st.tokens.erase(i);
    return {domain::errc::unauthenticated, {}};
  }
  auto previous = t.last_used_at;
  t.last_used_at = at;
  if (at - previous >= touch_every)
    st.deps.writer->submit([hash = token_hash, at](store::transaction& tx) { tx.touch_token(hash, at); },
                           [](bool) {});
  return {std::nullopt, principal_of(t)};
}

caf::result<mint_reply> mint_user_token(registry_self self, const id& user_id) {
  auto& st = self->state;
  const auto* u = st.dir.find_user(user_id);
  if (!u || u->status == domain::user_status::deleted)
    return mint_reply{domain::errc::not_found, {}, {}};
  // Temporary support admins get tokens only through their grant (SPEC §3).
  if (u->is_temporary())
    return mint_reply{domain::errc::forbidden, {}, {}};
  if (u->status != domain::user_status::active)
    return mint_reply{domain::errc::forbidden, {}, {}};
  auto at = now(self);
  auto token = crypto::random_token();
  store::token_record rec;
  rec.hash = crypto::token_hash(token);
  rec.user_id = user_id;
  rec.kind = store::token_kind::user;
  rec.created_at = at;
  rec.expires_at = domain::seconds_after(at, st.deps.token_ttl_s);
  rec.idle_timeout_s = st.deps.token_idle_s;
  rec.last_used_at = at;
  auto rp = self->make_response_promise<mint_reply>();
  st.commits.submit(
    *st.deps.writer, caf::actor_cast<registry_actor>(self), [rec](store::transaction& tx) { tx.put_token(rec); },
    [self, rp, rec, token](bool ok) mutable {
      if (!ok) {
        rp.deliver(mint_reply{domain::errc::audit_unavailable, {}, {}});
        return;
      }
      self->state.tokens.emplace(rec.hash, rec);
      rp.deliver(mint_reply{std::nullopt, token, principal_of(rec)});
    });
  return rp;
}

} // namespace actas::actors::detail
