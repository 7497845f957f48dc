#include "domain/session_events.hpp"

namespace actas::domain {

namespace {

std::string detail_of(const std::map<std::string, std::string>& fields) {
  // Keys of a std::map are already sorted, as canonical JSON requires.
  std::string out = "{";
  for (const auto& [key, value] : fields) {
    if (out.size() > 1)
      out += ',';
    out += json_quote(key);
    out += ':';
    out += json_quote(value);
  }
  return out + "}";
}

} // namespace

std::string chain_of(const impersonation_session& s) {
  return s.realm_id ? *s.realm_id : std::string{system_chain};
}

audit_event start_event(const impersonation_session& s, const std::string& ip) {
  audit_event e;
  e.chain = chain_of(s);
  e.at = s.started_at;
  e.event = "impersonation.start";
  e.performed_by = s.actor;
  e.active_account = s.target;
  e.via = s.via;
  e.session = s.session_id;
  e.grant = s.grant_id;
  e.portal = s.portal;
  e.result = outcome::allowed;
  e.reason = s.reason;
  if (!ip.empty())
    e.ip = ip;
  std::map<std::string, std::string> detail{{"expires_at", format_utc(s.expires_at)}};
  if (s.return_to)
    detail.emplace("return_to", *s.return_to);
  e.detail_json = detail_of(detail);
  return e;
}

audit_event end_event(const impersonation_session& s, const std::optional<id>& ended_by,
                      const std::optional<errc>& rule, const std::string& ip) {
  audit_event e;
  e.chain = chain_of(s);
  e.at = s.ended_at.value_or(s.expires_at);
  e.event = "impersonation.end";
  e.performed_by = ended_by.value_or(s.actor);
  e.active_account = s.target;
  e.via = s.via;
  e.session = s.session_id;
  e.grant = s.grant_id;
  e.portal = s.portal;
  e.result = outcome::done;
  if (rule)
    e.code = std::string{to_string(*rule)};
  if (!ip.empty())
    e.ip = ip;
  std::map<std::string, std::string> detail{
    {"end_reason", std::string{to_string(s.ended_because.value_or(end_reason::expired))}},
    {"actor", s.actor}};
  if (ended_by)
    detail.emplace("ended_by", *ended_by);
  e.detail_json = detail_of(detail);
  return e;
}

std::map<std::string, std::string> session_values(const impersonation_session& s, const std::string& actor_name,
                                                  const std::string& target_name, const std::string& portal_name) {
  std::map<std::string, std::string> v{
    {"actor_name", actor_name},     {"target_name", target_name},
    {"started_at", format_utc(s.started_at)}, {"expires_at", format_utc(s.expires_at)},
    {"reason", s.reason},           {"portal_name", portal_name},
  };
  if (s.ended_at)
    v["ended_at"] = format_utc(*s.ended_at);
  return v;
}

} // namespace actas::domain
