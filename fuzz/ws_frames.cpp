// A browser tab's WebSocket after the upgrade, as net/ws_session.cpp reads it: Beast's frame parser (a
// server stream with the server's 64 KiB message limit) on the client's bytes, then each message through
// decode_client_frame and the answer the session would queue (pong or an error frame). The input is
// the raw byte stream a client sends after the handshake (frames must be masked).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "fuzz/check.hpp"
#include "net/codec.hpp"
#include "net/ws_session.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace actas;

http::request<http::string_body> upgrade_request() {
  http::request<http::string_body> req{http::verb::get, "/v1/ws?ticket=t", 11};
  req.set(http::field::host, "127.0.0.1:8080");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

/// What ws_session::on_read queues for one client message; every frame it writes is a JSON object.
std::string answer_to(std::string_view text) {
  auto frame = net::decode_client_frame(text);
  net::json out;
  if (const auto* e = std::get_if<net::decode_error>(&frame))
    out = {{"type", "error"}, {"code", "invalid_request"}, {"message", e->message}};
  else if (std::holds_alternative<net::ping_frame>(std::get<net::client_frame>(frame)))
    out = {{"type", "pong"}};
  else if (std::get<net::subscribe_frame>(std::get<net::client_frame>(frame)).topic == "dashboard")
    return {};  // the registry's to answer
  else
    out = {{"type", "error"}, {"code", "invalid_request"}, {"message", "the only topic is 'dashboard'"}};
  auto queued = "{\"seq\":1," + net::dump(out).substr(1);
  fuzz::require(fuzz::require_json(queued, "a queued frame is not JSON").is_object(), "a frame is not an object");
  return queued;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::asio::io_context ioc;
  beast::test::stream client(ioc);
  beast::test::stream server_end(ioc);
  server_end.connect(client);
  websocket::stream<beast::test::stream&> ws(server_end);
  ws.read_message_max(net::max_frame_bytes);
  beast::error_code ec;
  ws.accept(upgrade_request(), ec);
  fuzz::require(!ec, "the WebSocket handshake failed");

  server_end.append(std::string_view(reinterpret_cast<const char*>(data), size));
  server_end.close_remote();  // after the input, the client is gone
  beast::flat_buffer in;
  for (int messages = 0; messages < 64; ++messages) {
    ws.read(in, ec);
    if (ec) break;
    fuzz::require(in.size() <= net::max_frame_bytes, "a message over the limit was read");
    const auto text = beast::buffers_to_string(in.data());
    in.consume(in.size());
    const auto reply = answer_to(text);
    if (reply.empty()) continue;
    ws.text(true);
    ws.write(boost::asio::buffer(reply), ec);
    if (ec) break;
  }
  return 0;
}
