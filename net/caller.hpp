#pragma once
/// Who calls: the platform with a service key, or a bearer token.
#include <optional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "net/call.hpp"

namespace actas::net {

/// True when the bearer token is one of the configured service keys. Every key is compared, in constant
/// time, so timing tells nothing about which matched or how far.
bool is_service(const call& c);

/// True when the bearer token is one of `keys` (any key list: service keys, metrics keys), compared the
/// same way.
bool presents_key(const call& c, const std::vector<std::string>& keys);

/// is_service, or (RFC 7662 §2.1 via RFC 6749 §2.3.1) a service key as the password of HTTP Basic
/// authentication, with any user name: what standard introspection clients send. The password is tried as
/// sent and form-decoded, as RFC 6749 asks clients to encode it and not all do.
bool is_service_by_bearer_or_basic(const call& c);

/// The caller of a request that both the platform and users may make; nullopt when neither a service key
/// nor a bearer token came with it (401).
std::optional<actors::caller_ref> caller_of(const call& c);

} // namespace actas::net
