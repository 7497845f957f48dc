// The test client: Beast over loopback, each operation run to completion on a private io_context and
// bounded by the TCP stream's expiry.
#include "client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace actas::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint loopback(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

/// Starts one asynchronous operation (given a completion handler) and runs the context until it is done.
template <class Start>
beast::error_code run(asio::io_context& ioc, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

std::atomic<int> unrecorded_scopes{0};

/// Appends one answer to this process's record (see client.hpp); does nothing unless asked to record.
void record(const std::string& method, const std::string& target, unsigned status, const std::string& content_type,
            const std::string& body) {
  static const char* folder = std::getenv("ACTAS_RECORD_ANSWERS");
  if (!folder || !*folder || status == 0 || unrecorded_scopes.load() > 0) return;
  const json line{{"method", method}, {"target", target}, {"status", status}, {"content_type", content_type},
                  {"body", body}};
  // Tests send bytes that are not UTF-8 on purpose; the record keeps the rest of such an answer.
  const auto text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  // Several threads of one test may receive answers at once; one line is written whole.
  static std::mutex m;
  const std::lock_guard lock(m);
  std::error_code ignored;  // a folder that cannot be made shows as a record with nothing in it
  std::filesystem::create_directories(folder, ignored);
  std::ofstream out(std::string(folder) + "/answers-" + std::to_string(::getpid()) + ".jsonl", std::ios::app);
  out << text;
}

json parse_or_null(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

bhttp::request<bhttp::string_body> make_request(std::uint16_t port, const std::string& method, const std::string& target,
                                              const std::string& body, const std::string& bearer, bool keep_alive) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  if (!bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(keep_alive);
  req.prepare_payload();
  return req;
}

http_result exchange(asio::io_context& ioc, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                     bhttp::request<bhttp::string_body>& req, std::chrono::milliseconds timeout) {
  http_result out;
  stream.expires_after(timeout);
  if (auto ec = run(ioc, [&](auto h) { bhttp::async_write(stream, req, h); })) {
    out.error = "write: " + ec.message();
    // The server may have answered already (e.g. 413 before the whole body was sent): try to read it.
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  stream.expires_after(timeout);
  if (auto ec = run(ioc, [&](auto h) { bhttp::async_read(stream, buffer, parser, h); })) {
    out.error += " read: " + ec.message();
    return out;
  }
  auto res = parser.release();
  out.status = res.result_int();
  out.text = res.body();
  out.body = parse_or_null(out.text);
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers[name] = std::string(f.value());
  }
  record(std::string(req.method_string()), std::string(req.target()), out.status, out.headers["content-type"], out.text);
  return out;
}

} // namespace

unrecorded::unrecorded() { ++unrecorded_scopes; }
unrecorded::~unrecorded() { --unrecorded_scopes; }

http_result http(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                 const std::string& bearer, const std::map<std::string, std::string>& headers,
                 std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  if (auto ec = run(ioc, [&](auto h) { stream.async_connect(loopback(port), h); })) {
    http_result out;
    out.error = "connect: " + ec.message();
    return out;
  }
  auto req = make_request(port, method, target, body, bearer, false);
  for (const auto& [name, value] : headers) req.set(name, value);
  beast::flat_buffer buffer;
  return exchange(ioc, stream, buffer, req, timeout);
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  if (run(ioc, [&](auto h) { stream.async_connect(loopback(port), h); })) return {};
  stream.expires_after(timeout);
  run(ioc, [&](auto h) { asio::async_write(stream, asio::buffer(bytes), h); });
  std::string out;
  char chunk[4096];
  while (true) {
    std::size_t n = 0;
    stream.expires_after(timeout);
    auto ec = run(ioc, [&](auto h) {
      stream.async_read_some(asio::buffer(chunk), [h, &n](beast::error_code e, std::size_t got) mutable {
        n = got;
        h(e);
      });
    });
    out.append(chunk, n);
    if (ec) break;
  }
  return out;
}

struct http_connection::impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::uint16_t port = 0;
};

http_connection::http_connection(std::uint16_t port) : impl_(std::make_unique<impl>()) {
  impl_->port = port;
  impl_->stream.expires_after(10s);
  run(impl_->ioc, [&](auto h) { impl_->stream.async_connect(loopback(port), h); });
}

http_connection::~http_connection() = default;

http_result http_connection::request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::string& bearer, std::chrono::milliseconds timeout) {
  auto req = make_request(impl_->port, method, target, body, bearer, true);
  return exchange(impl_->ioc, impl_->stream, impl_->buffer, req, timeout);
}

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  json refusal;
  std::optional<int> receive_buffer;
  bool closed = false;
  std::optional<std::uint16_t> code;
  std::size_t pings = 0;
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() = default;
ws_client::ws_client(ws_client&&) noexcept = default;
ws_client& ws_client::operator=(ws_client&&) noexcept = default;

unsigned ws_client::connect(std::uint16_t port, const std::string& target, const std::optional<std::string>& origin,
                            std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  auto& lowest = beast::get_lowest_layer(m.ws);
  if (m.receive_buffer) {
    lowest.socket().open(tcp::v4());
    lowest.socket().set_option(asio::socket_base::receive_buffer_size(*m.receive_buffer));
  }
  lowest.expires_after(timeout);
  if (run(m.ioc, [&](auto h) { lowest.async_connect(loopback(port), h); })) return 0;
  if (origin)
    m.ws.set_option(websocket::stream_base::decorator(
      [o = *origin](websocket::request_type& req) { req.set(bhttp::field::origin, o); }));
  // Beast answers pings inside reads; counting them shows the server's keep-alive at work.
  m.ws.control_callback([&m](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++m.pings;
  });
  websocket::response_type res;
  lowest.expires_after(timeout);
  auto ec = run(m.ioc, [&](auto h) {
    m.ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), target, h);
  });
  if (ec) {
    m.closed = true;
    m.refusal = parse_or_null(res.body());
    // Only a refusal is an answer; a failed connection leaves `res` as default-constructed (200), which
    // must not read as one: 0, as promised in client.hpp.
    if (ec != websocket::error::upgrade_declined) return 0;
    record("GET", target, res.result_int(), std::string(res[bhttp::field::content_type]), res.body());
    return res.result_int();
  }
  record("GET", target, 101, {}, {});
  return 101;
}

const json& ws_client::refusal() const { return impl_->refusal; }

void ws_client::send_text(const std::string& text, std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (m.closed) return;
  m.ws.text(true);
  beast::get_lowest_layer(m.ws).expires_after(timeout);
  run(m.ioc, [&](auto h) { m.ws.async_write(asio::buffer(text), h); });
}

std::optional<json> ws_client::read(std::chrono::milliseconds timeout) {
  auto& m = *impl_;
  if (m.closed) return std::nullopt;
  beast::get_lowest_layer(m.ws).expires_after(timeout);
  auto ec = run(m.ioc, [&](auto h) { m.ws.async_read(m.buffer, h); });
  if (ec) {
    m.closed = true;
    if (ec == websocket::error::closed) m.code = m.ws.reason().code;
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(m.buffer.data());
  m.buffer.consume(m.buffer.size());
  return parse_or_null(text);
}

std::optional<json> ws_client::read_until(const std::string& type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    auto frame = read(left);
    if (!frame) return std::nullopt;
    if (frame->is_object() && frame->value("type", "") == type) return frame;
  }
}

std::optional<std::uint16_t> ws_client::expect_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->closed) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    read(left);
  }
  return impl_->code;
}

void ws_client::set_receive_buffer(int bytes) { impl_->receive_buffer = bytes; }

void ws_client::flood(const std::string& text, std::size_t count, std::chrono::milliseconds timeout) {
  // A client frame: FIN + text, masked with the all-zero key (so the payload goes as it is); payloads
  // under 126 bytes only.
  std::string frame;
  frame.push_back(static_cast<char>(0x81));
  frame.push_back(static_cast<char>(0x80 | text.size()));
  frame.append(4, '\0');
  frame += text;
  std::string all;
  all.reserve(frame.size() * count);
  for (std::size_t i = 0; i < count; ++i) all += frame;
  auto& lowest = beast::get_lowest_layer(impl_->ws);
  lowest.expires_after(timeout);
  run(impl_->ioc, [&](auto h) { asio::async_write(lowest, asio::buffer(all), h); });
}

namespace {

/// One server frame (unmasked) as it came off the wire.
struct raw_frame {
  unsigned opcode = 0;
  std::string payload;
};

/// Takes every complete frame off the front of `in`.
std::vector<raw_frame> take_frames(std::string& in) {
  std::vector<raw_frame> out;
  std::size_t at = 0;
  while (in.size() - at >= 2) {
    const auto b0 = static_cast<unsigned char>(in[at]), b1 = static_cast<unsigned char>(in[at + 1]);
    std::size_t header = 2, length = b1 & 0x7F;
    if (length == 126) {
      if (in.size() - at < 4) break;
      length = (static_cast<unsigned char>(in[at + 2]) << 8) | static_cast<unsigned char>(in[at + 3]);
      header = 4;
    } else if (length == 127) {
      if (in.size() - at < 10) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<unsigned char>(in[at + 2 + i]);
      header = 10;
    }
    if (in.size() - at < header + length) break;
    out.push_back({b0 & 0x0Fu, in.substr(at + header, length)});
    at += header + length;
  }
  in.erase(0, at);
  return out;
}

} // namespace

std::optional<std::vector<unsigned>> ws_client::raw_opcodes(std::chrono::milliseconds timeout,
                                                            const std::function<bool(unsigned)>& stop) {
  auto& lowest = beast::get_lowest_layer(impl_->ws);
  // What the WebSocket stream had already buffered comes first.
  std::string in = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  std::vector<unsigned> seen;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char chunk[65536];
  while (true) {
    for (auto& f : take_frames(in)) {
      seen.push_back(f.opcode);
      if (f.opcode == 0x8) impl_->code = f.payload.size() < 2 ? std::uint16_t{1005}
          : static_cast<std::uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                       static_cast<unsigned char>(f.payload[1]));
      if (stop(f.opcode)) return seen;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    std::size_t n = 0;
    lowest.expires_after(left);
    auto ec = run(impl_->ioc, [&](auto h) {
      lowest.async_read_some(asio::buffer(chunk), [h, &n](beast::error_code e, std::size_t got) mutable {
        n = got;
        h(e);
      });
    });
    in.append(chunk, n);
    if (ec && n == 0) {
      if (ec == beast::error::timeout) return std::nullopt;
      impl_->closed = true;  // the server ended the connection (end of stream or reset)
      return seen;
    }
  }
}

std::optional<std::uint16_t> ws_client::raw_close_code(std::chrono::milliseconds timeout) {
  auto seen = raw_opcodes(timeout, [](unsigned opcode) { return opcode == 0x8; });
  if (!seen || seen->empty() || seen->back() != 0x8) return std::nullopt;
  return impl_->code;
}

std::size_t ws_client::pings_answered() const { return impl_->pings; }

bool ws_client::closed() const { return impl_->closed; }

int ws_client::native_handle() { return beast::get_lowest_layer(impl_->ws).socket().native_handle(); }

std::optional<std::uint16_t> ws_client::close_code() const { return impl_->code; }

} // namespace actas::testing
