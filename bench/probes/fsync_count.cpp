// LD_PRELOAD shim that counts a server's fsync and fdatasync calls, so the bench can print rows per
// fsync whatever the server exposes. The counters live in a file the bench names in
// ACTAS_BENCH_FSYNC_FILE (mapped shared, read by the bench while the server runs): calls on a SQLite
// write-ahead log ("…-wal": one per commit in WAL mode) and calls on anything else (checkpoints).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

namespace {

struct counters {
  std::atomic<std::uint64_t> wal_calls;
  std::atomic<std::uint64_t> other_calls;
  std::atomic<std::uint64_t> wal_ns;
  std::atomic<std::uint64_t> other_ns;
};

counters* shared() {
  static counters* c = [] () -> counters* {
    const char* path = std::getenv("ACTAS_BENCH_FSYNC_FILE");
    if (!path) return nullptr;
    const int fd = ::open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return nullptr;
    void* p = mmap(nullptr, sizeof(counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    return p == MAP_FAILED ? nullptr : static_cast<counters*>(p);
  }();
  return c;
}

bool is_wal(int fd) {
  char link[64];
  char target[512];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const auto n = readlink(link, target, sizeof target - 1);
  return n > 4 && std::memcmp(target + n - 4, "-wal", 4) == 0;
}

std::uint64_t now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

template <class F>
int counted(int fd, F real) {
  const bool wal = is_wal(fd);
  const auto t0 = now();
  const int rc = real(fd);
  if (auto* c = shared()) {
    const auto dt = now() - t0;
    (wal ? c->wal_calls : c->other_calls).fetch_add(1, std::memory_order_relaxed);
    (wal ? c->wal_ns : c->other_ns).fetch_add(dt, std::memory_order_relaxed);
  }
  return rc;
}

} // namespace

extern "C" int fsync(int fd) {
  using fn = int (*)(int);
  static fn real = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "fsync"));
  return counted(fd, real);
}

extern "C" int fdatasync(int fd) {
  using fn = int (*)(int);
  static fn real = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "fdatasync"));
  return counted(fd, real);
}
