// dist/actas.service and the binary under a service manager (SPEC §10 systemd, issue 15 item 4): the unit
// passes `systemd-analyze verify` without a warning and `systemd-analyze security` rates it OK, and the
// binary speaks sd_notify on the socket systemd would give it: READY=1 once it listens, WATCHDOG=1 while it
// runs, STOPPING=1 on SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/app/shell.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

#ifndef ACTAS_SOURCE_DIR
#error "ACTAS_SOURCE_DIR must name the project folder"
#endif

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// dist/actas.service with ExecStart pointing at the binary under test (verify checks that it exists and
/// is executable); nothing else changed.
fs::path unit_under_test(const fs::path& dir) {
  std::ifstream in(fs::path(ACTAS_SOURCE_DIR) / "dist" / "actas.service");
  std::stringstream text;
  text << in.rdbuf();
  const auto unit = std::regex_replace(text.str(), std::regex("/usr/local/bin/actas"), ACTAS_BINARY);
  EXPECT_NE(unit, text.str()) << "the unit no longer starts /usr/local/bin/actas";
  const auto path = dir / "actas.service";
  std::ofstream(path) << unit;
  return path;
}

TEST(systemd_test, the_unit_verifies_without_a_warning) {
  actas::testing::temp_dir dir;
  const auto [rc, said] = actas::testing::run_shell("systemd-analyze verify " + unit_under_test(dir.path()).string());
  EXPECT_EQ(rc, 0) << said;
  EXPECT_EQ(said, "") << "systemd-analyze verify warned";
}

TEST(systemd_test, the_sandbox_rates_ok_and_keeps_type_notify) {
  actas::testing::temp_dir dir;
  const auto unit = unit_under_test(dir.path());
  const auto [rc, said] = actas::testing::run_shell("systemd-analyze security --offline=true " + unit.string());
  EXPECT_EQ(rc, 0) << said;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(said, m, std::regex(R"(Overall exposure level for \S+: ([0-9.]+) (\w+))"))) << said;
  EXPECT_LE(std::stod(m[1]), 2.0) << said;
  EXPECT_EQ(m[2], "OK") << said;
  std::ifstream in(unit);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto* line : {"Type=notify", "NotifyAccess=main", "WatchdogSec=", "ProtectSystem=strict",
                           "NoNewPrivileges=yes", "StateDirectory=actas"})
    EXPECT_NE(text.find(std::string("\n") + line), std::string::npos) << line;
}

/// The datagram socket systemd hands a Type=notify service as NOTIFY_SOCKET.
class notify_socket {
public:
  explicit notify_socket(const fs::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
  }
  ~notify_socket() { close(fd_); }
  /// The next datagram, or "" after `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::array<char, 4096> buf{};
    const auto n = recv(fd_, buf.data(), buf.size(), 0);
    return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string{};
  }
  /// Datagrams until one contains `needle` (each kept in `seen`); false after `timeout` without it.
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, std::vector<std::string>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto d = next(100ms);
      if (d.empty()) continue;
      seen.push_back(d);
      if (d.find(needle) != std::string::npos) return true;
    }
    return false;
  }

private:
  fs::path path_;
  int fd_ = -1;
};

TEST(systemd_test, the_binary_says_ready_pings_the_watchdog_and_says_stopping) {
  actas::testing::temp_dir dir;
  notify_socket sd(dir.path() / "notify");
  actas::testing::process actas(
    {"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0"},
    {"NOTIFY_SOCKET=" + (dir.path() / "notify").string(), "WATCHDOG_USEC=400000"});
  const auto port = actas::testing::listening_port(actas);
  ASSERT_TRUE(port) << actas.err_text;
  std::vector<std::string> seen;
  ASSERT_TRUE(sd.wait_for("READY=1", 10s, seen)) << actas.err_text;
  EXPECT_NE(seen.back().find("STATUS=serving http://127.0.0.1:" + std::to_string(*port)), std::string::npos)
    << seen.back();
  // Every 200 ms while the core answers: three pings come well within the 10 s allowed.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sd.wait_for("WATCHDOG=1", 10s, seen)) << "ping " << i;
  actas.signal(SIGTERM);
  EXPECT_TRUE(sd.wait_for("STOPPING=1", 10s, seen));
  const auto status = actas.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << actas.err_text;
}

TEST(systemd_test, without_a_service_manager_nothing_is_sent_and_nothing_breaks) {
  actas::testing::temp_dir dir;
  actas::testing::process actas({"--demo", "--data", (dir.path() / "data").string(), "--listen", "127.0.0.1:0"},
                                {"WATCHDOG_USEC=400000"});
  ASSERT_TRUE(actas::testing::listening_port(actas)) << actas.err_text;
  actas.signal(SIGTERM);
  const auto status = actas.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << actas.err_text;
}

} // namespace
