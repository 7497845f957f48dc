#include "net/caller.hpp"

#include "crypto/crypto.hpp"
#include "net/reply.hpp"
#include "net/router.hpp"

#include <algorithm>
#include <cctype>

namespace actas::net {

bool presents_key(const call& c, const std::vector<std::string>& keys) {
  auto presented = bearer_token(c.req);
  if (!presented)
    return false;
  bool match = false;
  for (const auto& key : keys)
    match |= crypto::equal_constant_time(*presented, key);
  return match;
}

bool is_service(const call& c) { return presents_key(c, c.sv->service_keys); }

bool is_service_by_bearer_or_basic(const call& c) {
  if (is_service(c)) return true;
  if (!c.req.authorization) return false;
  std::string_view v = *c.req.authorization;
  constexpr std::string_view scheme = "basic ";
  if (v.size() <= scheme.size() || !std::equal(scheme.begin(), scheme.end(), v.begin(), [](char s, char x) {
        return s == std::tolower(static_cast<unsigned char>(x));
      }))
    return false;
  v.remove_prefix(scheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() > 2048) return false;
  const auto credentials = crypto::base64_decode(v);
  if (!credentials) return false;
  const auto colon = credentials->find(':');
  if (colon == std::string::npos) return false;
  const std::string_view password = std::string_view(*credentials).substr(colon + 1);
  const auto decoded = percent_decode(password, true);
  bool match = false;
  for (const auto& key : c.sv->service_keys) {
    match |= crypto::equal_constant_time(password, key);
    if (decoded) match |= crypto::equal_constant_time(*decoded, key);
  }
  return match;
}

std::optional<actors::caller_ref> caller_of(const call& c) {
  if (is_service(c))
    return actors::caller_ref{"", true, c.req.ip};
  auto hash = bearer_hash(c.req);
  if (!hash)
    return std::nullopt;
  return actors::caller_ref{*hash, false, c.req.ip};
}

} // namespace actas::net
