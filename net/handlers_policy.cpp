/// Portal settings, authorize, preferences and the inbox.
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

void authorize(call_ptr c) {
  auto hash = bearer_hash(c->req);
  auto body = decode_or_fail(*c, [&] {
    auto j = parse_body(c->req.body);
    json_reader r(j, {"action", "resource"});
    return std::pair{r.string("action"), r.opt_string("resource")};
  });
  if (!body) return;
  actors::authorize_command cmd{hash.value_or(""), body->first, body->second, c->req.ip};
  // Always 200 (SPEC §6): a missing or dead token is an answer too, allowed:false with its code.
  ask_registry<actors::authorize_reply>(
    *c->sv, c->post,
    [c](actors::authorize_reply& r) {
      // SPEC §10 actas_decisions_total: plain allowed decisions are counted here, not logged (SPEC §5).
      c->sv->metrics->count_decision("authorize", r.allowed, r.code ? domain::to_string(*r.code) : "");
      answer(*c, 200, decision(r));
    },
    [c](const caf::error&) {
      c->sv->metrics->count_decision("authorize", false, domain::to_string(domain::errc::audit_unavailable));
      answer(*c, 200, decision({false, domain::errc::audit_unavailable, {}, {}}));
    },
    actors::authorize_atom::value, std::move(cmd));
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
  r.add("GET", "/v1/me/preferences", get_preferences);
  r.add("PUT", "/v1/me/preferences", put_preferences);
  r.add("GET", "/v1/notifications", list_notifications);
  r.add("POST", "/v1/notifications/{id}/read", read_notification);
}

} // namespace actas::net
