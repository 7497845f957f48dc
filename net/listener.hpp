#pragma once
/// Accepts TCP connections, each on a strand of its own, and hands them to an HTTP session. A client
/// address already holding `max_connections_per_ip` connections has new ones closed at once.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/server_state.hpp"

namespace actas::net {

class listener : public std::enable_shared_from_this<listener> {
public:
  /// Opens, binds and listens on `endpoint`; throws boost::system::system_error on failure.
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<const server_state> state);

  /// The bound port (the real one when asked for port 0).
  unsigned short port() const;

  /// Starts accepting.
  void run();
  /// Closes the acceptor. Call once the I/O threads have stopped.
  void stop();
  /// Closes the acceptor on its own strand while the I/O threads run: nothing new is accepted.
  void stop_accepting();

private:
  void accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  /// Paces accepting again after an error (e.g. out of file descriptors) instead of spinning.
  boost::asio::steady_timer retry_;
  std::shared_ptr<const server_state> state_;
};

} // namespace actas::net
