#include "load/process.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace bench {

namespace {

/// Every child not yet reaped; read by the signal handler (fixed size, no allocation there).
constexpr int max_children = 64;
volatile pid_t children[max_children] = {};

void remember(pid_t pid) {
  for (auto& c : children)
    if (c == 0) {
      c = pid;
      return;
    }
}

void forget(pid_t pid) {
  for (auto& c : children)
    if (c == pid) c = 0;
}

void on_signal(int sig) {
  stop_all_children();
  _exit(128 + sig);
}

} // namespace

cpu_times cpu_split(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  const auto close_paren = s.rfind(')');
  if (close_paren == std::string::npos) return {};
  std::istringstream in(s.substr(close_paren + 2));
  std::string field;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {utime / tick, stime / tick};
}

long rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      long v = 0;
      f >> v;
      return v;
    }
    f.ignore(1 << 12, '\n');
  }
  return 0;
}

std::string tail_file(const std::string& path, int lines) {
  std::ifstream f(path);
  std::vector<std::string> all;
  for (std::string l; std::getline(f, l);) all.push_back(l);
  std::string out;
  for (auto i = all.size() > std::size_t(lines) ? all.size() - lines : 0; i < all.size(); ++i) out += all[i] + "\n";
  return out;
}

pid_t fork_child(const std::function<int()>& body) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    for (auto& c : children) c = 0;  // a child owns no other child
    int rc = 1;
    try {
      rc = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench child: %s\n", e.what());
    }
    _exit(rc);
  }
  remember(pid);
  return pid;
}

int reap(pid_t pid, double timeout_s) {
  if (pid <= 0) return -1;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) break;
    if (std::chrono::steady_clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  forget(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void stop_all_children() {
  for (auto& c : children)
    if (c > 0) kill(c, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    bool any = false;
    for (auto& c : children)
      if (c > 0) {
        if (waitpid(c, nullptr, WNOHANG) == c) c = 0; else any = true;
      }
    if (!any) return;
    usleep(25'000);
  }
  for (auto& c : children)
    if (c > 0) {
      kill(c, SIGKILL);
      waitpid(c, nullptr, 0);
      c = 0;
    }
}

void install_signal_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

server_process::server_process(options o) : o_(std::move(o)) {
  if (!o_.fsync_shim.empty()) {
    fsync_file_ = o_.log + ".fsync";
    const int fd = ::open(fsync_file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, sizeof(fsync_counts)) != 0)
      throw std::runtime_error("cannot create " + fsync_file_);
    ::close(fd);
  }
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    const int log = ::open(o_.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    const int null = ::open("/dev/null", O_RDONLY);
    dup2(null, 0);
    if (!o_.workdir.empty() && chdir(o_.workdir.c_str()) != 0) _exit(127);
    for (const auto& [k, v] : o_.env) setenv(k.c_str(), v.c_str(), 1);
    if (!o_.fsync_shim.empty()) {
      setenv("LD_PRELOAD", o_.fsync_shim.c_str(), 1);
      setenv("ACTAS_BENCH_FSYNC_FILE", fsync_file_.c_str(), 1);
    }
    std::vector<char*> args;
    for (auto& a : o_.argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  remember(pid_);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string marker = "listening on http://127.0.0.1:";
  while (true) {
    std::ifstream f(o_.log);
    std::string text((std::istreambuf_iterator<char>(f)), {});
    if (auto at = text.find(marker); at != std::string::npos) {
      port_ = std::atoi(text.c_str() + at + marker.size());
      if (port_ > 0) return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      forget(pid_);
      pid_ = -1;
      throw std::runtime_error(o_.name + " exited before listening:\n" + tail_file(o_.log));
    }
    if (std::chrono::steady_clock::now() > until) {
      stop();
      throw std::runtime_error(o_.name + " did not print its port within 30 s:\n" + tail_file(o_.log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

server_process::~server_process() { stop(); }

fsync_counts server_process::fsyncs() const {
  fsync_counts c;
  if (fsync_file_.empty()) return c;
  const int fd = ::open(fsync_file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return c;
  if (pread(fd, &c, sizeof c, 0) != static_cast<ssize_t>(sizeof c)) c = {};
  ::close(fd);
  return c;
}

void server_process::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  reap(pid_, 10.0);
  pid_ = -1;
}

} // namespace bench
