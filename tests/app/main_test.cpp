// End to end: runs the built `actas` binary as a user would and watches its output and exit code.
#include <gtest/gtest.h>

#include "tests/net/process.hpp"

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
#include <fstream>
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

// The child-process runner is shared with the net tests.
using actas::testing::process;

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

TEST_F(actas_binary_test, check_config_says_what_the_server_would_say_and_starts_nothing) {
  const auto data = dir_ / "data";
  const auto good = dir_ / "good.toml";
  const auto bad = dir_ / "bad.toml";
  {
    std::ofstream(good) << "listen = \"127.0.0.1:" << port_ << "\"\ndata = \"" << data.string() << "\"\n";
    std::ofstream(bad) << "listen = \"127.0.0.1:" << port_ << "\"\nlisten_backlog = 5\n";
  }
  process ok({"check-config", good.string()});
  EXPECT_TRUE(exited_with(ok.wait_exit(), 0)) << ok.err_text;
  EXPECT_NE(ok.out_text.find("is a valid configuration: listen http://127.0.0.1:" + port_), std::string::npos)
      << ok.out_text;
  EXPECT_FALSE(fs::exists(data)) << "check-config created the data folder";

  process checked({"check-config", bad.string()});
  EXPECT_TRUE(exited_with(checked.wait_exit(), 2));
  EXPECT_NE(checked.err_text.find("unknown key 'listen_backlog'"), std::string::npos) << checked.err_text;
  process server({"--config", bad.string()});
  EXPECT_TRUE(exited_with(server.wait_exit(), 2));
  EXPECT_EQ(checked.err_text, server.err_text);

  process missing({"check-config", (dir_ / "absent.toml").string()});
  EXPECT_TRUE(exited_with(missing.wait_exit(), 2));
  EXPECT_NE(missing.err_text.find("absent.toml"), std::string::npos) << missing.err_text;

  process usage({"check-config"});
  EXPECT_TRUE(exited_with(usage.wait_exit(), 2));
  EXPECT_NE(usage.err_text.find("usage: actas check-config FILE"), std::string::npos) << usage.err_text;
}

} // namespace
