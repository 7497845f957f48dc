#include "net/codec_policy.hpp"

#include "domain/role.hpp"
#include "domain/text.hpp"

namespace actas::net {

namespace {

domain::role role_named(const std::string& name, const std::string& field) {
  auto r = domain::role_from_string(name);
  if (!r)
    throw body_refusal{"'" + field + "' is not a role: " + domain::truncate_code_points(name, 64, "…")};
  return *r;
}

domain::user_status status_named(const std::string& name, const std::string& field) {
  auto s = domain::user_status_from_string(name);
  if (!s)
    throw body_refusal{"'" + field + "' is not a status: " + domain::truncate_code_points(name, 64, "…")};
  return *s;
}

} // namespace

domain::new_user decode_new_user(std::string_view body) {
  auto j = parse_body(body);
  json_reader r(j, {"id", "username", "name", "role", "status", "portal", "admin_portals", "assigned_users",
                    "assigned_portals", "consents"});
  domain::new_user u;
  u.user_id = r.string("id");
  u.username = r.string("username");
  u.display_name = r.string("name");
  u.user_role = role_named(r.string("role"), "role");
  if (auto s = r.opt_string("status"))
    u.status = status_named(*s, "status");
  u.portal = r.opt_string("portal");
  u.admin_portals = r.opt_strings("admin_portals").value_or(std::vector<std::string>{});
  u.assigned_users = r.opt_strings("assigned_users").value_or(std::vector<std::string>{});
  u.assigned_portals = r.opt_strings("assigned_portals").value_or(std::vector<std::string>{});
  if (const auto* c = r.opt_object("consents")) {
    json_reader cr(*c, {"terms", "privacy"}, "consents.");
    u.accepted.terms = cr.opt_bool("terms").value_or(false);
    u.accepted.privacy = cr.opt_bool("privacy").value_or(false);
  }
  return u;
}

domain::user_patch decode_user_patch(std::string_view body) {
  auto j = parse_body(body);
  json_reader r(j, {"status", "role", "name", "consents", "admin_portals", "assigned_users", "assigned_portals"});
  domain::user_patch p;
  if (auto s = r.opt_string("status"))
    p.status = status_named(*s, "status");
  if (auto s = r.opt_string("role"))
    p.user_role = role_named(*s, "role");
  p.display_name = r.opt_string("name");
  if (const auto* c = r.opt_object("consents")) {
    json_reader cr(*c, {"terms", "privacy"}, "consents.");
    p.consents.terms = cr.opt_bool("terms");
    p.consents.privacy = cr.opt_bool("privacy");
  }
  p.admin_portals = r.opt_strings("admin_portals");
  p.assigned_users = r.opt_strings("assigned_users");
  p.assigned_portals = r.opt_strings("assigned_portals");
  return p;
}

domain::new_realm decode_new_realm(std::string_view body) {
  auto j = parse_body(body);
  json_reader r(j, {"id", "name", "top_portal"});
  domain::new_realm out;
  out.realm_id = r.string("id");
  out.name = r.string("name");
  const auto* top = r.opt_object("top_portal");
  if (!top)
    throw body_refusal{"'top_portal' is required"};
  json_reader tr(*top, {"id", "name"}, "top_portal.");
  out.top_portal_id = tr.string("id");
  out.top_portal_name = tr.string("name");
  return out;
}

domain::new_portal decode_new_portal(std::string_view body) {
  auto j = parse_body(body);
  json_reader r(j, {"id", "parent", "name"});
  return {r.string("id"), r.string("parent"), r.string("name")};
}

json encode(const domain::access_row& row) {
  return {{"portal", row.portal_id},
          {"name", row.name},
          {"state", row.state},
          {"expires_at", row.expires_at ? json(domain::format_utc(*row.expires_at)) : json(nullptr)},
          {"grant", or_null(row.grant_id)},
          {"request", or_null(row.request_id)}};
}

json encode(const domain::introspection& i) {
  if (!i.active)
    return {{"active", false}};
  // RFC 8693 nests the actors: the nearest real actor outermost, the one behind it in its `act`.
  json act = nullptr;
  for (auto link = i.act.rbegin(); link != i.act.rend(); ++link) {
    json level{{"sub", link->sub}};
    if (link->sid)
      level["sid"] = *link->sid;
    if (!act.is_null())
      level["act"] = act;
    act = level;
  }
  const auto seconds = [](domain::timestamp t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  json out{{"active", true},
           {"token_type", "access_token"},
           {"sub", i.sub},
           {"username", i.username},
           {"iat", seconds(i.iat)},
           {"exp", seconds(i.exp)},
           {"portal", i.portal ? json(*i.portal) : json(nullptr)}};
  if (!act.is_null())
    out["act"] = act;
  return out;
}

json encode(const actors::user_row& row) {
  auto j = encode(row.user);
  j["can_impersonate"] = row.can_impersonate;
  j["why_not"] = row.why_not ? json(std::string{domain::to_string(*row.why_not)}) : json(nullptr);
  return j;
}

} // namespace actas::net
