#pragma once
/// Child processes the bench starts (servers, worker processes) and what /proc tells about them.
/// Every child dies with the bench (PR_SET_PDEATHSIG), and stop_all() ends the ones still running.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace bench {

/// User and system CPU seconds of a process and all its threads (dead ones included), 10 ms resolution.
struct cpu_times {
  double user = 0, sys = 0;
  double total() const { return user + sys; }
};
cpu_times cpu_split(pid_t pid);
/// User plus system CPU seconds.
inline double cpu_seconds(pid_t pid) { return cpu_split(pid).total(); }
/// Resident set size in KiB (VmRSS).
long rss_kb(pid_t pid);

/// Counters written by the fsync shim (probes/fsync_count.cpp) into a shared file.
struct fsync_counts {
  std::uint64_t wal_calls = 0, other_calls = 0, wal_ns = 0, other_ns = 0;
};

/// A server started by the bench, stdout and stderr going to `log`.
class server_process {
public:
  struct options {
    std::string name;
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;  ///< added to the bench's environment
    std::string log;
    std::string workdir;
    /// Preload the fsync counting shim (this file path), counters in `fsync_file`.
    std::string fsync_shim;
  };

  /// Starts the process and waits (up to 30 s) for "listening on http://127.0.0.1:PORT/" in its output.
  /// Throws with the log's tail when it exits or never says so.
  explicit server_process(options o);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& name() const { return o_.name; }
  fsync_counts fsyncs() const;
  /// SIGTERM, up to 10 s for a clean exit, then SIGKILL. Idempotent.
  void stop();

private:
  options o_;
  std::string fsync_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// Forks a child that runs `body` and then _exit()s; it dies with the bench. Returns its pid.
pid_t fork_child(const std::function<int()>& body);
/// Waits for a child, SIGKILL after `timeout_s`. Returns its exit status (or -1).
int reap(pid_t pid, double timeout_s);
/// Ends every child still running (signal handlers and exit paths call this).
void stop_all_children();
/// SIGINT/SIGTERM: stop every child, then exit.
void install_signal_handlers();

/// Last `lines` lines of a text file.
std::string tail_file(const std::string& path, int lines = 20);

} // namespace bench
