#include "load/loop.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace bench {

ns now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<ns>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

loop::loop() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

loop::~loop() { ::close(epfd_); }

void loop::add(int fd, std::uint32_t events, io_handler* h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

void loop::modify(int fd, std::uint32_t events, io_handler* h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void loop::remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void loop::at(ns when, std::function<void()> f) { timers_.push(timer{when, order_++, std::move(f)}); }

void loop::fire_timers() {
  const ns now = now_ns();
  while (!timers_.empty() && timers_.top().when <= now) {
    auto f = std::move(const_cast<timer&>(timers_.top()).f);
    timers_.pop();
    f();
  }
}

bool loop::run_until(const std::function<bool()>& done, ns deadline) {
  epoll_event events[512];
  while (!done()) {
    const ns now = now_ns();
    if (now >= deadline) return done();
    ns next = deadline;
    if (!timers_.empty()) next = std::min(next, timers_.top().when);
    // Sub-millisecond waits spin on a zero timeout, so fixed-rate senders keep their schedule.
    const ns wait = next - now;
    const int timeout_ms = wait <= 0 ? 0 : wait < 1'000'000 ? 0 : static_cast<int>(wait / 1'000'000);
    const int n = epoll_wait(epfd_, events, 512, timeout_ms);
    for (int i = 0; i < n; ++i) static_cast<io_handler*>(events[i].data.ptr)->on_io(events[i].events);
    fire_timers();
  }
  return true;
}

bool tcp_conn::connect(const std::string& host, int port, const std::string& source) {
  close();
  in_.clear();
  out_.clear();
  out_off_ = 0;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return false;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!source.empty()) {
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &src.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      fail(std::string("bind: ") + std::strerror(errno));
      return false;
    }
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1 || (ntohl(to.sin_addr.s_addr) >> 24) != 127) {
    // Benchmarks never send traffic anywhere but loopback.
    fail("not a loopback address: " + host);
    return false;
  }
  const int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to);
  if (rc != 0 && errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return false;
  }
  connecting_ = true;
  writing_ = true;
  loop_.add(fd_, EPOLLIN | EPOLLOUT, this);
  return true;
}

void tcp_conn::close() {
  if (fd_ < 0) return;
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  connecting_ = writing_ = false;
}

void tcp_conn::fail(const std::string& why) {
  close();
  on_closed(why);
}

void tcp_conn::want_write(bool on) {
  if (on == writing_ || fd_ < 0) return;
  writing_ = on;
  loop_.modify(fd_, EPOLLIN | (on ? EPOLLOUT : 0u), this);
}

void tcp_conn::write(std::string_view bytes) {
  if (fd_ < 0) return;
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  out_.append(bytes);
  if (!connecting_) flush();
}

void tcp_conn::flush() {
  while (out_off_ < out_.size()) {
    const auto n = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return want_write(true);
      return fail(std::string("send: ") + std::strerror(errno));
    }
    out_off_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_off_ = 0;
  want_write(false);
}

void tcp_conn::on_io(std::uint32_t events) {
  if (fd_ < 0) return;  // closed by another handler of the same epoll batch
  if (connecting_) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(std::string("connect: ") + std::strerror(err));
    if (!(events & (EPOLLOUT | EPOLLIN))) return;
    connecting_ = false;
    on_connected();
    if (fd_ < 0) return;
    flush();
    if (fd_ < 0) return;
  }
  if (events & EPOLLOUT) {
    flush();
    if (fd_ < 0) return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    char buf[65536];
    while (true) {
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        in_.append(buf, static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < sizeof buf) break;
        continue;
      }
      if (n == 0) {
        if (!in_.empty()) on_readable();
        if (fd_ < 0) return;
        return fail("closed by the server");
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return fail(std::string("recv: ") + std::strerror(errno));
    }
    on_readable();
  }
}

} // namespace bench
