/// WebSocket tickets and the checks before an upgrade (SPEC §4, §6): a foreign Origin is refused before
/// anything else, then the one-time ticket is redeemed; only then does the connection upgrade.
#include <algorithm>
#include <cctype>

#include "domain/provisioning.hpp"
#include "net/handlers.hpp"
#include "net/reply.hpp"

namespace actas::net {

namespace {

using domain::errc;

/// An Origin header as the configuration keeps origins: lowercase, without the scheme's default port.
std::string normalize_origin(std::string_view origin) {
  std::string o(origin);
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char ch) { return std::tolower(ch); });
  const auto strip = [&](std::string_view scheme, std::string_view port) {
    if (o.starts_with(scheme) && o.ends_with(port) && o.size() > scheme.size() + port.size())
      o.resize(o.size() - port.size());
  };
  strip("http://", ":80");
  strip("https://", ":443");
  return o;
}

bool origin_allowed(const call& c) {
  // Non-browser clients send no Origin; browsers always do, and only a listed one may open a socket.
  if (!c.req.origin) return true;
  const auto o = normalize_origin(*c.req.origin);
  const auto& allowed = c.sv->allowed_origins;
  return std::find(allowed.begin(), allowed.end(), o) != allowed.end();
}

void ticket(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_empty(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  ask<actors::ticket_reply>(
    c, [c](actors::ticket_reply& r) { answer(*c, 200, {{"ticket", r.ticket}}); }, actors::ticket_atom::value, *hash);
}

void open_socket(call_ptr c) {
  if (!origin_allowed(*c)) return fail(*c, errc::forbidden, "WebSocket connections from this Origin are not allowed");
  if (!c->req.websocket_upgrade || !c->upgrade)
    return fail(*c, errc::invalid_request, "this endpoint needs a WebSocket upgrade");
  if (!only_query(*c, {"ticket", "resume"})) return;
  auto i = c->req.query.find("ticket");
  if (i == c->req.query.end() || i->second.empty())
    return fail(*c, errc::unauthenticated, "a ticket from POST /v1/ws/ticket is required");
  std::string resume_after;
  if (auto r = c->req.query.find("resume"); r != c->req.query.end()) {
    if (!domain::valid_id(r->second))
      return fail(*c, errc::invalid_request, "resume must be the id of the last notification this tab received");
    resume_after = r->second;
  }
  // Any refusal of the ticket (unknown, used, expired, its token dead) is the same 401.
  ask_registry<actors::auth_reply>(
    *c->sv, c->post,
    [c, resume_after](actors::auth_reply& r) {
      if (r.error) return fail(*c, errc::unauthenticated, "the ticket is not valid (unknown, used or expired)");
      c->upgrade(std::move(r.who), resume_after);
    },
    [c](const caf::error& err) {
      spdlog::error("request {}: the registry did not answer ({})", c->req.request_id, caf::to_string(err));
      fail(*c, errc::audit_unavailable, "the server cannot decide right now; try again later");
    },
    actors::redeem_atom::value, i->second);
}

} // namespace

void add_socket_routes(router& r) {
  r.add("POST", "/v1/ws/ticket", ticket);
  r.add("GET", "/v1/ws", open_socket);
}

} // namespace actas::net
