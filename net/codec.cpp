#include "net/codec.hpp"

#include <algorithm>
#include <chrono>
#include <initializer_list>

#include "domain/role.hpp"
#include "net/json_reader.hpp"

namespace actas::net {

namespace {

json optional_time(const std::optional<domain::timestamp>& t) {
  return t ? json(domain::format_utc(*t)) : json(nullptr);
}

// -- strict decoding --

template <class T, class F>
decoded<T> guarded(F&& f) {
  try {
    return f();
  } catch (const body_refusal& r) {
    return decode_error{r.message};
  }
}

std::string banner_text(const actors::banner_set& b) {
  if (b.kind == "impersonating")
    return "You are logged in as " + b.target_name + ". Switch back when you are done.";
  if (b.kind == "being_viewed") return b.actor_name + " is signed in to your account to help you.";
  if (b.kind == "ending_soon") return "This session ends at " + domain::format_utc(b.session.expires_at) + ".";
  if (b.kind == "support_request" && b.request)
    return b.actor_name + " asks for temporary admin access: " + b.request->reason;
  return {};
}

} // namespace

json or_null(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json encode(const domain::user& u) {
  return {{"id", u.user_id},
          {"username", u.username},
          {"name", u.display_name},
          {"role", domain::to_string(u.user_role)},
          {"status", domain::to_string(u.status)},
          {"portal", or_null(u.home_portal)},
          {"realm", or_null(u.realm_id)},
          {"consents", {{"terms", u.accepted.terms}, {"privacy", u.accepted.privacy}}},
          {"temporary", u.is_temporary()}};
}

json encode(const domain::impersonation_session& s) {
  return {{"id", s.session_id},
          {"actor", s.actor},
          {"target", s.target},
          {"portal", or_null(s.portal)},
          {"realm", or_null(s.realm_id)},
          {"reason", s.reason},
          {"return_to", or_null(s.return_to)},
          {"state", domain::to_string(s.state)},
          {"started_at", domain::format_utc(s.started_at)},
          {"expires_at", domain::format_utc(s.expires_at)},
          {"ended_at", optional_time(s.ended_at)},
          {"end_reason", s.ended_because ? json(domain::to_string(*s.ended_because)) : json(nullptr)},
          {"via", or_null(s.via)},
          {"grant", or_null(s.grant_id)}};
}

json encode(const domain::notification& n) {
  return {{"id", n.notification_id},
          {"kind", domain::to_string(n.kind)},
          {"title", n.title},
          {"body", n.body},
          {"created_at", domain::format_utc(n.created_at)},
          {"read", n.read}};
}

json encode(const domain::audit_event& e) {
  json detail = nullptr;
  if (!e.detail_json.empty()) {
    detail = json::parse(e.detail_json, nullptr, false);
    if (detail.is_discarded()) detail = e.detail_json;  // never hide what was written
  }
  return {{"chain", e.chain},
          {"seq", e.seq},
          {"at", domain::format_utc(e.at)},
          {"event", e.event},
          {"performed_by", or_null(e.performed_by)},
          {"active_account", or_null(e.active_account)},
          {"via", or_null(e.via)},
          {"session", or_null(e.session)},
          {"grant", or_null(e.grant)},
          {"portal", or_null(e.portal)},
          {"action", or_null(e.action)},
          {"outcome", domain::to_string(e.result)},
          {"code", or_null(e.code)},
          {"reason", or_null(e.reason)},
          {"ip", or_null(e.ip)},
          {"detail", std::move(detail)},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

json encode(const domain::support_request& r) {
  return {{"id", r.request_id},
          {"support_user", r.support_user},
          {"realm", r.realm_id},
          {"portals", r.portals},
          {"reason", r.reason},
          {"ticket", r.ticket},
          {"state", domain::to_string(r.state)},
          {"created_at", domain::format_utc(r.created_at)},
          {"lapses_at", domain::format_utc(r.lapses_at)},
          {"decided_at", optional_time(r.decided_at)},
          {"decided_by", or_null(r.decided_by)}};
}

json encode(const domain::support_grant& g) {
  return {{"id", g.grant_id},
          {"request", g.request_id},
          {"portal", g.portal_id},
          {"realm", g.realm_id},
          {"support_user", g.support_user},
          {"temp_admin", g.temp_admin},
          {"granted_by", g.granted_by},
          {"state", domain::to_string(g.state)},
          {"created_at", domain::format_utc(g.created_at)},
          {"expires_at", domain::format_utc(g.expires_at)},
          {"ended_at", optional_time(g.ended_at)},
          {"ended_by", or_null(g.ended_by)}};
}

json encode(const std::string& chain, const domain::verify_result& r) {
  json j{{"ok", r.ok}, {"events", r.events}, {"head", r.head}, {"chain", chain}};
  if (r.first_bad_seq) j["first_bad_seq"] = *r.first_bad_seq;
  if (!r.problem.empty()) j["problem"] = r.problem;
  return j;
}

std::optional<json> encode_frame(const actors::live_event& ev, domain::timestamp now) {
  struct visitor {
    domain::timestamp now;

    std::optional<json> operator()(const actors::hello& h) const {
      return json{{"type", "hello"},
                  {"user", encode(h.user)},
                  {"actor", h.actor ? encode(*h.actor) : json(nullptr)},
                  {"impersonation", or_null(h.who.session_id)},
                  {"grant", or_null(h.who.grant_id)},
                  {"unread", h.unread}};
    }
    std::optional<json> operator()(const actors::notification_pushed& n) const {
      return json{{"type", "notification"}, {"notification", encode(n.item)}, {"unread", n.unread}};
    }
    std::optional<json> operator()(const actors::banner_set& b) const {
      using namespace std::chrono;
      const auto until = b.request ? b.request->lapses_at : b.session.expires_at;
      const auto left = std::max<std::int64_t>(0, duration_cast<seconds>(until - now).count());
      json j{{"type", "banner"},
             {"kind", b.kind},
             {"text", banner_text(b)},
             {"actor_name", b.actor_name},
             {"expires_at", domain::format_utc(until)},
             {"seconds_left", left}};
      if (b.request) {
        j["request"] = encode(*b.request);
      } else {
        j["session"] = b.session.session_id;
        j["target_name"] = b.target_name;
      }
      return j;
    }
    std::optional<json> operator()(const actors::banner_cleared& b) const {
      // The banner's key: a request id for `support_request`, else a session id.
      const char* key = b.kind == "support_request" ? "request" : "session";
      return json{{"type", "banner_clear"}, {"kind", b.kind}, {key, b.session_id}};
    }
    std::optional<json> operator()(const actors::session_closed& c) const {
      return json{{"type", "session_ended"},
                  {"session", encode(c.session)},
                  {"reason", c.session.ended_because ? json(domain::to_string(*c.session.ended_because))
                                                     : json(nullptr)},
                  {"return_to", or_null(c.session.return_to)}};
    }
    std::optional<json> operator()(const actors::dashboard_update& u) const {
      json j{{"type", "dashboard"}, {"op", u.removed ? "remove" : "upsert"}};
      if (u.session) j["session"] = encode(*u.session);
      if (u.request) j["request"] = encode(*u.request);
      if (u.grant) j["grant"] = encode(*u.grant);
      return j;
    }
    std::optional<json> operator()(const actors::notification_read& r) const {
      return json{{"type", "notification_read"}, {"notification", r.notification_id}, {"unread", r.unread}};
    }
    std::optional<json> operator()(const actors::error_frame& e) const {
      return json{{"type", "error"}, {"code", domain::to_string(e.code)}};
    }
    std::optional<json> operator()(const actors::socket_close&) const { return std::nullopt; }
  };
  return std::visit(visitor{now}, ev);
}

decoded<login_body> decode_login(std::string_view body) {
  return guarded<login_body>([&] {
    const auto j = parse_body(body);
    const json_reader r(j, {"username", "password"});
    return login_body{r.string("username"), r.string("password")};
  });
}

decoded<start_body> decode_start(std::string_view body) {
  return guarded<start_body>([&] {
    const auto j = parse_body(body);
    const json_reader r(j, {"target", "reason", "return_to"});
    return start_body{r.string("target"), r.opt_string("reason"), r.opt_string("return_to")};
  });
}

decoded<end_body> decode_end(std::string_view body) {
  return guarded<end_body>([&] {
    const auto j = parse_body(body, true);
    return end_body{json_reader(j, {"message"}).opt_string("message")};
  });
}

decoded<token_body> decode_token(std::string_view body) {
  return guarded<token_body>([&] {
    const auto j = parse_body(body);
    return token_body{json_reader(j, {"user"}).string("user")};
  });
}

decoded<empty_body> decode_empty(std::string_view body) {
  return guarded<empty_body>([&] {
    json_reader(parse_body(body, true), {});
    return empty_body{};
  });
}

decoded<client_frame> decode_client_frame(std::string_view text) {
  return guarded<client_frame>([&]() -> client_frame {
    const auto j = parse_body(text, false, "the frame");
    const auto type = json_reader(j, {"type", "topic"}).string("type");
    if (type == "ping") {
      json_reader(j, {"type"});
      return ping_frame{};
    }
    if (type == "subscribe") return subscribe_frame{json_reader(j, {"type", "topic"}).string("topic")};
    throw body_refusal{"unknown frame type " + quote_name(type)};
  });
}

} // namespace actas::net
