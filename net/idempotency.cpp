#include "net/idempotency.hpp"

#include <array>
#include <chrono>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>
#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "domain/idempotency.hpp"
#include "net/errors.hpp"
#include "net/reply_sink.hpp"

namespace actas::net {

namespace {

using domain::errc;
using domain::idempotency_verdict;

/// The keeper reads one row or waits for one commit: beyond this it is stuck, and the client retries.
constexpr std::chrono::seconds keeper_timeout{10};

void answer_error(call& c, errc code, std::string_view message = {}) {
  c.respond({http_status(code), error_body(code, message, c.req.request_id)});
}

/// Sends `msg` to the keeper; `then` runs on the connection's strand with the reply (nullptr on failure).
template <class Reply>
void ask_keeper(const services& sv, const dispatcher& post, caf::message msg, std::function<void(const Reply*)> then) {
  send_request(*sv.system, caf::actor_cast<caf::strong_actor_ptr>(sv.idempotency), keeper_timeout,
               [post, then = std::move(then)](caf::message& m) mutable {
                 if (m.match_elements<Reply>())
                   post([then = std::move(then), r = m.get_as<Reply>(0)] { then(&r); });
                 else
                   post([then = std::move(then)] { then(nullptr); });
               },
               std::move(msg));
}

/// The credential names the caller (hashed: the key is never kept); anonymous calls are told apart by
/// their address.
actors::idem_claim claim_of(const request& r) {
  actors::idem_claim claim;
  claim.caller = crypto::sha256_hex(r.authorization ? "credential " + *r.authorization : "address " + r.ip);
  claim.key = *r.idempotency_key;
  claim.fingerprint = crypto::sha256_hex(r.method + ' ' + r.path + '\n' + r.body);
  return claim;
}

/// Replaces `respond` so that the answer is first handed to the keeper, then sent.
void keep_answer_before_sending(const call_ptr& c, actors::idem_claim claim) {
  c->respond = [sv = c->sv, post = c->post, send = std::move(c->respond), claim = std::move(claim)](response r) mutable {
    actors::idem_answer a{claim, r.status, without_secrets(r.body)};
    // Sent whether or not it was kept: the change itself is done; a failed keep only means a retry runs again.
    ask_keeper<bool>(*sv, post, caf::make_message(actors::settle_atom::value, std::move(a)),
                     [send = std::move(send), r = std::move(r)](const bool*) mutable { send(std::move(r)); });
  };
}

} // namespace

bool takes_idempotency_key(std::string_view method, std::string_view path) {
  if (method != "POST" && method != "PATCH") return false;
  static constexpr std::array<std::string_view, 3> exempt{"/v1/authorize", "/v1/introspect", "/v1/ws/ticket"};
  for (auto e : exempt)
    if (path == e) return false;
  return true;
}

std::string without_secrets(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::string(body);
  for (const char* secret : {"token", "ticket", "secret"})
    if (j.contains(secret)) j[secret] = nullptr;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void handle_idempotently(call_ptr c, const handler& h) {
  if (!c->req.idempotency_key || !takes_idempotency_key(c->req.method, c->req.path)) return h(std::move(c));
  if (!domain::valid_idempotency_key(*c->req.idempotency_key))
    return answer_error(*c, errc::invalid_request, "Idempotency-Key must be 1 to 255 printable ASCII characters");
  if (!c->sv->idempotency) return answer_error(*c, errc::audit_unavailable);
  auto claim = claim_of(c->req);
  ask_keeper<actors::idem_ruling>(
    *c->sv, c->post, caf::make_message(actors::claim_atom::value, claim),
    [c, h, claim](const actors::idem_ruling* ruling) mutable {
      if (!ruling) return answer_error(*c, errc::audit_unavailable);
      switch (ruling->verdict) {
        case idempotency_verdict::replay: {
          response r(ruling->status, ruling->body);
          r.replayed = true;
          return c->respond(std::move(r));
        }
        case idempotency_verdict::key_reused: return answer_error(*c, errc::idempotency_key_reused);
        case idempotency_verdict::in_progress: return answer_error(*c, errc::request_in_progress);
        case idempotency_verdict::too_busy: return answer_error(*c, errc::rate_limited);
        case idempotency_verdict::proceed:
          keep_answer_before_sending(c, std::move(claim));
          return h(std::move(c));
      }
    });
}

} // namespace actas::net
