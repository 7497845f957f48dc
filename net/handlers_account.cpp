/// Login, logout, who am I, service-minted tokens, liveness and readiness.
#include "crypto/crypto.hpp"
#include "net/caller.hpp"
#include "net/handlers.hpp"
#include "net/reply.hpp"
#include "net/settled.hpp"

namespace actas::net {

namespace {

using domain::errc;

void login(call_ptr c) {
  auto body = decode_login(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  auto& b = std::get<login_body>(body);
  actors::login_command cmd{std::move(b.username), std::move(b.password), c->req.ip};
  ask<actors::mint_reply>(
    c, [c](actors::mint_reply& r) { answer(*c, 200, {{"token", r.token}, {"user", encode(r.user)}}); },
    actors::login_atom::value, std::move(cmd));
}

void logout(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_empty(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  ask<actors::logout_reply>(
    c, [c](actors::logout_reply&) { answer(*c, 200, json::object()); }, actors::logout_atom::value, *hash,
    c->req.ip);
}

void me(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask<actors::me_reply>(
    c,
    [c](actors::me_reply& r) {
      answer(*c, 200,
             {{"user", encode(r.user)},
              {"actor", r.actor ? encode(*r.actor) : json(nullptr)},
              {"impersonation", r.impersonation ? encode(*r.impersonation) : json(nullptr)},
              {"grant", r.grant ? encode(*r.grant) : json(nullptr)}});
    },
    actors::me_atom::value, *hash);
}

void mint(call_ptr c) {
  if (!is_service(*c)) return fail(*c, errc::unauthenticated, "a service key is required");
  auto body = decode_token(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  ask<actors::mint_reply>(
    c, [c](actors::mint_reply& r) { answer(*c, 200, {{"token", r.token}, {"user", encode(r.user)}}); },
    actors::mint_atom::value, std::get<token_body>(body).user);
}

/// Liveness: the process serves requests (also under its old name /healthz).
void livez(call_ptr c) { answer(*c, 200, {{"ok", true}}); }

/// Readiness (SPEC §6, §8): 503 with what is wrong while the node drains, cannot write its audit log or
/// found a broken chain, so a load balancer sends traffic elsewhere.
void readyz(call_ptr c) {
  const auto problems = c->sv->ready->problems();
  if (problems.empty()) return answer(*c, 200, {{"ok", true}});
  answer(*c, 503, {{"ok", false}, {"problems", problems}});
}

} // namespace

void add_account_routes(router& r) {
  r.add("POST", "/v1/login", login);
  r.add("POST", "/v1/logout", once_settled(logout));
  r.add("GET", "/v1/me", me);
  r.add("POST", "/v1/tokens", mint);
  r.add("GET", "/livez", livez);
  r.add("GET", "/healthz", livez);
  r.add("GET", "/readyz", readyz);
}

} // namespace actas::net
