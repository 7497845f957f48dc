#include "net/listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "net/http_session.hpp"
#include "net/tls.hpp"

namespace actas::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

listener::listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<const server_state> state)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), retry_(acceptor_.get_executor()), state_(std::move(state)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

unsigned short listener::port() const { return acceptor_.local_endpoint().port(); }

void listener::run() { accept(); }

void listener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void listener::stop_accepting() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->stop(); });
}

void listener::accept() {
  // Each connection gets a strand of its own: its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](auto ec, tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: try again shortly, the condition may pass.
    spdlog::warn("accept failed: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  // Whatever starting one connection throws costs that connection, never the accept loop.
  try {
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (!peer_ec) {
      auto address = peer.address().to_string();
      if (auto slot = state_->limit->acquire(address)) {
        if (state_->tls)
          run_https_session(std::move(socket), std::move(*slot), state_, state_->tls->current());
        else
          run_http_session(std::move(socket), std::move(*slot), state_);
      } else {
        spdlog::warn("{} holds too many connections; closing a new one", address);
        socket.close(peer_ec);
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("starting a connection failed: {}", e.what());
  }
  accept();
}

} // namespace actas::net
