#pragma once
/// SPEC §6 Retries at the HTTP edge: a POST or PATCH with an `Idempotency-Key` is first claimed at the
/// keeper (actors/idempotency.hpp); a retry of an answered request gets the first answer again (with
/// `Idempotent-Replayed: true`), one with another body 422 `idempotency_key_reused`, one whose first
/// request is still running 409 `request_in_progress`. The answer is kept durably before it is sent, so a
/// client that saw it can rely on a retry seeing the same.
#include <string>
#include <string_view>

#include "net/call.hpp"
#include "net/router.hpp"

namespace actas::net {

/// Runs `h` for `c`, under the rule above when `c` carries a key on a state-changing route.
void handle_idempotently(call_ptr c, const handler& h);

/// What is kept of an answer body: the same JSON without secrets (a token, a ticket or a signing secret is
/// shown once; a replay carries null in its place). Bodies that are not JSON are kept as they are.
std::string without_secrets(std::string_view body);

/// POST and PATCH, except the calls that change nothing (authorize, introspect) and the one-time WebSocket
/// ticket (a secret that must not be kept).
bool takes_idempotency_key(std::string_view method, std::string_view path);

} // namespace actas::net
