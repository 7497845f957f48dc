#include "load/fleet.hpp"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load/http_client.hpp"
#include "load/process.hpp"
#include "load/ws_group.hpp"

namespace bench {

namespace {

/// Line-based control channel over a socketpair, both directions.
class line_channel : public io_handler {
public:
  line_channel(loop& l, int fd, std::function<void(const std::string&)> on_line)
      : loop_(l), fd_(fd), on_line_(std::move(on_line)) {
    loop_.add(fd_, EPOLLIN, this);
  }
  ~line_channel() override {
    loop_.remove(fd_);
    ::close(fd_);
  }
  void send(const std::string& line) {
    std::string s = line + "\n";
    std::size_t off = 0;
    while (off < s.size()) {
      const auto n = ::write(fd_, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }
  void on_io(std::uint32_t) override {
    char buf[4096];
    const auto n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) {
      closed = true;
      loop_.remove(fd_);
      if (on_line_) on_line_("eof");
      return;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    std::size_t at;
    while ((at = in_.find('\n')) != std::string::npos) {
      auto line = in_.substr(0, at);
      in_.erase(0, at + 1);
      on_line_(line);
    }
  }
  bool closed = false;

private:
  loop& loop_;
  int fd_;
  std::function<void(const std::string&)> on_line_;
  std::string in_;
};

/// One worker process: sets up its share of the connections, then counts armed frames.
class worker_body {
public:
  worker_body(const fleet_plan& plan, std::size_t first, std::size_t count, int index, int ctl)
      : ctl_(loop_, ctl, [this](const std::string& l) { command(l); }),
        group_(loop_, ws_group_plan{plan.port, plan.tickets, plan.creds, first, count, plan.subscribe, plan.in_flight,
                                    "127.0.0." + std::to_string(10 + index)}),
        got_(count, 0) {
    // 127.0.0.<10+k>: each worker its own source address, so no two share the ephemeral ports.
    group_.on_setup_done = [this] {
      ctl_.send("ready " + std::to_string(group_.ok()) + " " + std::to_string(group_.failed()) + " " +
                std::to_string(group_.refused()) + " " + group_.first_error());
    };
    group_.on_frame = [this](std::size_t i, std::string_view text, ns at) { on_frame(i, text, at); };
  }

  int run() {
    group_.start();
    loop_.run_until([this] { return quit_; }, now_ns() + sec(3600));
    group_.close_all();
    return 0;
  }

private:
  void on_frame(std::size_t i, std::string_view text, ns at) {
    if (armed_ < 0 || got_[i] || text.find(pattern_) == std::string_view::npos) return;
    got_[i] = 1;
    if (got_count_++ == 0) first_at_ = at;
    last_at_ = std::max(last_at_, at);
    if (got_count_ >= group_.ok()) report_got();
  }

  void report_got() {
    if (armed_ < 0 || reported_) return;
    ctl_.send("got " + std::to_string(armed_) + " " + std::to_string(got_count_) + " " + std::to_string(first_at_) +
              " " + std::to_string(last_at_) + " " + std::to_string(group_.late_errors()) + " " + group_.first_error());
    reported_ = true;
  }

  void command(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "eof" || verb == "quit") {
      quit_ = true;
    } else if (verb == "arm") {
      in >> armed_;
      in.get();
      std::getline(in, pattern_);
      std::fill(got_.begin(), got_.end(), 0);
      got_count_ = 0;
      first_at_ = last_at_ = 0;
      reported_ = false;
      if (group_.ok() == 0) report_got();
    } else if (verb == "flush") {
      report_got();
    }
  }

  loop loop_;
  line_channel ctl_;
  ws_group group_;
  std::vector<char> got_;
  bool quit_ = false, reported_ = false;
  int armed_ = -1;
  std::string pattern_;
  std::size_t got_count_ = 0;
  ns first_at_ = 0, last_at_ = 0;
};

} // namespace

struct fleet::worker {
  pid_t pid = -1;
  std::unique_ptr<line_channel> ctl;
  bool ready = false, gone = false;
  std::size_t ok = 0, failed = 0, refused = 0;
  std::string error;
  int got_id = -1;
  arrivals got;
};

fleet::fleet(loop& l, fleet_plan plan) : loop_(l), plan_(std::move(plan)) {
  const std::size_t per = std::max<std::size_t>(1, plan_.per_process);
  const std::size_t n = (plan_.connections + per - 1) / per;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t first = k * plan_.connections / n;
    const std::size_t count = (k + 1) * plan_.connections / n - first;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair");
    auto w = std::make_unique<worker>();
    const int index = static_cast<int>(k);
    w->pid = fork_child([&, fds, first, count, index] {
      ::close(fds[0]);
      worker_body body(plan_, first, count, index, fds[1]);
      return body.run();
    });
    ::close(fds[1]);
    auto* wp = w.get();
    w->ctl = std::make_unique<line_channel>(loop_, fds[0], [this, wp](const std::string& line) {
      std::istringstream in(line);
      std::string verb;
      in >> verb;
      if (verb == "eof") {
        wp->gone = true;
        if (!wp->ready) {
          wp->ready = true;
          if (first_error_.empty()) first_error_ = "a worker process died";
        }
      } else if (verb == "ready") {
        in >> wp->ok >> wp->failed >> wp->refused;
        in.get();
        std::getline(in, wp->error);
        if (first_error_.empty() && !wp->error.empty()) first_error_ = wp->error;
        wp->ready = true;
      } else if (verb == "got") {
        in >> wp->got_id >> wp->got.count >> wp->got.first >> wp->got.last >> wp->got.late_errors;
        in.get();
        std::string why;
        std::getline(in, why);
        if (wp->got.late_errors && first_error_.empty()) first_error_ = why;
      }
    });
    workers_.push_back(std::move(w));
  }
}

fleet::~fleet() {
  for (auto& w : workers_)
    if (!w->gone) w->ctl->send("quit");
  for (auto& w : workers_) reap(w->pid, 20.0);
}

bool fleet::wait_ready(ns timeout) {
  return loop_.run_until(
      [this] {
        for (auto& w : workers_)
          if (!w->ready) return false;
        return true;
      },
      now_ns() + timeout);
}

std::size_t fleet::ready() const {
  std::size_t n = 0;
  for (auto& w : workers_) n += w->ok;
  return n;
}
std::size_t fleet::failed() const {
  std::size_t n = 0;
  for (auto& w : workers_) n += w->failed;
  return n;
}
std::size_t fleet::refused() const {
  std::size_t n = 0;
  for (auto& w : workers_) n += w->refused;
  return n;
}

void fleet::arm(int id, const std::string& pattern) {
  for (auto& w : workers_) {
    w->got_id = -1;
    w->got = {};
    if (!w->gone) w->ctl->send("arm " + std::to_string(id) + " " + pattern);
  }
  // Arming is asynchronous: let the workers read it before the event is triggered.
  loop_.run_for(ms(20));
}

fleet::arrivals fleet::wait(int id, ns timeout) {
  const auto all_in = [&] {
    for (auto& w : workers_)
      if (!w->gone && w->got_id != id) return false;
    return true;
  };
  if (!loop_.run_until(all_in, now_ns() + timeout)) {
    for (auto& w : workers_)
      if (!w->gone && w->got_id != id) w->ctl->send("flush " + std::to_string(id));
    loop_.run_until(all_in, now_ns() + sec(2));
  }
  arrivals a;
  for (auto& w : workers_) {
    if (w->got_id != id) continue;
    a.count += w->got.count;
    a.late_errors += w->got.late_errors;
    if (w->got.count == 0) continue;
    a.first = a.first == 0 ? w->got.first : std::min(a.first, w->got.first);
    a.last = std::max(a.last, w->got.last);
  }
  return a;
}

} // namespace bench
