#pragma once
/// Asking the registry for calls whose refusals may name a field (settings, users, support): a refusal
/// answers its code with the field in the message; anything else goes to `ok` on the connection's strand.
#include "net/json_reader.hpp"
#include "net/reply.hpp"

namespace actas::net {

/// Answers a refusal: "field: message" for a field-level one, else the code's own message.
inline void refuse(call& c, const actors::refusal& r) {
  std::string message = r.field.empty() ? r.message : r.field + ": " + r.message;
  fail(c, *r.error, message);
}

template <class Reply, class... Ts>
void ask_refusable(const call_ptr& c, std::function<void(Reply&)> ok, Ts... xs) {
  ask_then<Reply>(
    c,
    [c, ok = std::move(ok)](Reply& reply) {
      if (reply.refused.error)
        refuse(*c, reply.refused);
      else
        ok(reply);
    },
    std::move(xs)...);
}

/// Runs `decode` on the body; a body_refusal answers 400 invalid_request and yields nullopt.
template <class F>
auto decode_or_fail(call& c, F&& decode) -> std::optional<decltype(decode())> {
  try {
    return decode();
  } catch (const body_refusal& r) {
    fail(c, domain::errc::invalid_request, r.message);
    return std::nullopt;
  }
}

} // namespace actas::net
