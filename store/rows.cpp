#include "store/rows.hpp"

#include <stdexcept>

#include "codec/settings_json.hpp"

namespace actas::store::rows {

namespace {

// Turns a parsed enum back into a value, or explains which stored text did not parse.
template <class E>
E require(std::optional<E> v, const char* what, const std::string& text) {
  if (!v) throw std::runtime_error(std::string("stored ") + what + " \"" + text + "\" is not known to this build");
  return *v;
}

domain::outcome outcome_from(const std::string& text) {
  for (auto o : {domain::outcome::allowed, domain::outcome::denied, domain::outcome::done})
    if (domain::to_string(o) == text) return o;
  throw std::runtime_error("stored audit outcome \"" + text + "\" is not known to this build");
}

} // namespace

domain::user read_user(const query& q) {
  domain::user u;
  u.user_id = q.text(0);
  u.username = q.text(1);
  u.display_name = q.text(2);
  u.user_role = require(domain::role_from_string(q.text(3)), "user role", q.text(3));
  u.status = require(domain::user_status_from_string(q.text(4)), "user status", q.text(4));
  u.home_portal = q.opt_text(5);
  u.realm_id = q.opt_text(6);
  u.accepted.terms = q.int64(7) != 0;
  u.accepted.privacy = q.int64(8) != 0;
  u.exact_scope = q.int64(9) != 0;
  u.grant_id = q.opt_text(10);
  u.last_seen_at = q.opt_time(11);
  return u;
}

domain::impersonation_session read_session(const query& q) {
  domain::impersonation_session s;
  s.session_id = q.text(0);
  s.actor = q.text(1);
  s.target = q.text(2);
  s.portal = q.opt_text(3);
  s.realm_id = q.opt_text(4);
  s.grant_id = q.opt_text(5);
  s.via = q.opt_text(6);
  s.reason = q.text(7);
  s.return_to = q.opt_text(8);
  s.state = require(domain::session_state_from_string(q.text(9)), "session state", q.text(9));
  s.started_at = q.time(10);
  s.expires_at = q.time(11);
  s.warn_at = q.time(12);
  s.ended_at = q.opt_time(13);
  if (auto why = q.opt_text(14)) s.ended_because = require(domain::end_reason_from_string(*why), "end reason", *why);
  return s;
}

token_record read_token(const query& q) {
  token_record t;
  t.hash = q.text(0);
  t.user_id = q.text(1);
  t.kind = require(token_kind_from_string(q.text(2)), "token kind", q.text(2));
  t.session_id = q.opt_text(3);
  t.grant_id = q.opt_text(4);
  t.actor_id = q.opt_text(5);
  t.created_at = q.time(6);
  t.expires_at = q.time(7);
  t.idle_timeout_s = q.int64(8);
  t.last_used_at = q.time(9);
  t.revoked_at = q.opt_time(10);
  t.parent_hash = q.opt_text(11);
  return t;
}

std::string join_ids(const std::vector<domain::id>& ids) {
  std::string out;
  for (const auto& i : ids) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}

std::vector<domain::id> split_ids(const std::string& text) {
  std::vector<domain::id> out;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

domain::support_request read_request(const query& q) {
  domain::support_request r;
  r.request_id = q.text(0);
  r.support_user = q.text(1);
  r.realm_id = q.text(2);
  r.portals = split_ids(q.text(3));
  r.reason = q.text(4);
  r.ticket = q.text(5);
  r.state = require(domain::request_state_from_string(q.text(6)), "request state", q.text(6));
  r.created_at = q.time(7);
  r.lapses_at = q.time(8);
  r.decided_at = q.opt_time(9);
  r.decided_by = q.opt_text(10);
  return r;
}

domain::support_grant read_grant(const query& q) {
  domain::support_grant g;
  g.grant_id = q.text(0);
  g.request_id = q.text(1);
  g.portal_id = q.text(2);
  g.realm_id = q.text(3);
  g.support_user = q.text(4);
  g.temp_admin = q.text(5);
  g.granted_by = q.text(6);
  g.state = require(domain::grant_state_from_string(q.text(7)), "grant state", q.text(7));
  g.created_at = q.time(8);
  g.expires_at = q.time(9);
  g.warn_at = q.time(10);
  g.ended_at = q.opt_time(11);
  g.ended_by = q.opt_text(12);
  return g;
}

domain::notification read_notification(const query& q) {
  domain::notification n;
  n.notification_id = q.text(0);
  n.user_id = q.text(1);
  n.kind = require(domain::notification_kind_from_string(q.text(2)), "notification kind", q.text(2));
  n.title = q.text(3);
  n.body = q.text(4);
  n.created_at = q.time(5);
  n.read = q.int64(6) != 0;
  return n;
}

domain::audit_event read_audit(const query& q) {
  domain::audit_event e;
  e.chain = q.text(0);
  e.seq = q.int64(1);
  e.at = q.time(2);
  e.event = q.text(3);
  e.performed_by = q.opt_text(4);
  e.active_account = q.opt_text(5);
  e.via = q.opt_text(6);
  e.session = q.opt_text(7);
  e.grant = q.opt_text(8);
  e.portal = q.opt_text(9);
  e.action = q.opt_text(10);
  e.result = outcome_from(q.text(11));
  e.code = q.opt_text(12);
  e.reason = q.opt_text(13);
  e.ip = q.opt_text(14);
  e.detail_json = q.text(15);
  e.prev_hash = q.text(16);
  e.hash = q.text(17);
  return e;
}

domain::settings_patch read_settings(const std::string& portal_id, const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw std::runtime_error("stored settings of portal " + portal_id + " are not JSON");
  auto decoded = codec::decode_settings_patch(parsed);
  if (auto* err = std::get_if<domain::settings_error>(&decoded))
    throw std::runtime_error("stored settings of portal " + portal_id + " refused at " + err->field + ": " +
                             err->message);
  return std::get<domain::settings_patch>(std::move(decoded));
}

} // namespace actas::store::rows
