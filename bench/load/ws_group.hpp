#pragma once
/// A set of WebSocket connections opened the way the server wants them authenticated, a bounded number
/// at a time: a ticket per connection (POST /v1/ws/ticket, then /v1/ws?ticket=…) or ?user=<id>; ready
/// at the first frame (`hello`) or, when subscribing to the dashboard, at the pong after the subscribe.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "load/http_client.hpp"
#include "load/ws_client.hpp"

namespace bench {

struct ws_group_plan {
  int port = 0;
  bool tickets = true;
  /// Tokens (tickets) or user ids; connection i uses creds[(first + i) % size].
  std::vector<std::string> creds;
  std::size_t first = 0;
  std::size_t count = 0;
  bool subscribe = false;
  std::size_t in_flight = 64;
  /// Loopback source address ("" = any).
  std::string source;
};

class ws_group {
public:
  ws_group(loop& l, ws_group_plan plan);
  /// Starts setting up; `on_setup_done` runs once all are ready, failed or refused.
  void start();
  bool setup_done() const { return ok_ + failed_ + refused_ + dropped_ >= plan_.count; }

  std::size_t ok() const { return ok_; }
  std::size_t failed() const { return failed_; }
  std::size_t refused() const { return refused_; }
  const std::string& first_error() const { return first_error_; }
  /// `error` frames that came after a connection was ready (a subscription the server refused late:
  /// the pong can overtake the refusal).
  std::size_t late_errors() const { return late_errors_; }
  bool is_ready(std::size_t i) const;
  std::size_t size() const { return conns_.size(); }
  void close_all();

  /// Frames of ready connections.
  std::function<void(std::size_t i, std::string_view text, ns at)> on_frame;
  std::function<void()> on_setup_done;

private:
  enum class state : std::uint8_t { idle, ticket, opening, subscribing, ready, refused, failed, dropped };
  void fill();
  void open(std::size_t i);
  void finish(std::size_t i, state s, const std::string& why);
  void on_state(std::size_t i, bool ok, const std::string& why);
  void frame(std::size_t i, std::string_view text, ns at);

  loop& loop_;
  ws_group_plan plan_;
  std::vector<std::unique_ptr<ws_conn>> conns_;
  std::vector<std::unique_ptr<http_conn>> ticketers_;
  std::vector<state> state_;
  std::size_t next_ = 0, active_ = 0, ok_ = 0, failed_ = 0, refused_ = 0, dropped_ = 0, late_errors_ = 0;
  std::string first_error_;
  bool reported_ = false;
};

} // namespace bench
