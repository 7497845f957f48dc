/// Password login (standalone and demo use): failures are limited per username and per address, and the
/// Argon2 check runs on a thread of its own so the registry never waits for it.
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
  if (st.failures_by_user.blocked(cmd.username, at) || st.failures_by_ip.blocked(cmd.ip, at) ||
      st.logins.size() >= st.deps.max_password_checks)
    return denied(domain::errc::rate_limited);
  const auto* u = st.dir.find_username(cmd.username);
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
  auto attempt = st.next_login++;
  auto rp = self->make_response_promise<mint_reply>();
  st.logins.emplace(attempt, pending_login{rp, u ? std::optional{u->user_id} : std::nullopt, cmd.username, cmd.ip});
  if (st.deps.inline_password_checks)
    self->send(self, checked_atom::value, attempt, crypto::verify_password(cmd.password, *hash));
  else
    self->spawn<caf::detached>(check_password, caf::actor_cast<registry_actor>(self), attempt, cmd.password, *hash);
  return rp;
}

void password_checked(registry_self self, std::uint64_t attempt, bool matched) {
  auto& st = self->state;
  auto i = st.logins.find(attempt);
  if (i == st.logins.end())
    return;
  auto pending = std::move(i->second);
  st.logins.erase(i);
  auto at = now(self);
  const auto* u = pending.user_id ? st.dir.find_user(*pending.user_id) : nullptr;
  bool usable = u && u->status == domain::user_status::active && !u->is_temporary();
  if (!matched || !usable) {
    st.failures_by_user.record_failure(pending.username, at);
    st.failures_by_ip.record_failure(pending.ip, at);
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
  st.failures_by_user.forget(pending.username);
  issue_user_token(self, *u, pending.reply);
}

} // namespace actas::actors::detail
