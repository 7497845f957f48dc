/// Start, list, read and end impersonations (SPEC §2). Who may do what is the registry's to decide.
#include "net/handlers.hpp"
#include "net/reply.hpp"
#include "net/settled.hpp"

namespace actas::net {

namespace {

using domain::errc;

void start(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_start(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  auto& b = std::get<start_body>(body);
  actors::start_command cmd{*hash, std::move(b.target), std::move(b.reason), std::move(b.return_to), c->req.ip};
  ask_then<actors::start_reply>(
    c,
    [c](actors::start_reply& r) {
      // SPEC §10 actas_decisions_total: the rule's verdict as the caller receives it.
      c->sv->metrics->count_decision("impersonation_start", !r.error, r.error ? domain::to_string(*r.error) : "");
      if (r.error) return fail(*c, *r.error);
      answer(*c, 201, {{"session", encode(r.session)}, {"token", r.token}});
    },
    actors::start_atom::value, std::move(cmd));
}

void list(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {"state", "limit"})) return;
  actors::sessions_query q;
  if (auto i = c->req.query.find("state"); i != c->req.query.end()) {
    q.state = domain::session_state_from_string(i->second);
    if (!q.state) return fail(*c, errc::invalid_request, "query parameter 'state' must be 'active' or 'ended'");
  }
  std::int64_t limit = q.limit;
  if (!query_int(*c, "limit", 1, 500, limit)) return;
  q.limit = static_cast<int>(limit);
  ask<actors::sessions_reply>(
    c,
    [c](actors::sessions_reply& r) {
      json sessions = json::array();
      for (const auto& s : r.sessions) sessions.push_back(encode(s));
      answer(*c, 200, {{"sessions", std::move(sessions)}});
    },
    actors::list_atom::value, *hash, q);
}

void find(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask<actors::find_reply>(
    c, [c](actors::find_reply& r) { answer(*c, 200, {{"session", encode(r.session)}}); }, actors::find_atom::value,
    *hash, c->req.params.at("id"));
}

void end(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_end(c->req.body);
  if (auto* e = std::get_if<decode_error>(&body)) return fail(*c, errc::invalid_request, e->message);
  actors::end_command cmd{*hash, c->req.params.at("id"), std::move(std::get<end_body>(body).message), c->req.ip};
  ask<actors::end_reply>(
    c,
    [c](actors::end_reply& r) {
      const auto& back = r.session.return_to;
      answer(*c, 200, {{"session", encode(r.session)}, {"return_to", back ? json(*back) : json(nullptr)}});
    },
    actors::end_atom::value, std::move(cmd));
}

} // namespace

void add_impersonation_routes(router& r) {
  r.add("POST", "/v1/impersonations", start);
  r.add("GET", "/v1/impersonations", list);
  r.add("GET", "/v1/impersonations/{id}", find);
  r.add("POST", "/v1/impersonations/{id}/end", once_settled(end));
}

} // namespace actas::net
