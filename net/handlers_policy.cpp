/// Portal settings, authorize and forward auth, preferences and the inbox.
#include <algorithm>

#include "codec/settings_json.hpp"
#include "net/ask_refusable.hpp"
#include "net/caller.hpp"
#include "net/codec_policy.hpp"
#include "net/handlers.hpp"
#include "net/settled.hpp"

namespace actas::net {

namespace {

using domain::errc;

/// Preferences are a JSON object the platform's UI keeps; bounded well below the body limit.
constexpr std::size_t max_preferences = 16 * 1024;

json settings_answer(const actors::settings_reply& r) {
  return {{"portal", r.portal_id}, {"settings", codec::encode(r.effective)}, {"override", codec::encode(r.stored)}};
}

void get_settings(call_ptr c) {
  auto who = caller_of(*c);
  if (!who) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask_refusable<actors::settings_reply>(
    c, [c](actors::settings_reply& r) { answer(*c, 200, settings_answer(r)); }, actors::settings_atom::value, *who,
    c->req.params.at("id"));
}

void patch_settings(call_ptr c) {
  auto who = caller_of(*c);
  if (!who) return fail(*c, errc::unauthenticated);
  auto body = decode_or_fail(*c, [&] { return parse_body(c->req.body); });
  if (!body) return;
  auto decoded = codec::decode_settings_patch(*body);
  if (auto* e = std::get_if<domain::settings_error>(&decoded)) return fail(*c, errc::invalid_request, e->field + ": " + e->message);
  ask_refusable<actors::settings_reply>(
    c, [c](actors::settings_reply& r) { answer(*c, 200, settings_answer(r)); }, actors::settings_atom::value, *who,
    c->req.params.at("id"), std::get<domain::settings_patch>(decoded));
}

/// The body of every authorize answer: {allowed, code, subject, actor}.
json decision(const actors::authorize_reply& r) {
  return {{"allowed", r.allowed},
          {"code", r.code ? json(std::string{domain::to_string(*r.code)}) : json(nullptr)},
          {"subject", or_null(r.subject)},
          {"actor", or_null(r.actor)}};
}

/// Asks authorize about `action` for the request's bearer token, counts the decision (SPEC §10
/// actas_decisions_total: plain allowed decisions are counted here, not logged, SPEC §5) and hands the reply
/// on. A registry that cannot answer is a denial with audit_unavailable: fail closed.
void decide(call_ptr c, std::string action, std::optional<std::string> resource,
            std::function<void(const actors::authorize_reply&)> then) {
  actors::authorize_command cmd{bearer_hash(c->req).value_or(""), std::move(action), std::move(resource), c->req.ip};
  const auto counted = [c, then](const actors::authorize_reply& r) {
    c->sv->metrics->count_decision("authorize", r.allowed, r.code ? domain::to_string(*r.code) : "");
    then(r);
  };
  ask_registry<actors::authorize_reply>(
    *c->sv, c->post, [counted](actors::authorize_reply& r) { counted(r); },
    [counted](const caf::error&) { counted({false, domain::errc::audit_unavailable, {}, {}, {}, {}}); },
    actors::authorize_atom::value, std::move(cmd));
}

void authorize(call_ptr c) {
  auto body = decode_or_fail(*c, [&] {
    auto j = parse_body(c->req.body);
    json_reader r(j, {"action", "resource"});
    return std::pair{r.string("action"), r.opt_string("resource")};
  });
  if (!body) return;
  // Always 200 (SPEC §6): a missing or dead token is an answer too, allowed:false with its code.
  decide(c, body->first, body->second, [c](const actors::authorize_reply& r) { answer(*c, 200, decision(r)); });
}

/// The proxied request's method: an HTTP token in capitals, as proxies send it.
bool valid_forwarded_method(std::string_view m) {
  return !m.empty() && m.size() <= 16 && std::all_of(m.begin(), m.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

/// GET /v1/auth/forward (SPEC §9): a reverse proxy asks about one browser request. 200 with the identity
/// headers when authorize allows its action, 401 without a live token, 403 with X-Actas-Code when denied;
/// audited as authorize is. The body is authorize's, for whoever reads it.
void forward(call_ptr c) {
  if (!only_query(*c, {})) return;
  if (!c->req.original_uri || !c->req.original_method)
    return fail(*c, errc::invalid_request,
                "the proxied request is missing: send X-Original-Method and X-Original-URI (nginx) or "
                "X-Forwarded-Method and X-Forwarded-Uri");
  const auto& method = *c->req.original_method;
  if (!valid_forwarded_method(method)) return fail(*c, errc::invalid_request, "the proxied method is not an HTTP method");
  const std::string_view uri = *c->req.original_uri;
  const auto path = domain::normalized_forward_path(uri.substr(0, uri.find_first_of("?#")));
  if (!path) return fail(*c, errc::invalid_request, "the proxied URI is not a path starting with '/' that decodes to UTF-8");
  const auto action = domain::forward_action(c->sv->forward_rules, method, *path);
  decide(c, action, *path, [c](const actors::authorize_reply& r) {
    response res;
    res.body = decision(r).dump();
    if (r.allowed) {
      res.status = 200;
      // Empty when absent, so a proxy copying them always overwrites whatever the browser sent.
      res.headers = {{"X-Actas-Subject", r.subject.value_or("")},
                     {"X-Actas-Actor", r.actor.value_or("")},
                     {"X-Actas-Session", r.session.value_or("")},
                     {"X-Actas-Grant", r.grant.value_or("")}};
    } else if (r.code == errc::unauthenticated) {
      res.status = 401;
      res.headers = {{"WWW-Authenticate", "Bearer"}};
    } else {
      res.status = 403;
      res.headers = {{"X-Actas-Code", std::string(domain::to_string(r.code.value_or(errc::forbidden)))}};
    }
    c->respond(std::move(res));
  });
}

void get_preferences(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {})) return;
  ask<actors::prefs_reply>(
    c, [c](actors::prefs_reply& r) { answer(*c, 200, {{"preferences", json::parse(r.json, nullptr, false)}}); },
    actors::prefs_atom::value, *hash);
}

void put_preferences(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (c->req.body.size() > max_preferences) return fail(*c, errc::too_large, "preferences are limited to 16 KiB");
  auto body = decode_or_fail(*c, [&] { return parse_body(c->req.body); });
  if (!body) return;
  ask<actors::prefs_reply>(
    c, [c](actors::prefs_reply& r) { answer(*c, 200, {{"preferences", json::parse(r.json, nullptr, false)}}); },
    actors::prefs_atom::value, *hash, dump(*body));
}

json inbox_answer(const actors::inbox_reply& r) {
  json items = json::array();
  for (const auto& n : r.items) items.push_back(encode(n));
  return {{"notifications", items}, {"unread", r.unread}};
}

void list_notifications(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {"unread", "limit"})) return;
  bool unread_only = false;
  if (auto i = c->req.query.find("unread"); i != c->req.query.end()) {
    if (i->second != "true" && i->second != "false") return fail(*c, errc::invalid_request, "'unread' must be true or false");
    unread_only = i->second == "true";
  }
  std::int64_t limit = 50;
  if (!query_int(*c, "limit", 1, 200, limit)) return;
  ask<actors::inbox_reply>(
    c, [c](actors::inbox_reply& r) { answer(*c, 200, inbox_answer(r)); }, actors::inbox_atom::value, *hash,
    unread_only, static_cast<std::int32_t>(limit));
}

void read_notification(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  auto body = decode_or_fail(*c, [&] { return parse_body(c->req.body, true); });
  if (!body) return;
  ask<actors::inbox_reply>(
    c,
    [c](actors::inbox_reply& r) {
      answer(*c, 200, {{"notification", encode(r.items.at(0))}, {"unread", r.unread}});
    },
    actors::read_atom::value, *hash, c->req.params.at("id"));
}

} // namespace

void add_policy_routes(router& r) {
  r.add("GET", "/v1/portals/{id}/settings", get_settings);
  r.add("PATCH", "/v1/portals/{id}/settings", once_settled(patch_settings));
  r.add("POST", "/v1/authorize", authorize);
  r.add("GET", "/v1/auth/forward", forward);
  r.add("GET", "/v1/me/preferences", get_preferences);
  r.add("PUT", "/v1/me/preferences", put_preferences);
  r.add("GET", "/v1/notifications", list_notifications);
  r.add("POST", "/v1/notifications/{id}/read", read_notification);
}

} // namespace actas::net
