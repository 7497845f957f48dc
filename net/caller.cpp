#include "net/caller.hpp"

#include "crypto/crypto.hpp"
#include "net/reply.hpp"

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

std::optional<actors::caller_ref> caller_of(const call& c) {
  if (is_service(c))
    return actors::caller_ref{"", true, c.req.ip};
  auto hash = bearer_hash(c.req);
  if (!hash)
    return std::nullopt;
  return actors::caller_ref{*hash, false, c.req.ip};
}

} // namespace actas::net
