#pragma once
// Running an outside tool (systemd-analyze, openssl, curl) the way an operator would, for the tests that
// check actas against it.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace actas::testing {

/// Runs `command` through the shell; its exit code and what it printed (stdout and stderr).
inline std::pair<int, std::string> run_shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  while (auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace actas::testing
