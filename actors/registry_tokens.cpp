/// Bearer tokens: resolving them on every request, minting and ending them, WebSocket tickets, and the
/// sweep that notices tokens dying by time.
#include <caf/all.hpp>

#include "actors/answer_when_durable.hpp"
#include "actors/registry_parts.hpp"
#include "crypto/crypto.hpp"

namespace actas::actors::detail {

namespace {

/// The stored last-use time is refreshed at most this often: idle tokens must survive a restart, but
/// a busy token must not cost a write per request.
constexpr auto touch_every = std::chrono::seconds{60};
/// A ticket may be presented within this time (SPEC §6), and only once.
constexpr auto ticket_lifetime = std::chrono::seconds{30};
/// Tickets outstanding at once, in all and per user (a browser asks one per tab it opens, and a ticket
/// lives 30 s); more are refused as rate_limited.
constexpr std::size_t max_tickets = 100000;
constexpr std::size_t max_tickets_per_user = 32;

bool dead(const domain::token_record& t, domain::timestamp at) {
  return t.revoked_at || at >= t.expires_at || at - t.last_used_at >= std::chrono::seconds{t.idle_timeout_s};
}

principal principal_of(const domain::token_record& t) {
  return {t.hash, t.user_id, t.kind, t.session_id, t.grant_id, t.actor_id, t.expires_at};
}

/// On a shared database a token idle here may have been used through another node: its last use there
/// (written at most once a minute) is taken, and it lives on when that keeps it alive.
bool used_elsewhere(registry_self self, domain::token_record& t, domain::timestamp at) {
  if (!shares_database(self->state) || t.revoked_at || t.expires_at <= at)
    return false;
  auto stored = self->state.deps.reader->find_token(t.hash);
  if (!stored || stored->revoked_at || stored->last_used_at <= t.last_used_at)
    return false;
  t.last_used_at = stored->last_used_at;
  return !dead(t, at);
}

/// Forgets a ticket, and its place in its user's share.
void forget_ticket(registry_state& st, std::unordered_map<std::string, ws_ticket>::iterator i) {
  if (auto n = st.tickets_per_user.find(i->second.user_id); n != st.tickets_per_user.end() && --n->second == 0)
    st.tickets_per_user.erase(n);
  st.tickets.erase(i);
}

/// On a shared database the socket may be opened through any node: the ticket lives in the database
/// only (no node could count or forget the ones another node took) and is answered once written there.
caf::result<ticket_reply> issue_shared_ticket(registry_self self, const std::string& ticket, const std::string& token_hash,
                                              const id& user_id, domain::timestamp expires_at) {
  auto& st = self->state;
  auto rp = self->make_response_promise<ticket_reply>();
  auto kept = std::make_shared<bool>(false);
  st.commits.submit(
    *st.deps.writer, caf::actor_cast<registry_actor>(self),
    [kept, hash = crypto::token_hash(ticket), token_hash, user_id, expires_at, at = now(self)](store::transaction& tx) {
      *kept = tx.put_ticket(hash, token_hash, user_id, expires_at, at, static_cast<int>(max_tickets_per_user));
    },
    [rp, kept, ticket](bool ok) mutable {
      if (!ok)
        rp.deliver(ticket_reply{domain::errc::audit_unavailable, {}});
      else if (!*kept)
        rp.deliver(ticket_reply{domain::errc::rate_limited, {}});
      else
        rp.deliver(ticket_reply{std::nullopt, ticket});
    });
  return rp;
}

/// A ticket on a shared database: whichever node it is presented to takes its row, so it opens one socket
/// in the whole cluster (SPEC §6: used up on first presentation, valid or not).
caf::result<auth_reply> redeem_shared_ticket(registry_self self, const std::string& ticket) {
  auto& st = self->state;
  auto rp = self->make_response_promise<auth_reply>();
  auto taken = std::make_shared<std::optional<std::pair<std::string, domain::timestamp>>>();
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [taken, hash = crypto::token_hash(ticket)](store::transaction& tx) { *taken = tx.take_ticket(hash); },
                    [self, rp, taken](bool ok) mutable {
                      if (!ok)
                        rp.deliver(auth_reply{domain::errc::audit_unavailable, {}});
                      else if (!*taken || now(self) >= (*taken)->second)
                        rp.deliver(auth_reply{domain::errc::unauthenticated, {}});
                      else
                        rp.deliver(authenticate(self, (*taken)->first));
                    });
  return rp;
}

void forget_lapsed_tickets(registry_state& st, domain::timestamp at) {
  for (auto i = st.tickets.begin(); i != st.tickets.end();) {
    auto here = i++;
    if (here->second.expires_at <= at)
      forget_ticket(st, here);
  }
}

void touch(registry_self self, domain::token_record& t, domain::timestamp at) {
  auto previous = t.last_used_at;
  t.last_used_at = at;
  if (at - previous >= touch_every)
    self->state.deps.writer->submit(
      [hash = t.hash, at](store::transaction& tx) { tx.touch_token(hash, at); }, [](bool) {});
}

/// A user's own activity moves its last_seen_at (at most once a minute, like the token's last use).
/// Impersonated activity never does (SPEC §2): only user tokens come here.
void note_seen(registry_self self, const domain::user& u, domain::timestamp at) {
  if (u.last_seen_at && at - *u.last_seen_at < touch_every)
    return;
  auto seen = u;
  seen.last_seen_at = at;
  self->state.dir.put_user(seen);
  self->state.deps.writer->submit(
    [user_id = u.user_id, at](store::transaction& tx) { tx.touch_user(user_id, at); }, [](bool) {});
}

} // namespace

void bury(registry_self self, const domain::token_record& t) {
  if (t.kind != domain::token_kind::impersonation)
    self->send(user_actor_of(self, t.user_id), drop_atom::value, t.hash, std::uint16_t{1008});
  self->state.tokens.erase(t.hash);
}

bool token_alive(const registry_state& st, const domain::token_record& t, domain::timestamp at) {
  const auto active = [&](const id& user_id) {
    const auto* u = st.dir.find_user(user_id);
    return u && u->status == domain::user_status::active;
  };
  if (dead(t, at) || !active(t.user_id))
    return false;
  // A grant token acts for its support user, and so does an impersonation its temporary admin runs (`via`):
  // neither works a moment longer than that person may sign in (issue 12).
  std::optional<id> behind = t.kind == domain::token_kind::grant ? t.actor_id : std::nullopt;
  if (t.session_id)
    if (auto s = st.sessions.find(*t.session_id); s != st.sessions.end())
      behind = s->second.session.via;
  return !behind || active(*behind);
}

auth_reply authenticate(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto i = st.tokens.find(token_hash);
  // On a shared database the token may have been made through another node: read it from there once.
  auto* found = i != st.tokens.end() ? &i->second : adopt_token(self, token_hash);
  if (!found)
    return {domain::errc::unauthenticated, {}};
  auto at = now(self);
  auto& t = *found;
  if (refused_as_stale(self, t))
    return {domain::errc::node_stale, {}};
  if (!token_alive(st, t, at) && !(used_elsewhere(self, t, at) && token_alive(st, t, at))) {
    auto copy = t;
    bury(self, copy);
    return {domain::errc::unauthenticated, {}};
  }
  touch(self, t, at);
  if (t.kind == domain::token_kind::user)
    note_seen(self, *st.dir.find_user(t.user_id), at);
  // Work done under an impersonation is the actor's activity: it keeps the actor's own login alive.
  if (t.parent_hash)
    if (auto parent = st.tokens.find(*t.parent_hash); parent != st.tokens.end())
      touch(self, parent->second, at);
  return {std::nullopt, principal_of(t)};
}

void issue_user_token(registry_self self, const domain::user& u, caf::typed_response_promise<mint_reply> rp) {
  auto& st = self->state;
  auto at = now(self);
  auto token = crypto::random_token();
  domain::token_record rec;
  rec.hash = crypto::token_hash(token);
  rec.user_id = u.user_id;
  rec.kind = domain::token_kind::user;
  rec.created_at = at;
  rec.expires_at = domain::seconds_after(at, st.deps.token_ttl_s);
  rec.idle_timeout_s = st.deps.token_idle_s;
  rec.last_used_at = at;
  answer_when_durable(self, rp, [rec](store::transaction& tx) { tx.put_token(rec); },
                      mint_reply{domain::errc::audit_unavailable, {}, {}, {}},
                      [self, rec, token, user = u](auto& rp) {
                        self->state.tokens.emplace(rec.hash, rec);
                        rp.deliver(mint_reply{std::nullopt, token, principal_of(rec), user});
                      });
}

caf::result<mint_reply> mint_user_token(registry_self self, const id& user_id) {
  const auto* u = self->state.dir.find_user(user_id);
  if (!u || u->status == domain::user_status::deleted)
    return mint_reply{domain::errc::not_found, {}, {}, {}};
  // Temporary support admins get tokens only through their grant (SPEC §3); inactive users none at all.
  if (u->is_temporary() || u->status != domain::user_status::active)
    return mint_reply{domain::errc::forbidden, {}, {}, {}};
  auto rp = self->make_response_promise<mint_reply>();
  issue_user_token(self, *u, rp);
  return rp;
}

void end_sessions_of_token(registry_self self, const std::string& parent_hash, std::function<void(bool)> all_written) {
  auto& st = self->state;
  std::vector<std::pair<id, ending>> ends;
  for (const auto& [session_id, live] : st.sessions) {
    if (!live.handle || live.parent_hash != parent_hash)
      continue;
    ending how;
    how.why = domain::end_reason::actor_logged_out;
    how.at = now(self);
    how.ended_by = live.session.actor;
    ends.emplace_back(session_id, std::move(how));
  }
  finish_all(self, std::move(ends), std::move(all_written));
}

caf::result<logout_reply> logout(registry_self self, const std::string& token_hash, const std::string& ip) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return logout_reply{*auth.error};
  const auto& who = auth.who;
  auto rp = self->make_response_promise<logout_reply>();
  if (who.kind == domain::token_kind::impersonation) {
    // Logging out of an impersonation ends it, as the actor's own doing.
    ending how;
    how.why = domain::end_reason::ended_by_actor;
    how.at = now(self);
    how.ended_by = who.actor_id;
    how.ip = ip;
    finish(self, *who.session_id, std::move(how), [rp](end_outcome outcome, const auto&) mutable {
      rp.deliver(logout_reply{outcome != end_outcome::unwritten ? std::nullopt
                                                                : std::optional{domain::errc::audit_unavailable}});
    });
    return rp;
  }
  auto record = st.tokens.at(token_hash);
  bury(self, record);
  // Not taken back from the store while its revocation is being written (nor after: it is dead there).
  if (shares_database(st))
    st.revoked_here.emplace(token_hash, record.expires_at);
  auto at = now(self);
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [token_hash, at](store::transaction& tx) { tx.revoke_token(token_hash, at); },
                    [self, rp, token_hash](bool revoked) mutable {
                      // Not revoked: it lives on in the database, and a retried logout must find it here.
                      if (!revoked)
                        self->state.revoked_here.erase(token_hash);
                      end_sessions_of_token(self, token_hash, [rp, revoked](bool ended) mutable {
                        bool ok = revoked && ended;
                        rp.deliver(logout_reply{ok ? std::nullopt : std::optional{domain::errc::audit_unavailable}});
                      });
                    });
  return rp;
}

caf::result<ticket_reply> issue_ticket(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return ticket_reply{*auth.error, {}};
  auto at = now(self);
  const auto& user_id = auth.who.user_id;
  // A user's lapsed tickets leave its share at the next sweep (every few seconds), not by a scan here.
  if (auto n = st.tickets_per_user.find(user_id); n != st.tickets_per_user.end() && n->second >= max_tickets_per_user)
    return ticket_reply{domain::errc::rate_limited, {}};
  if (st.tickets.size() >= max_tickets)
    forget_lapsed_tickets(st, at);
  if (st.tickets.size() >= max_tickets)
    return ticket_reply{domain::errc::rate_limited, {}};
  auto ticket = crypto::random_token();
  const auto expires_at = at + ticket_lifetime;
  if (shares_database(st))
    return issue_shared_ticket(self, ticket, token_hash, user_id, expires_at);
  st.tickets.emplace(ticket, ws_ticket{token_hash, expires_at, user_id});
  ++st.tickets_per_user[user_id];
  return ticket_reply{std::nullopt, ticket};
}

caf::result<auth_reply> redeem_ticket(registry_self self, const std::string& ticket) {
  auto& st = self->state;
  if (shares_database(st))
    return redeem_shared_ticket(self, ticket);
  auto i = st.tickets.find(ticket);
  if (i == st.tickets.end())
    return auth_reply{domain::errc::unauthenticated, {}};
  // Used up on first presentation, valid or not.
  auto t = i->second;
  forget_ticket(st, i);
  if (now(self) >= t.expires_at)
    return auth_reply{domain::errc::unauthenticated, {}};
  return authenticate(self, t.token_hash);
}

void sweep(registry_self self) {
  auto& st = self->state;
  auto at = now(self);
  std::vector<domain::token_record> died;
  for (auto& [hash, t] : st.tokens)
    if (dead(t, at) && t.kind != domain::token_kind::impersonation && !used_elsewhere(self, t, at))
      died.push_back(t);
  for (const auto& t : died)
    bury(self, t);
  std::erase_if(st.revoked_here, [at](const auto& entry) { return entry.second <= at; });
  // Sessions whose actor's login is gone (it died by time now, or while the server was down) end.
  std::set<std::string> orphaned_parents;
  for (const auto& [session_id, live] : st.sessions)
    if (live.handle && live.parent_hash && !st.tokens.contains(*live.parent_hash))
      orphaned_parents.insert(*live.parent_hash);
  // On a shared database the login may live on, used through another node: only a dead one orphans.
  std::erase_if(orphaned_parents, [self](const std::string& parent) { return adopt_token(self, parent) != nullptr; });
  for (const auto& parent : orphaned_parents)
    end_sessions_of_token(self, parent, nullptr);
  forget_lapsed_tickets(st, at);
}

} // namespace actas::actors::detail
