#pragma once
/// Turns the faults of tests/fault/fault_shim.c on and off: a folder whose files `eio` and `enospc` the
/// shim looks for on every sync and write. The shim is linked into the fault tests themselves (so the
/// store can be faulted in-process) and preloaded into the actas binary the tests spawn.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/store/temp_dir.hpp"

extern "C" int actas_fault_shim_loaded(void);

namespace actas::testing {

class fault_switch {
public:
  /// `in_process`: this process's own syncs and writes obey the switch too (the variable the shim reads
  /// is set here); otherwise only processes started with env() do.
  explicit fault_switch(bool in_process) {
    if (in_process) ::setenv("ACTAS_FAULT_DIR", dir_.path().c_str(), 1);
  }
  ~fault_switch() {
    ::unsetenv("ACTAS_FAULT_DIR");
  }
  fault_switch(const fault_switch&) = delete;
  fault_switch& operator=(const fault_switch&) = delete;

  /// fsync and fdatasync of regular files fail with EIO from now on.
  void eio(bool on) { set("eio", on); }
  /// Writes to regular files fail with ENOSPC from now on.
  void enospc(bool on) { set("enospc", on); }
  /// How many calls the shim has failed so far.
  std::uintmax_t injected() const {
    std::error_code ec;
    auto n = std::filesystem::file_size(dir_.path() / "injected", ec);
    return ec ? 0 : n;
  }
  /// The environment a spawned process needs to obey the switch.
  std::vector<std::string> env() const {
    // Under ASan (scripts/test's second pass) the preloaded shim comes before the sanitizer's runtime,
    // which it would refuse; the shim only forwards calls, so the order does not matter to it.
    const char* asan = std::getenv("ASAN_OPTIONS");
    std::string asan_options = std::string("ASAN_OPTIONS=") + (asan ? asan : "") + (asan ? ":" : "") +
                               "verify_asan_link_order=0";
    return {"ACTAS_FAULT_DIR=" + dir_.path().string(), std::string("LD_PRELOAD=") + ACTAS_FAULT_SHIM,
            asan_options};
  }

private:
  void set(const char* name, bool on) {
    const auto p = dir_.path() / name;
    if (on) {
      // open+close, no write: in-process, the switch must not trip over its own fault.
      int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
    } else {
      std::filesystem::remove(p);
    }
  }

  temp_dir dir_;
};

} // namespace actas::testing
