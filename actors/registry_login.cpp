/// Password login (standalone and demo use), limited as domain/login_limit.hpp explains: an attacker is
/// slowed per address and per attacked username, the owner is never locked out, and the Argon2 checks
/// run on threads of their own, a few at a time, fairly between addresses.
#include <caf/all.hpp>

#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "crypto/crypto.hpp"

namespace actas::actors::detail {

namespace {

/// One password check on a detached thread; the answer goes back to the registry.
void check_password(caf::blocking_actor*, registry_actor registry, std::uint64_t attempt, std::string password,
                    std::string hash) {
  bool matched = crypto::verify_password(password, hash);
  caf::anon_send(registry, checked_atom::value, attempt, matched);
}

/// Passwords are bounded so a huge one cannot cost more than a normal check.
constexpr std::size_t max_password_bytes = 1024;
constexpr std::size_t max_username_bytes = 200;

/// Starts the check of a login that holds a slot.
void run_check(registry_self self, std::uint64_t attempt) {
  auto& pending = self->state.logins.at(attempt);
  auto password = std::exchange(pending.password, {});
  auto hash = std::exchange(pending.hash, {});
  if (self->state.deps.inline_password_checks)
    self->send(self, checked_atom::value, attempt, crypto::verify_password(password, hash));
  else
    self->spawn<caf::detached>(check_password, caf::actor_cast<registry_actor>(self), attempt, std::move(password),
                               std::move(hash));
}

} // namespace

caf::result<mint_reply> login(registry_self self, const login_command& cmd) {
  auto& st = self->state;
  auto at = now(self);
  // Refused logins are audited (SPEC §5) with the username as typed, never the password.
  auto denied = [&](domain::errc code) {
    auto d = domain::login_denial(st.dir.find_username(cmd.username), cmd.username, code, cmd.ip, at);
    return refuse(self, d, mint_reply{code, {}, {}, {}}, mint_reply{domain::errc::audit_unavailable, {}, {}, {}});
  };
  if (cmd.username.empty() || cmd.username.size() > max_username_bytes || cmd.password.size() > max_password_bytes)
    return denied(domain::errc::invalid_request);
  if (!st.login_limits.admits(cmd.username, cmd.ip, at))
    return denied(domain::errc::rate_limited);
  auto attempt = st.next_login++;
  auto admission = st.checks.enter(attempt, cmd.ip, st.login_limits.suspect(cmd.ip, at));
  if (admission == domain::check_queue::admission::refuse)
    return denied(domain::errc::rate_limited);
  const auto* u = st.dir.find_username(cmd.username);
  // A user provisioned through another node is read from the shared database (the same one read for a
  // user this node does know).
  if (!u && shares_database(st))
    if (auto user_id = st.deps.reader->user_id_of_username(cmd.username))
      u = adopt_user(self, *user_id);
  std::optional<std::string> hash;
  if (u)
    hash = st.deps.reader->password_hash(u->user_id);
  if (!hash) {
    // Unknown users (and users without a password, like temporary admins) cost the same as a wrong password.
    if (st.decoy_hash.empty())
      st.decoy_hash = crypto::hash_password(crypto::random_token());
    hash = st.decoy_hash;
    u = nullptr;
  }
  auto rp = self->make_response_promise<mint_reply>();
  st.logins.emplace(attempt, pending_login{rp, u ? std::optional{u->user_id} : std::nullopt, cmd.username, cmd.ip,
                                           cmd.password, *hash});
  if (admission == domain::check_queue::admission::run)
    run_check(self, attempt);
  return rp;
}

void password_checked(registry_self self, std::uint64_t attempt, bool matched) {
  auto& st = self->state;
  auto i = st.logins.find(attempt);
  if (i == st.logins.end())
    return;
  auto pending = std::move(i->second);
  st.logins.erase(i);
  if (auto next = st.checks.leave(pending.ip))
    run_check(self, *next);
  auto at = now(self);
  const auto* u = pending.user_id ? st.dir.find_user(*pending.user_id) : nullptr;
  bool usable = u && u->status == domain::user_status::active && !u->is_temporary();
  if (!matched || !usable) {
    st.login_limits.record_failure(pending.username, pending.ip, at);
    // A failed login is audited with the username as typed (SPEC §5); the password never leaves here.
    auto d = domain::login_denial(st.dir.find_username(pending.username), pending.username,
                                  domain::errc::unauthenticated, pending.ip, at);
    auto reply = pending.reply;
    auto answer = [reply](bool ok) mutable {
      reply.deliver(mint_reply{ok ? domain::errc::unauthenticated : domain::errc::audit_unavailable, {}, {}, {}});
    };
    if (admit_denial(self, d))
      write_denial(self, d, answer);
    else
      answer(true);
    return;
  }
  issue_user_token(self, *u, pending.reply);
}

} // namespace actas::actors::detail
