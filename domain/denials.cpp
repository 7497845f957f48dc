#include "domain/denials.hpp"

#include "domain/text.hpp"

namespace actas::domain {

std::string denial_text(std::string_view s) {
  // Cut first, so a 64 KiB text costs one pass over its first 200 code points, not over all of it.
  return make_valid_utf8(truncate_code_points(s, denial_text_limit));
}

std::string denial_chain(const user* caller, const std::optional<id>& realm_acted_on) {
  if (caller && caller->realm_id)
    return *caller->realm_id;
  return realm_acted_on.value_or(std::string{system_chain});
}

audit_event denial_event(const denial& d) {
  audit_event e;
  e.chain = d.chain;
  e.at = d.at;
  e.event = d.event;
  if (!d.who.performed_by.empty())
    e.performed_by = d.who.performed_by;
  e.active_account = d.who.active_account;
  e.via = d.who.via;
  e.grant = d.who.grant;
  e.session = d.session;
  e.portal = d.portal;
  e.result = outcome::denied;
  e.code = std::string{to_string(d.code)};
  if (d.reason)
    e.reason = denial_text(*d.reason);
  if (!d.ip.empty())
    e.ip = denial_text(d.ip);
  if (!d.texts.empty()) {
    // Keys of a std::map are already sorted, as canonical JSON requires.
    std::string detail = "{";
    for (const auto& [key, value] : d.texts) {
      if (detail.size() > 1)
        detail += ',';
      detail += json_quote(key);
      detail += ':';
      detail += json_quote(denial_text(value));
    }
    e.detail_json = detail + "}";
  }
  return e;
}

denial start_denial(const user& caller, const acting& who, std::string_view target, errc code,
                    const std::optional<std::string>& reason, const std::optional<std::string>& return_to,
                    const std::string& ip, timestamp at) {
  denial d;
  d.chain = denial_chain(&caller, std::nullopt);
  d.event = "impersonation.start";
  d.who = who;
  d.portal = caller.home_portal;
  d.code = code;
  d.reason = reason;
  d.texts.emplace("target", std::string{target});
  if (return_to)
    d.texts.emplace("return_to", *return_to);
  d.ip = ip;
  d.at = at;
  return d;
}

denial login_denial(const user* named, std::string_view username, errc code, const std::string& ip, timestamp at) {
  denial d;
  d.chain = named && named->realm_id ? *named->realm_id : std::string{system_chain};
  d.event = "login";
  d.code = code;
  d.texts.emplace("username", std::string{username});
  d.ip = ip;
  d.at = at;
  return d;
}

std::string denial_list(const std::vector<std::string>& items) {
  // A code point is at most 4 bytes: past this many bytes the rest would be cut anyway.
  constexpr std::size_t enough = 4 * denial_text_limit;
  std::string out;
  for (const auto& item : items) {
    if (out.size() >= enough)
      break;
    if (!out.empty())
      out += ", ";
    out.append(item, 0, enough);
  }
  return out;
}

} // namespace actas::domain
