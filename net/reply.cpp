#include "net/reply.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/crypto.hpp"

namespace actas::net {

void answer(call& c, unsigned status, const json& body) { c.respond({status, dump(body)}); }

void fail(call& c, domain::errc code, std::string_view message) {
  c.respond({http_status(code), error_body(code, message, c.req.request_id)});
}

std::optional<std::string> bearer_token(const request& r) {
  if (!r.authorization) return std::nullopt;
  std::string_view v = *r.authorization;
  constexpr std::string_view scheme = "bearer ";
  if (v.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(v[i])) != scheme[i]) return std::nullopt;
  v.remove_prefix(scheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  // RFC 6750 token68: letters, digits and -._~+/ with trailing '='.
  const bool token68 = !v.empty() && v.size() <= 512 && std::all_of(v.begin(), v.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' || ch == '/' || ch == '=';
  });
  if (!token68) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> bearer_hash(const request& r) {
  auto token = bearer_token(r);
  if (!token) return std::nullopt;
  return crypto::token_hash(*token);
}

bool only_query(call& c, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : c.req.query) {
    (void)value;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail(c, domain::errc::invalid_request, "unknown query parameter '" + key + "'");
      return false;
    }
  }
  return true;
}

} // namespace actas::net

namespace actas::net {

bool query_int(call& c, const std::string& name, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  auto i = c.req.query.find(name);
  if (i == c.req.query.end()) return true;
  const auto& text = i->second;
  std::int64_t value = 0;
  bool ok = !text.empty() && text.size() <= 18 &&
            std::all_of(text.begin(), text.end(), [](unsigned char ch) { return std::isdigit(ch); });
  if (ok) {
    value = std::stoll(text);
    ok = value >= lo && value <= hi;
  }
  if (!ok) {
    fail(c, domain::errc::invalid_request,
         "query parameter '" + name + "' must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return false;
  }
  out = value;
  return true;
}

} // namespace actas::net
