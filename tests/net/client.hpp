#pragma once
// A small synchronous HTTP and WebSocket client for the tests, over real loopback sockets. Every call is
// bounded by a timeout; nothing here sleeps. Beast stays inside client.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace actas::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct http_result {
  unsigned status = 0;          ///< 0: no answer (connection failed, closed or timed out)
  json body;                    ///< parsed body (null when not JSON)
  std::string text;             ///< raw body
  std::map<std::string, std::string> headers;  ///< lowercase names
  std::string error;            ///< what went wrong when status is 0
};

/// Recording (tests/openapi/validate.mjs checks the record against docs/openapi.json): with the environment
/// variable ACTAS_RECORD_ANSWERS naming a folder, every answer this client receives (HTTP, and the answer to
/// a WebSocket upgrade) is appended to <folder>/answers-<pid>.jsonl as one JSON object a line:
/// {method, target, status, content_type, body}. Bytes written by hand (raw_exchange) are not recorded.
///
/// While one of these lives, this process records nothing: for a test serving routes of its own, whose
/// answers are not the API's.
class unrecorded {
public:
  unrecorded();
  ~unrecorded();
  unrecorded(const unrecorded&) = delete;
  unrecorded& operator=(const unrecorded&) = delete;
};

/// One request on a fresh connection. `bearer` sets `Authorization: Bearer …`.
http_result http(std::uint16_t port, const std::string& method, const std::string& target,
                 const std::string& body = {}, const std::string& bearer = {},
                 const std::map<std::string, std::string>& headers = {}, std::chrono::milliseconds timeout = 10s);

/// Writes `bytes` as they are and returns everything read until the server closes (or the timeout).
std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout = 10s);

/// Several requests on one kept-alive connection.
class http_connection {
public:
  explicit http_connection(std::uint16_t port);
  ~http_connection();
  http_result request(const std::string& method, const std::string& target, const std::string& body = {},
                      const std::string& bearer = {}, std::chrono::milliseconds timeout = 10s);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// A WebSocket tab.
class ws_client {
public:
  ws_client();
  ~ws_client();
  ws_client(ws_client&&) noexcept;
  ws_client& operator=(ws_client&&) noexcept;

  /// Upgrades GET `target` (e.g. "/v1/ws?ticket=…"), with `Origin` when given. Returns 101 on success, else
  /// the HTTP status the server refused with (0 when there was no answer at all).
  unsigned connect(std::uint16_t port, const std::string& target, const std::optional<std::string>& origin = {},
                   std::chrono::milliseconds timeout = 10s);
  /// The body of the refusal when connect() did not return 101.
  const json& refusal() const;

  void send_text(const std::string& text, std::chrono::milliseconds timeout = 10s);
  /// The next text frame as JSON; nullopt when the socket closed, failed or nothing came in time.
  std::optional<json> read(std::chrono::milliseconds timeout = 10s);
  /// Reads frames until one has `"type": type` (skipping others); nullopt on close or timeout.
  std::optional<json> read_until(const std::string& type, std::chrono::milliseconds timeout = 10s);
  /// Reads (skipping frames) until the server closes; its close code, or nullopt on timeout.
  std::optional<std::uint16_t> expect_close(std::chrono::milliseconds timeout = 10s);
  /// Asks for a small kernel receive buffer (call before connect), to play a client that reads slowly.
  void set_receive_buffer(int bytes);
  /// Writes `count` copies of a text frame carrying `text` straight to the socket in one go (no reads in
  /// between): a client that sends but does not read.
  void flood(const std::string& text, std::size_t count, std::chrono::milliseconds timeout = 60s);
  /// Reads raw frames (after flood) until a close frame; its code, or nullopt on end of stream or timeout.
  std::optional<std::uint16_t> raw_close_code(std::chrono::milliseconds timeout = 30s);
  /// Reads raw frames without answering any (a client that is stuck or gone) until `stop(opcode)` says so
  /// or the server ends the connection: the opcodes seen (0x1 text, 0x8 close, 0x9 ping). nullopt when
  /// the connection was still open at the timeout.
  std::optional<std::vector<unsigned>> raw_opcodes(std::chrono::milliseconds timeout,
                                                   const std::function<bool(unsigned)>& stop);
  /// Pings from the server that reads so far answered (Beast pongs them by itself).
  std::size_t pings_answered() const;
  /// True once the socket is known closed.
  bool closed() const;
  /// The connection's socket (for a test that ends a blocking read from another thread with shutdown()).
  int native_handle();
  /// The close code received, once closed.
  std::optional<std::uint16_t> close_code() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace actas::testing
