#pragma once
/// The HTTP and WebSocket server: an io_context with a few I/O threads, the listener, and the shared
/// state of every connection. Stopping closes the gate to actor callbacks, stops accepting and joins the
/// I/O threads; the io_context (and the connections it holds) goes with the server object, which must be
/// destroyed before the actor system.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "crypto/signing.hpp"
#include "domain/forward_auth.hpp"
#include "net/metrics.hpp"
#include "net/readiness.hpp"

namespace caf { class actor_system; }
namespace boost::asio { class io_context; }

namespace actas::net {

class tls_certificate;

struct server_options {
  std::string host = "127.0.0.1";
  /// 0: any free port (see server::port()).
  std::uint16_t port = 8080;
  std::size_t io_threads = 2;
  std::size_t max_connections_per_ip = 256;
  /// A WebSocket that sends nothing for half of this is pinged; one still silent when it has passed is
  /// dropped (a browser answers pings by itself, so only dead or stuck clients go).
  std::chrono::seconds ws_idle_timeout{300};
  /// Normalised origins a WebSocket may come from; empty: the server's own http://HOST:PORT.
  std::vector<std::string> allowed_origins;
  std::vector<std::string> service_keys;
  /// SPEC §9 `[[forward.rules]]` for GET /v1/auth/forward (validated by the configuration).
  std::vector<domain::forward_rule> forward_rules;
  /// What GET /readyz reports; shared with whoever knows the audit log's health. Null: the server's own.
  std::shared_ptr<net::readiness> ready;
  /// The keeper of Idempotency-Key answers (actors::runtime::idempotency()); without one, a request
  /// carrying a key answers 503.
  actors::idempotency_actor idempotency;
  /// SPEC §10: where counters go (app/ shares it with the core's commit observer). Null: the server's own.
  std::shared_ptr<node_metrics> metrics;
  /// Keys that may read GET /metrics besides a sysadmin token (metrics_key_file); compared in constant time.
  std::vector<std::string> metrics_keys;
  /// Seconds since this node last followed the other nodes, for actas_cluster_lag_seconds; may be empty.
  std::function<double()> cluster_lag;
  /// Signs audit heads (SPEC §10); null: verify answers carry no signed head.
  std::shared_ptr<const crypto::signing_key> audit_signer;
  /// SPEC §10 TLS: serve HTTPS and WSS with this certificate (whoever holds it may reload() it on SIGHUP);
  /// null: plain HTTP.
  std::shared_ptr<const tls_certificate> tls;
};

/// An I/O thread's body: runs `ioc` until it is stopped or runs out of work. A handler that throws is
/// logged and the loop goes on (STYLE.md: `io_context::run` is never left by an exception); the handler's
/// own connection is released with it.
void run_io_thread(boost::asio::io_context& ioc);

class server {
public:
  server(server_options options, actors::registry_actor registry, caf::actor_system& system);
  /// Stops if still running, then releases every connection.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, listens and starts the I/O threads. Throws std::runtime_error naming the address when the
  /// address cannot be bound.
  void start();
  /// The bound port (the real one when started with port 0).
  std::uint16_t port() const;
  /// The origins WebSockets are accepted from (after start()).
  const std::vector<std::string>& allowed_origins() const;
  /// SPEC §8 Drain: turns /readyz to 503, stops accepting, asks every WebSocket to close 1012 and waits
  /// (at most `budget`) until the requests in flight are answered and the sockets have closed. Answers
  /// written meanwhile close their connection. Call stop() afterwards; it drops whatever is left.
  void drain(std::chrono::milliseconds budget);
  /// Stops accepting, closes every socket's proxy, stops and joins the I/O threads. Idempotent.
  void stop();
  /// The readiness flags this server reports (options.ready, or its own).
  net::readiness& ready();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace actas::net
