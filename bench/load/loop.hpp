#pragma once
/// The load generator's event loop: one thread, epoll (level-triggered), a timer heap, and a TCP
/// connection base class with a buffered, non-blocking writer. Only loopback addresses are ever used.
#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <vector>

namespace bench {

/// Nanoseconds on CLOCK_MONOTONIC: the same clock in every process of the machine, so a time taken in a
/// worker process compares with one taken in the driver.
using ns = std::int64_t;
ns now_ns();
constexpr ns ms(double v) { return static_cast<ns>(v * 1e6); }
constexpr ns sec(double v) { return static_cast<ns>(v * 1e9); }

/// Something registered with the loop.
class io_handler {
public:
  virtual ~io_handler() = default;
  virtual void on_io(std::uint32_t events) = 0;
};

class loop {
public:
  loop();
  ~loop();
  loop(const loop&) = delete;
  loop& operator=(const loop&) = delete;

  void add(int fd, std::uint32_t events, io_handler* h);
  void modify(int fd, std::uint32_t events, io_handler* h);
  void remove(int fd);

  /// Runs `f` once at `when` (or as soon as possible after).
  void at(ns when, std::function<void()> f);
  /// Drops every pending timer (a measurement ends; its timers refer to its own state).
  void clear_timers() { timers_ = {}; }

  /// Serves events and timers until `done()` is true or `deadline` passes; returns done().
  bool run_until(const std::function<bool()>& done, ns deadline);
  /// Serves for `d` nanoseconds.
  void run_for(ns d) { run_until([] { return false; }, now_ns() + d); }

private:
  struct timer {
    ns when;
    std::uint64_t order;
    std::function<void()> f;
    bool operator>(const timer& o) const { return when != o.when ? when > o.when : order > o.order; }
  };
  void fire_timers();
  int epfd_;
  std::uint64_t order_ = 0;
  std::priority_queue<timer, std::vector<timer>, std::greater<>> timers_;
};

/// A non-blocking TCP client connection to 127.0.0.1:port. Subclasses parse what arrives.
class tcp_conn : public io_handler {
public:
  explicit tcp_conn(loop& l) : loop_(l) {}
  ~tcp_conn() override { close(); }

  /// Starts connecting; `source` is a loopback address to connect from ("" = any), which spreads the
  /// connections of several processes over several source addresses (no ephemeral port shortage).
  bool connect(const std::string& host, int port, const std::string& source = "");
  void close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  void on_io(std::uint32_t events) override;

protected:
  void write(std::string_view bytes);
  /// Called once the TCP connection is up.
  virtual void on_connected() {}
  /// New bytes are in `in_`; consume what was parsed.
  virtual void on_readable() = 0;
  /// The connection failed or the peer closed; `why` says which. The object may be reused afterwards.
  virtual void on_closed(const std::string& why) = 0;

  std::string in_;

private:
  void fail(const std::string& why);
  void flush();
  void want_write(bool on);
  loop& loop_;
  int fd_ = -1;
  bool connecting_ = false;
  bool writing_ = false;
  std::string out_;
  std::size_t out_off_ = 0;
};

} // namespace bench
