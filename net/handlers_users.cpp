/// Users (scoped list, provisioning, changes), realms and portals, and token introspection.
#include "crypto/crypto.hpp"
#include "net/ask_refusable.hpp"
#include "net/caller.hpp"
#include "net/codec_policy.hpp"
#include "net/handlers.hpp"
#include "net/settled.hpp"

namespace actas::net {

namespace {

using domain::errc;

void list_users(call_ptr c) {
  auto who = caller_of(*c);
  if (!who) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {"q", "portal", "role", "status", "limit"})) return;
  domain::user_filter f;
  const auto& q = c->req.query;
  if (auto i = q.find("q"); i != q.end()) f.q = i->second.substr(0, 200);
  if (auto i = q.find("portal"); i != q.end()) f.portal = i->second;
  if (auto i = q.find("role"); i != q.end()) {
    f.user_role = domain::role_from_string(i->second);
    if (!f.user_role) return fail(*c, errc::invalid_request, "'role' is not a role");
  }
  if (auto i = q.find("status"); i != q.end()) {
    f.status = domain::user_status_from_string(i->second);
    if (!f.status) return fail(*c, errc::invalid_request, "'status' is not a status");
  }
  std::int64_t limit = 100;
  if (!query_int(*c, "limit", 1, 500, limit)) return;
  ask<actors::users_reply>(
    c,
    [c](actors::users_reply& r) {
      json rows = json::array();
      for (const auto& row : r.users) rows.push_back(encode(row));
      answer(*c, 200, {{"users", rows}});
    },
    actors::users_atom::value, *who, f, static_cast<std::int32_t>(limit));
}

void create_user(call_ptr c) {
  auto who = caller_of(*c);
  if (!who) return fail(*c, errc::unauthenticated);
  auto u = decode_or_fail(*c, [&] { return decode_new_user(c->req.body); });
  if (!u) return;
  ask_refusable<actors::user_reply>(
    c, [c](actors::user_reply& r) { answer(*c, 201, {{"user", encode(r.user)}}); }, actors::create_atom::value, *who,
    *u);
}

void patch_user(call_ptr c) {
  auto who = caller_of(*c);
  if (!who) return fail(*c, errc::unauthenticated);
  auto p = decode_or_fail(*c, [&] { return decode_user_patch(c->req.body); });
  if (!p) return;
  ask_refusable<actors::user_reply>(
    c, [c](actors::user_reply& r) { answer(*c, 200, {{"user", encode(r.user)}}); }, actors::update_atom::value, *who,
    c->req.params.at("id"), *p);
}

json portal_answer(const actors::portal_reply& r) {
  json out{{"portal", {{"id", r.portal.portal_id}, {"realm", r.portal.realm_id},
                       {"parent", r.portal.parent ? json(*r.portal.parent) : json(nullptr)}, {"name", r.portal.name}}}};
  if (r.realm) out["realm"] = {{"id", r.realm->realm_id}, {"name", r.realm->name}, {"top_portal", r.realm->top_portal}};
  return out;
}

void create_realm(call_ptr c) {
  if (!is_service(*c)) return fail(*c, errc::unauthenticated, "a service key is required");
  auto r = decode_or_fail(*c, [&] { return decode_new_realm(c->req.body); });
  if (!r) return;
  ask_refusable<actors::portal_reply>(
    c, [c](actors::portal_reply& reply) { answer(*c, 201, portal_answer(reply)); }, actors::realm_atom::value,
    actors::caller_ref{"", true, c->req.ip}, *r);
}

void create_portal(call_ptr c) {
  if (!is_service(*c)) return fail(*c, errc::unauthenticated, "a service key is required");
  auto p = decode_or_fail(*c, [&] { return decode_new_portal(c->req.body); });
  if (!p) return;
  ask_refusable<actors::portal_reply>(
    c, [c](actors::portal_reply& reply) { answer(*c, 201, portal_answer(reply)); }, actors::portal_atom::value,
    actors::caller_ref{"", true, c->req.ip}, *p);
}

/// RFC 7662 §2.1: `token` (and the optional `token_type_hint`, which changes nothing: every token is an
/// access token) as JSON or as a form.
std::optional<std::string> introspected_token(call& c) {
  if (!c.req.form_body)
    return decode_or_fail(c, [&] {
      auto j = parse_body(c.req.body);
      json_reader r(j, {"token", "token_type_hint"});
      (void)r.opt_string("token_type_hint");
      return r.string("token");
    });
  auto form = parse_form(c.req.body);
  if (auto* e = std::get_if<decode_error>(&form)) {
    fail(c, errc::invalid_request, "the form body " + e->message);
    return std::nullopt;
  }
  auto& fields = std::get<std::map<std::string, std::string>>(form);
  for (const auto& [key, value] : fields)
    if (key != "token" && key != "token_type_hint") {
      fail(c, errc::invalid_request, "unknown field '" + key + "'");
      return std::nullopt;
    }
  auto i = fields.find("token");
  if (i == fields.end() || i->second.empty()) {
    fail(c, errc::invalid_request, "'token' is required");
    return std::nullopt;
  }
  return i->second;
}

void introspect(call_ptr c) {
  if (!is_service_by_bearer_or_basic(*c)) return fail(*c, errc::unauthenticated, "a service key is required");
  auto token = introspected_token(*c);
  if (!token) return;
  ask<actors::introspect_reply>(
    c, [c](actors::introspect_reply& r) { answer(*c, 200, encode(r.result)); }, actors::introspect_atom::value,
    actors::caller_ref{"", true, c->req.ip}, crypto::token_hash(*token));
}

} // namespace

void add_user_routes(router& r) {
  r.add("GET", "/v1/users", list_users);
  r.add("POST", "/v1/users", create_user);
  r.add("PATCH", "/v1/users/{id}", once_settled(patch_user));
  r.add("POST", "/v1/realms", create_realm);
  r.add("POST", "/v1/portals", create_portal);
  r.add("POST", "/v1/introspect", introspect, body_formats::json_or_form);
}

} // namespace actas::net
