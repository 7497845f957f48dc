#pragma once
/// A keep-alive HTTP/1.1 client connection: requests queue up and go one at a time; each answer comes
/// back to its callback with the time it took. Reconnects when the server closed an idle connection.
#include <deque>
#include <functional>
#include <string>

#include "load/loop.hpp"

namespace bench {

struct http_response {
  int status = 0;  ///< 0: no answer (the connection failed; `error` says why)
  std::string body;
  std::string error;
  ns sent = 0;      ///< when the request was handed to the socket
  ns received = 0;  ///< when the whole answer was in
};

class http_conn : public tcp_conn {
public:
  using callback = std::function<void(http_response&)>;

  http_conn(loop& l, std::string host, int port, std::string source = "")
      : tcp_conn(l), host_(std::move(host)), port_(port), source_(std::move(source)) {}

  /// Queues a request; `bearer` empty = no Authorization header; `body` empty = no body.
  void request(std::string_view method, std::string_view path, std::string_view body, std::string_view bearer,
               callback cb);
  /// Requests queued or in flight.
  std::size_t pending() const { return queue_.size(); }

private:
  struct item {
    std::string bytes;
    callback cb;
  };
  void on_connected() override;
  void on_readable() override;
  void on_closed(const std::string& why) override;
  void send_head();
  /// Parses one whole response from in_; false when more bytes are needed.
  bool parse(http_response& r);

  std::string host_;
  int port_;
  std::string source_;
  std::deque<item> queue_;
  bool in_flight_ = false;
  bool up_ = false;
  ns sent_ = 0;
};

/// Reads one string field of a JSON object text ("" when absent or not a string).
std::string json_string(const std::string& body, const char* key);
/// Reads a nested string field, e.g. ("session", "id").
std::string json_string(const std::string& body, const char* outer, const char* key);

} // namespace bench
