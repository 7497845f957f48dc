#include "net/server.hpp"

#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <spdlog/spdlog.h>

#include "net/handlers.hpp"
#include "net/listener.hpp"
#include "net/ws_session.hpp"

namespace actas::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void run_io_thread(asio::io_context& ioc) {
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("an I/O handler threw (its connection is dropped, the thread goes on): {}", e.what());
    } catch (...) {
      spdlog::error("an I/O handler threw something that is not an exception; the thread goes on");
    }
  }
}

struct server::impl {
  server_options options;
  actors::registry_actor registry;
  caf::actor_system& system;
  std::unique_ptr<asio::io_context> ioc;
  std::shared_ptr<server_state> state;
  std::shared_ptr<listener> acceptor;
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  std::vector<std::string> origins;
  bool running = false;
  bool stopped = false;

  impl(server_options o, actors::registry_actor r, caf::actor_system& s)
      : options(std::move(o)), registry(std::move(r)), system(s) {
    if (!options.ready) options.ready = std::make_shared<readiness>();
    if (!options.metrics) options.metrics = std::make_shared<node_metrics>();
  }
};

server::server(server_options options, actors::registry_actor registry, caf::actor_system& system)
    : impl_(std::make_unique<impl>(std::move(options), std::move(registry), system)) {}

server::~server() {
  stop();
  // Connections still held by pending handlers go now, while the actor system is alive.
  impl_->acceptor.reset();
  impl_->ioc.reset();
}

void server::start() {
  auto& m = *impl_;
  if (m.running || m.stopped) return;
  m.ioc = std::make_unique<asio::io_context>(static_cast<int>(m.options.io_threads));
  boost::system::error_code ec;
  auto address = asio::ip::make_address(m.options.host, ec);
  if (ec) {
    // A host name (e.g. localhost): its first address.
    tcp::resolver resolver(*m.ioc);
    auto found = resolver.resolve(m.options.host, std::to_string(m.options.port), ec);
    if (ec || found.empty())
      throw std::runtime_error("cannot listen on '" + m.options.host + "': " +
                               (ec ? ec.message() : std::string("no address")));
    address = found.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, m.options.port);

  auto sv = std::make_shared<services>();
  sv->system = &m.system;
  sv->registry = m.registry;
  sv->service_keys = m.options.service_keys;
  sv->forward_rules = m.options.forward_rules;
  sv->idempotency = m.options.idempotency;
  sv->metrics = m.options.metrics;
  sv->metrics_keys = m.options.metrics_keys;
  sv->cluster_lag = m.options.cluster_lag;
  sv->audit_signer = m.options.audit_signer;
  m.state = std::make_shared<server_state>();
  m.state->ready = m.options.ready;
  sv->ready = m.state->ready;
  m.state->routes = api_routes();
  m.state->open = std::make_shared<gate>();
  m.state->limit = std::make_shared<connection_limit>(m.options.max_connections_per_ip);
  m.state->proxies = std::make_shared<proxy_book>();
  m.state->ws_idle_timeout = m.options.ws_idle_timeout;
  m.state->tls = m.options.tls;
  try {
    m.acceptor = std::make_shared<listener>(*m.ioc, endpoint, m.state);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(m.options.port) + ": " + e.code().message());
  }
  m.bound_port = m.acceptor->port();
  m.origins = m.options.allowed_origins;
  if (m.origins.empty()) {
    // As a browser writes it: the configured host (a name stays a name), IPv6 in brackets.
    const auto& h = m.options.host;
    const auto host = h.find(':') != std::string::npos ? "[" + h + "]" : h;
    const std::uint16_t default_port = m.options.tls ? 443 : 80;
    m.origins.push_back((m.options.tls ? "https://" : "http://") + host +
                        (m.bound_port == default_port ? "" : ":" + std::to_string(m.bound_port)));
  }
  sv->allowed_origins = m.origins;
  m.state->sv = std::move(sv);

  m.acceptor->run();
  for (std::size_t i = 0; i < std::max<std::size_t>(1, m.options.io_threads); ++i)
    m.threads.emplace_back([ioc = m.ioc.get()] { run_io_thread(*ioc); });
  m.running = true;
}

std::uint16_t server::port() const { return impl_->bound_port; }

readiness& server::ready() { return *impl_->options.ready; }

void server::drain(std::chrono::milliseconds budget) {
  auto& m = *impl_;
  if (!m.running || m.stopped) return;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  m.state->ready->set_draining();
  m.acceptor->stop_accepting();
  // Sockets accepted after this look at the draining flag themselves (ws_session::on_accept).
  m.state->proxies->close_all(restart_close_code, "service restart");
  if (m.state->busy->wait_idle_until(deadline)) {
    spdlog::info("drained: every request answered and every WebSocket closed");
  } else {
    spdlog::warn("drain: {} requests or WebSockets still open after {} ms; dropping them", m.state->busy->count(),
                 budget.count());
  }
}

const std::vector<std::string>& server::allowed_origins() const { return impl_->origins; }

void server::stop() {
  auto& m = *impl_;
  if (!m.running || m.stopped) return;
  m.stopped = true;
  // Actor callbacks from now on are dropped instead of posted; the I/O threads stop (nothing more is
  // accepted or answered); every socket's proxy ends so the actor system can finish.
  m.state->open->close();
  m.ioc->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  m.acceptor->stop();
  m.state->proxies->stop_all();
}

} // namespace actas::net
