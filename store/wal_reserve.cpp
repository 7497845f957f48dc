#include "store/wal_reserve.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/checkpointer.hpp"
#include "store/database.hpp"
#include "store/sqlite_engine.hpp"

namespace actas::store {

namespace {

constexpr std::uint64_t wal_header_bytes = 32;
constexpr std::uint64_t frame_header_bytes = 24;
constexpr std::uint64_t chunk_bytes = 1 << 20;

/// An open file descriptor, closed on every way out.
struct open_file {
  explicit open_file(const std::string& path) : fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) {}
  ~open_file() {
    if (fd >= 0) ::close(fd);
  }
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  int fd;
};

[[noreturn]] void fail(const std::string& path, const char* what) {
  throw std::runtime_error("cannot reserve the WAL " + path + ": " + what + ": " + std::strerror(errno));
}

/// Writes zeros from the file's end up to `bytes` and makes them durable. When that fails part way, the
/// file is cut back to its old length: a start that cannot reserve must not leave tens of megabytes of
/// zeros on a disk that is already short of space (only zeros past the old end go, never a frame).
void extend_with_zeros(const std::string& path, std::uint64_t bytes) {
  open_file f(path);
  if (f.fd < 0) fail(path, "open");
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, "stat");
  const std::vector<char> zeros(chunk_bytes, 0);
  const char* failed = nullptr;
  for (auto at = static_cast<std::uint64_t>(st.st_size); at < bytes && !failed;) {
    auto n = std::min<std::uint64_t>(chunk_bytes, bytes - at);
    auto written = ::pwrite(f.fd, zeros.data(), n, static_cast<off_t>(at));
    if (written <= 0)
      failed = "write";
    else
      at += static_cast<std::uint64_t>(written);
  }
  if (!failed && ::fdatasync(f.fd) != 0) failed = "fdatasync";
  if (!failed) return;
  const int err = errno;  // the cause, not whatever the truncation sets
  if (::ftruncate(f.fd, st.st_size) != 0)
    throw std::runtime_error("cannot reserve the WAL " + path + ": " + failed + ": " + std::strerror(err) +
                             ", and cutting it back failed too: " + std::strerror(errno));
  errno = err;
  fail(path, failed);
}

} // namespace

std::uint64_t wal_bytes_for_load(int page_size) {
  const auto frames = static_cast<std::uint64_t>(checkpointer::hard_frames + checkpointer::soft_frames);
  return wal_header_bytes + frames * (frame_header_bytes + static_cast<std::uint64_t>(page_size));
}

void reserve_wal(database& db, std::uint64_t bytes) {
  const std::string path = db.path() + "-wal";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) >= bytes) return;
  // The write lock: another writer appending frames past the current end would race the zeros.
  exec(db.sqlite(), "BEGIN IMMEDIATE");
  try {
    extend_with_zeros(path, bytes);
  } catch (...) {
    exec(db.sqlite(), "ROLLBACK");
    throw;
  }
  exec(db.sqlite(), "ROLLBACK");  // nothing was written through SQLite
}

} // namespace actas::store
