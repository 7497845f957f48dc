#pragma once
/// One browser tab's WebSocket (SPEC §4, §6): live frames from its proxy actor through a bounded queue
/// with one write in flight, ping/pong and subscribe from the client, 64 KiB frames, close codes.
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "actors/messages.hpp"
#include "net/server_state.hpp"

namespace actas::net {

/// Largest frame either way, and the most frames one tab may have waiting to be written.
inline constexpr std::size_t max_frame_bytes = 64 * 1024;
inline constexpr std::size_t max_queued_frames = 256;
/// The close code of a draining server (SPEC §8; RFC 6455 "service restart"): the browser reconnects.
inline constexpr std::uint16_t restart_close_code = 1012;

/// Accepts the upgrade in `req` on `stream` for the redeemed identity `who`, then attaches the tab (first
/// replaying the notifications after `resume_after` when it is not empty).
void run_ws_session(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> req,
                    actors::principal who, std::string resume_after, connection_limit::slot slot,
                    std::shared_ptr<const server_state> state);
/// The same over TLS (WSS, SPEC §10).
void run_ws_session(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                    boost::beast::http::request<boost::beast::http::string_body> req, actors::principal who,
                    std::string resume_after, connection_limit::slot slot, std::shared_ptr<const server_state> state);

} // namespace actas::net
