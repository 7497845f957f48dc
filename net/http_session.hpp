#pragma once
/// One HTTP/1.1 connection: reads requests with bounded sizes and timeouts, routes them, writes one
/// answer at a time (keep-alive, no pipelining), and hands a redeemed GET /v1/ws over to a WebSocket.
#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "net/server_state.hpp"

namespace actas::net {

/// Largest request body (SPEC §6) and header block.
inline constexpr std::size_t max_body_bytes = 64 * 1024;
inline constexpr std::size_t max_header_bytes = 16 * 1024;

/// Starts serving `socket` (already on its own strand); `slot` is its place in the per-address count.
void run_http_session(boost::asio::ip::tcp::socket socket, connection_limit::slot slot,
                      std::shared_ptr<const server_state> state);

} // namespace actas::net
