#pragma once
/// One HTTP request as handlers see it, free of Beast: what was asked, who asked (the raw credentials),
/// how to answer, and how to get back onto the connection's strand from an actor callback.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/interfaces.hpp"
#include "crypto/signing.hpp"
#include "domain/forward_auth.hpp"
#include "net/metrics.hpp"
#include "net/readiness.hpp"

namespace caf { class actor_system; }

namespace actas::net {

/// What every handler may use; built once by the server.
struct services {
  caf::actor_system* system = nullptr;
  actors::registry_actor registry;
  /// Every valid service key (rotation); compared in constant time.
  std::vector<std::string> service_keys;
  /// SPEC §9 `[[forward.rules]]`: what GET /v1/auth/forward asks authorize for a proxied request.
  std::vector<domain::forward_rule> forward_rules;
  /// The keeper of Idempotency-Key answers (SPEC §6 Retries).
  actors::idempotency_actor idempotency;
  /// Normalised origins (lowercase, no default port) a WebSocket may be opened from.
  std::vector<std::string> allowed_origins;
  /// What GET /readyz reports.
  std::shared_ptr<readiness> ready = std::make_shared<readiness>();
  /// SPEC §10: the node's metrics (never null), and the keys of metrics_key_file that may read them.
  std::shared_ptr<node_metrics> metrics = std::make_shared<node_metrics>();
  std::vector<std::string> metrics_keys;
  /// Seconds since this node last followed the other nodes (0 on a database of its own); may be empty.
  std::function<double()> cluster_lag;
  /// Signs the head of every GET /v1/audit/verify answer (audit_signing_key_file); null: no signed head.
  std::shared_ptr<const crypto::signing_key> audit_signer;
};

struct request {
  std::string method;  ///< "GET", "POST", …
  std::string path;    ///< as received, without the query
  std::map<std::string, std::string> query;   ///< percent-decoded
  std::map<std::string, std::string> params;  ///< path parameters, percent-decoded
  std::string body;
  std::optional<std::string> authorization;
  std::optional<std::string> origin;
  std::optional<std::string> idempotency_key;
  bool websocket_upgrade = false;
  /// GET /v1/auth/forward: the request a reverse proxy asks about (X-Original-Method/-URI from nginx, else
  /// X-Forwarded-Method/-Uri from Traefik and Caddy); empty when not sent.
  std::optional<std::string> original_method, original_uri;
  /// The body is `application/x-www-form-urlencoded` (only on a route that takes forms; see router::add).
  bool form_body = false;
  std::string ip;          ///< the peer address of the socket
  std::string request_id;  ///< "req_…", in every error body and in X-Request-Id
};

struct response {
  response(unsigned s = 200, std::string b = {}) : status(s), body(std::move(b)) {}
  unsigned status = 200;
  std::string body;  ///< JSON text (or a static file's bytes)
  std::string content_type = "application/json";
  /// Further headers of this answer (forward auth's X-Actas-*), written as they are.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string cache_control = "no-store";
  std::string etag;  ///< static files only
  std::string allow;  ///< 405 only: the methods the path answers
  bool replayed = false;  ///< the first answer to an Idempotency-Key, sent again
};

using task = std::function<void()>;
/// Runs a task on the connection's strand (dropped when the server has stopped).
using dispatcher = std::function<void(task)>;

/// An exchange in flight. Handlers keep it alive (shared_ptr) across actor round trips.
struct call {
  request req;
  std::shared_ptr<const services> sv;
  /// Back onto the connection's strand: every actor callback goes through here.
  dispatcher post;
  /// Sends the answer; call exactly once, on the connection's strand.
  std::function<void(response)> respond;
  /// GET /v1/ws only: accepts the upgrade for a redeemed ticket (on the strand).
  /// The second argument is the notification id to resume after (SPEC §6; empty: none).
  std::function<void(actors::principal, std::string)> upgrade;
};

using call_ptr = std::shared_ptr<call>;

} // namespace actas::net
