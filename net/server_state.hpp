#pragma once
/// What every connection of one server shares: the services, the routes, the per-address connection
/// count, the gate that stops actor callbacks from reaching a stopped server, and the live socket proxies.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "net/call.hpp"
#include "net/in_flight.hpp"
#include "net/readiness.hpp"
#include "net/router.hpp"

namespace actas::net {

class tls_certificate;

/// Open while the server runs. Actor threads post onto connection strands only through it, so once
/// closed nothing new reaches the I/O side.
class gate {
public:
  /// Runs `f` (which posts) while the gate is open; false when closed.
  template <class F>
  bool run_if_open(F&& f) {
    std::shared_lock lock(mutex_);
    if (!open_) return false;
    f();
    return true;
  }
  /// Waits for every post in progress, then refuses all further ones.
  void close() {
    std::unique_lock lock(mutex_);
    open_ = false;
  }

private:
  std::shared_mutex mutex_;
  bool open_ = true;
};

/// Open connections per client address, bounded (STYLE.md: bound everything).
class connection_limit : public std::enable_shared_from_this<connection_limit> {
public:
  explicit connection_limit(std::size_t per_address) : per_address_(per_address) {}

  /// Holds one connection's place; gives it back when destroyed.
  class slot {
  public:
    slot() = default;
    slot(std::shared_ptr<connection_limit> owner, std::string address)
        : owner_(std::move(owner)), address_(std::move(address)) {}
    slot(slot&& other) noexcept = default;
    slot& operator=(slot&& other) noexcept {
      release();
      owner_ = std::move(other.owner_);
      address_ = std::move(other.address_);
      return *this;
    }
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { release(); }

    const std::string& address() const { return address_; }

  private:
    void release() {
      if (owner_) owner_->give_back(address_);
      owner_.reset();
    }
    std::shared_ptr<connection_limit> owner_;
    std::string address_;
  };

  /// A place for one more connection from `address`, or nothing when it already holds the maximum.
  std::optional<slot> acquire(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto& n = open_[address];
    if (n >= per_address_) return std::nullopt;
    ++n;
    return slot(shared_from_this(), address);
  }

private:
  void give_back(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto i = open_.find(address);
    if (i != open_.end() && --i->second == 0) open_.erase(i);
  }

  std::size_t per_address_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

/// The socket proxies alive, so stopping the server can stop them all (their connections may outlive
/// the I/O threads until the io_context is destroyed).
class proxy_book {
public:
  void add(const actors::socket_actor& proxy);
  void remove(const actors::socket_actor& proxy);
  /// Sends every proxy an exit and forgets them.
  void stop_all();
  /// Asks every live socket to close with `code` after what is queued (the proxies stay).
  void close_all(std::uint16_t code, const std::string& why);

private:
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, actors::socket_actor> proxies_;
};

struct server_state {
  std::shared_ptr<const services> sv;
  router routes;
  std::shared_ptr<gate> open;
  std::shared_ptr<connection_limit> limit;
  std::shared_ptr<proxy_book> proxies;
  std::chrono::seconds ws_idle_timeout{300};
  /// What GET /readyz reports; `draining()` also makes answers close their connection.
  std::shared_ptr<readiness> ready = std::make_shared<readiness>();
  /// Requests being answered and WebSockets open: what a drain waits for.
  std::shared_ptr<in_flight> busy = std::make_shared<in_flight>();
  /// SPEC §10: with a certificate, every connection is HTTPS/WSS; null: plain HTTP.
  std::shared_ptr<const tls_certificate> tls;
};

} // namespace actas::net
