#pragma once
/// A minimal WebSocket client (RFC 6455) for holding many connections cheaply: upgrade, text frames in
/// both directions (client frames masked), answers pings, no extensions.
#include <functional>
#include <string>

#include "load/loop.hpp"

namespace bench {

class ws_conn : public tcp_conn {
public:
  /// Called for every text frame, with the time it was read.
  using frame_cb = std::function<void(ws_conn&, std::string_view text, ns at)>;
  /// Called once: the upgrade succeeded (ok) or the connection failed or closed (why).
  using state_cb = std::function<void(ws_conn&, bool ok, const std::string& why)>;

  explicit ws_conn(loop& l) : tcp_conn(l) {}

  /// Connects and asks for an upgrade of `path` (e.g. "/v1/ws?ticket=…").
  bool open(const std::string& host, int port, const std::string& path, const std::string& source = "");
  void send_text(std::string_view text);
  bool upgraded() const { return upgraded_; }

  frame_cb on_frame;
  state_cb on_state;
  /// Free for the owner (an index into its tables).
  std::size_t tag = 0;

private:
  void on_connected() override;
  void on_readable() override;
  void on_closed(const std::string& why) override;
  void send_frame(int opcode, std::string_view payload);

  std::string request_;
  bool upgraded_ = false;
  bool reported_ = false;
};

} // namespace bench
