#pragma once
/// The one mapping from error codes to HTTP statuses, and the error body of SPEC §6:
/// {"error": {"code": "…", "message": "…", "request_id": "…"}}.
#include <string>
#include <string_view>

#include "domain/errc.hpp"

namespace actas::net {

/// The HTTP status of a code (e.g. target_busy → 409).
unsigned http_status(domain::errc code);

/// A sentence saying what the code means to a client, for when the caller has nothing more precise.
std::string_view default_message(domain::errc code);

/// The JSON error body; `message` empty → default_message(code).
std::string error_body(domain::errc code, std::string_view message, std::string_view request_id);

} // namespace actas::net
