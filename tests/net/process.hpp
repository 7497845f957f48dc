#pragma once
// Runs the built `actas` binary as a user would (posix_spawn), reading its output with bounded waits.
// The same helper as tests/app/main_test.cpp, plus kill() and the port it prints.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef ACTAS_BINARY
#error "ACTAS_BINARY must name the actas executable"
#endif

extern char** environ;

namespace actas::testing {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// Generous bound for a start (Argon2id hashes of the demo users, sanitizer builds, a busy machine).
inline constexpr auto start_timeout = 60s;

/// The binary the tests run: ACTAS_TEST_BINARY when set (to run a suite against another build, say an
/// older commit's, as the race suite's "failed before" evidence needs), else the one built with them.
inline const char* binary_under_test() {
  const char* other = std::getenv("ACTAS_TEST_BINARY");
  return other && *other ? other : ACTAS_BINARY;
}

class process {
public:
  /// Runs the binary with `args`; `extra_env` ("NAME=value") is added to its environment (the fault suite
  /// preloads its fault shim this way). `program` runs another executable (a test peer such as nginx).
  explicit process(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
                   const std::string& program = {}) {
    const std::string path = program.empty() ? std::string(binary_under_test()) : program;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);

    std::vector<std::string> argv_s{path};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The test's environment minus any ACTAS_* setting of the machine running it.
    std::vector<char*> envp;
    // A name given in extra_env replaces the inherited one (getenv would return the first).
    const auto overridden = [&](const char* e) {
      for (const auto& x : extra_env)
        if (auto eq = x.find('='); eq != std::string::npos && std::strncmp(e, x.c_str(), eq + 1) == 0) return true;
      return false;
    };
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "ACTAS_", 6) != 0 && !overridden(*e)) envp.push_back(*e);
    std::vector<std::string> extra(extra_env);
    for (auto& e : extra) envp.push_back(e.data());
    envp.push_back(nullptr);

    const int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
    if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0) throw std::runtime_error("pidfd_open");
  }

  ~process() {
    if (!status_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (int fd : {out_, err_, pidfd_})
      if (fd >= 0) close(fd);
  }

  /// Reads output until `done()` holds, the process has exited with its pipes drained, or `timeout`.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    while (!done()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
      if (left <= 0ms) return false;
      pollfd fds[3] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
      if (poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
      bool progressed = false;
      progressed |= drain(out_, out_text, fds[0].revents);
      progressed |= drain(err_, err_text, fds[1].revents);
      if (!progressed && (fds[2].revents & POLLIN)) {
        reap();
        return done();
      }
    }
    return true;
  }

  bool wait_for_stdout(const std::string& needle) {
    return pump_until([&] { return out_text.find(needle) != std::string::npos; }, start_timeout);
  }

  /// The exit status once the process has ended (bounded by `timeout`), nullopt if it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = start_timeout) {
    pump_until([&] { return status_.has_value(); }, timeout);
    return status_;
  }

  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }

  std::string out_text, err_text;

private:
  static bool drain(int& fd, std::string& into, short revents) {
    if (fd < 0 || !(revents & (POLLIN | POLLHUP | POLLERR))) return false;
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      close(fd);
      fd = -1;
      return false;
    }
    into.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  void reap() {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  }

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1, pidfd_ = -1;
  std::optional<int> status_;
};

/// A loopback port nobody listens on right now (the kernel's choice; nginx takes it a moment later).
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// The port of the "listening on http://HOST:PORT/" line ("https://" with TLS), once printed (bounded by
/// start_timeout).
inline std::optional<std::uint16_t> listening_port(process& p) {
  const std::string marker = "listening on http";
  std::optional<std::uint16_t> port;
  p.pump_until(
    [&] {
      const auto at = p.out_text.find(marker);
      if (at == std::string::npos) return false;
      const auto end = p.out_text.find("/\n", at);
      if (end == std::string::npos) return false;
      const auto line = p.out_text.substr(at, end - at);
      port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
      return true;
    },
    start_timeout);
  return port;
}

} // namespace actas::testing
