#pragma once
/// What every handler does alike: answer JSON, answer an error, read the bearer token, ask the registry
/// and turn its error codes into error answers.
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "net/bridge.hpp"
#include "net/codec.hpp"
#include "net/errors.hpp"

namespace actas::net {

/// Answers `body` as JSON with `status`.
void answer(call& c, unsigned status, const json& body);

/// Answers the error body of `code` (message: the code's default when empty).
void fail(call& c, domain::errc code, std::string_view message = {});

/// The token of `Authorization: Bearer <token>`, nullopt when missing or malformed.
std::optional<std::string> bearer_token(const request& r);

/// crypto::token_hash of the bearer token: what the registry is asked about.
std::optional<std::string> bearer_hash(const request& r);

/// Refuses query parameters other than `known` (400 invalid_request); true when all are known.
bool only_query(call& c, std::initializer_list<std::string_view> known);

/// Asks the registry; `on_reply` runs on the connection's strand. A failed request (timeout, registry
/// gone) answers 503.
template <class Reply, class... Ts>
void ask_then(const call_ptr& c, std::function<void(Reply&)> on_reply, Ts... xs) {
  ask_registry<Reply>(
    *c->sv, c->post, std::move(on_reply),
    [c](const caf::error& err) {
      spdlog::error("request {}: the registry did not answer ({})", c->req.request_id, caf::to_string(err));
      fail(*c, domain::errc::audit_unavailable, "the server cannot decide right now; try again later");
    },
    std::move(xs)...);
}

/// Asks the registry; on a reply without `error`, `ok(reply)` runs on the connection's strand. A reply
/// with an error answers that code.
template <class Reply, class... Ts>
void ask(const call_ptr& c, std::function<void(Reply&)> ok, Ts... xs) {
  ask_then<Reply>(
    c,
    [c, ok = std::move(ok)](Reply& reply) {
      if (reply.error)
        fail(*c, *reply.error);
      else
        ok(reply);
    },
    std::move(xs)...);
}

} // namespace actas::net

namespace actas::net {

/// Reads the integer query parameter `name` into `out` (left alone when absent). Refuses non-integers
/// and values outside [lo, hi] with 400 invalid_request; true when fine.
bool query_int(call& c, const std::string& name, std::int64_t lo, std::int64_t hi, std::int64_t& out);

} // namespace actas::net
