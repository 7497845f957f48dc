/// Support access (SPEC §3): requests, grants, tokens, revocation, status and access logs.
#include "net/ask_refusable.hpp"
#include "net/codec_policy.hpp"
#include "net/handlers.hpp"
#include "net/settled.hpp"

namespace actas::net {

namespace {

using domain::errc;

json grants_answer(const actors::grants_reply& r) {
  json out = json::array();
  for (const auto& g : r.grants) out.push_back(encode(g));
  return {{"grants", out}};
}

void create_request(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_or_fail(*c, [&] {
    auto j = parse_body(c->req.body);
    json_reader r(j, {"portals", "reason", "ticket"});
    return actors::request_command{*hash, r.strings("portals", 100), r.string("reason"), r.string("ticket"), c->req.ip};
  });
  if (!body) return;
  ask_refusable<actors::request_reply>(
    c, [c](actors::request_reply& r) { answer(*c, 201, {{"request", encode(r.request)}}); },
    actors::request_atom::value, std::move(*body));
}

template <class Atom>
void close_request(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!decode_or_fail(*c, [&] { return parse_body(c->req.body, true); })) return;
  ask_refusable<actors::request_reply>(
    c, [c](actors::request_reply& r) { answer(*c, 200, {{"request", encode(r.request)}}); }, Atom::value, *hash,
    c->req.params.at("id"), c->req.ip);
}

void create_grants(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_or_fail(*c, [&] {
    auto j = parse_body(c->req.body);
    json_reader r(j, {"request", "portals", "duration_s"});
    return actors::grant_command{*hash, r.string("request"), r.strings("portals", 100), r.opt_int("duration_s"), c->req.ip};
  });
  if (!body) return;
  ask_then<actors::grants_reply>(
    c,
    [c](actors::grants_reply& r) {
      // SPEC §10 actas_decisions_total: the verdict as the superadmin receives it.
      const auto& no = r.refused.error;
      c->sv->metrics->count_decision("support_grant", !no, no ? domain::to_string(*no) : "");
      if (no) return refuse(*c, r.refused);
      answer(*c, 201, grants_answer(r));
    },
    actors::grant_atom::value, std::move(*body));
}

void revoke_grants(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto ids = decode_or_fail(*c, [&] {
    auto j = parse_body(c->req.body);
    return json_reader(j, {"grants"}).strings("grants", 100);
  });
  if (!ids) return;
  ask_refusable<actors::grants_reply>(
    c, [c](actors::grants_reply& r) { answer(*c, 200, grants_answer(r)); }, actors::revoke_atom::value, *hash, *ids,
    c->req.ip);
}

void own_grants(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask_refusable<actors::grants_reply>(
    c, [c](actors::grants_reply& r) { answer(*c, 200, grants_answer(r)); }, actors::mygrants_atom::value, *hash);
}

void grant_token(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!decode_or_fail(*c, [&] { return parse_body(c->req.body, true); })) return;
  ask<actors::mint_reply>(
    c, [c](actors::mint_reply& r) { answer(*c, 200, {{"token", r.token}, {"user", encode(r.user)}}); },
    actors::gtoken_atom::value, *hash, c->req.params.at("id"));
}

void grant_log(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask<actors::audit_reply>(
    c,
    [c](actors::audit_reply& r) {
      json events = json::array();
      for (const auto& e : r.events) events.push_back(encode(e));
      answer(*c, 200, {{"events", events}});
    },
    actors::glog_atom::value, *hash, c->req.params.at("id"));
}

void access(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask<actors::access_reply>(
    c,
    [c](actors::access_reply& r) {
      json rows = json::array();
      for (const auto& row : r.portals) rows.push_back(encode(row));
      answer(*c, 200, {{"portals", rows}});
    },
    actors::access_atom::value, *hash);
}

} // namespace

void add_support_routes(router& r) {
  r.add("POST", "/v1/support/requests", create_request);
  r.add("POST", "/v1/support/requests/{id}/deny", close_request<actors::deny_atom>);
  r.add("POST", "/v1/support/requests/{id}/cancel", close_request<actors::cancel_atom>);
  r.add("GET", "/v1/support/access", access);
  r.add("GET", "/v1/support/grants", own_grants);
  r.add("POST", "/v1/support/grants", create_grants);
  r.add("POST", "/v1/support/grants/revoke", once_settled(revoke_grants));
  r.add("POST", "/v1/support/grants/{id}/token", grant_token);
  r.add("GET", "/v1/support/grants/{id}/log", grant_log);
}

} // namespace actas::net
