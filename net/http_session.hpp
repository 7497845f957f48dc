#pragma once
/// One HTTP/1.1 connection: reads requests with bounded sizes and timeouts, routes them, writes one
/// answer at a time (keep-alive, no pipelining), and hands a redeemed GET /v1/ws over to a WebSocket; plain
/// or over TLS.
#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace boost::asio::ssl { class context; }

#include "net/server_state.hpp"

namespace actas::net {

/// Largest request body (SPEC §6) and header block.
inline constexpr std::size_t max_body_bytes = 64 * 1024;
inline constexpr std::size_t max_header_bytes = 16 * 1024;

/// Starts serving `socket` (already on its own strand); `slot` is its place in the per-address count.
void run_http_session(boost::asio::ip::tcp::socket socket, connection_limit::slot slot,
                      std::shared_ptr<const server_state> state);
/// The same over TLS (SPEC §10): handshakes with `tls` (the certificate current when the connection was
/// accepted), then serves HTTPS and, after an upgrade, WSS.
void run_https_session(boost::asio::ip::tcp::socket socket, connection_limit::slot slot,
                       std::shared_ptr<const server_state> state, const std::shared_ptr<boost::asio::ssl::context>& tls);

} // namespace actas::net
