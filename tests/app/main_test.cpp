// End to end: runs the built `actas` binary as a user would and watches its output and exit code.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#ifndef ACTAS_BINARY
#error "ACTAS_BINARY must name the actas executable"
#endif

extern char** environ;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

/// Generous bound for a start (Argon2id hashes of the demo users, sanitizer builds, a busy machine).
constexpr auto start_timeout = 30s;

class process {
public:
  explicit process(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);

    std::vector<std::string> argv_s{ACTAS_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The test's environment minus any ACTAS_* setting of the machine running it.
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "ACTAS_", 6) != 0) envp.push_back(*e);
    envp.push_back(nullptr);

    const int rc = posix_spawn(&pid_, ACTAS_BINARY, &actions, nullptr, argv.data(), envp.data());
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

class actas_binary_test : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "actas_main_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  /// A loopback port unlikely to collide with a parallel test run (each test process has its own pid).
  const std::string port_ = std::to_string(20000 + getpid() % 20000);
};

::testing::AssertionResult exited_with(std::optional<int> status, int code) {
  if (!status) return ::testing::AssertionFailure() << "still running";
  if (!WIFEXITED(*status)) return ::testing::AssertionFailure() << "killed by signal " << WTERMSIG(*status);
  if (WEXITSTATUS(*status) != code) return ::testing::AssertionFailure() << "exit code " << WEXITSTATUS(*status);
  return ::testing::AssertionSuccess();
}

TEST_F(actas_binary_test, demo_prints_logins_and_stops_cleanly_on_sigterm) {
  const auto data = dir_ / "data";
  const auto url = "http://127.0.0.1:" + port_ + "/";
  {
    process actas({"--demo", "--data", data.string(), "--listen", "127.0.0.1:" + port_});
    ASSERT_TRUE(actas.wait_for_stdout("Open " + url)) << "stdout:\n" << actas.out_text << "\nstderr:\n"
                                                      << actas.err_text;
    // The first line says where it serves, before the logins table.
    EXPECT_EQ(actas.out_text.rfind("listening on " + url + "\n", 0), 0u) << actas.out_text;
    EXPECT_NE(actas.out_text.find("sara"), std::string::npos);
    EXPECT_NE(actas.out_text.find("superadmin"), std::string::npos);
    EXPECT_NE(actas.out_text.find("\"demo\""), std::string::npos);
    actas.signal(SIGTERM);
    EXPECT_TRUE(exited_with(actas.wait_exit(), 0)) << actas.err_text;
  }
  EXPECT_TRUE(fs::exists(data / "actas.db"));

  // A second start keeps the seeded data, still prints the logins, and Ctrl-C stops it as well.
  process again({"--demo", "--data", data.string(), "--listen", "127.0.0.1:" + port_});
  ASSERT_TRUE(again.wait_for_stdout("Open " + url)) << again.err_text;
  EXPECT_NE(again.err_text.find("already"), std::string::npos) << again.err_text;
  again.signal(SIGINT);
  EXPECT_TRUE(exited_with(again.wait_exit(), 0)) << again.err_text;
}

TEST_F(actas_binary_test, demo_on_a_public_address_is_refused_before_touching_disk) {
  const auto data = dir_ / "data";
  process actas({"--demo", "--listen", "0.0.0.0:8080", "--data", data.string()});
  EXPECT_TRUE(exited_with(actas.wait_exit(), 2));
  EXPECT_NE(actas.err_text.find("loopback"), std::string::npos) << actas.err_text;
  EXPECT_FALSE(fs::exists(data));
}

TEST_F(actas_binary_test, service_key_flag_is_refused_without_echoing_it) {
  const std::string key = "0123456789abcdef0123456789abcdef-secret";
  process actas({"--service-key", key, "--data", (dir_ / "data").string()});
  EXPECT_TRUE(exited_with(actas.wait_exit(), 2));
  EXPECT_NE(actas.err_text.find("ACTAS_SERVICE_KEY"), std::string::npos) << actas.err_text;
  EXPECT_EQ(actas.err_text.find(key), std::string::npos);
  EXPECT_EQ(actas.out_text.find(key), std::string::npos);
}

TEST_F(actas_binary_test, version_prints_and_exits_zero) {
  process actas({"--version"});
  EXPECT_TRUE(exited_with(actas.wait_exit(), 0));
  EXPECT_EQ(actas.out_text.rfind("actas ", 0), 0u) << actas.out_text;
}

} // namespace
