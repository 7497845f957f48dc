#include "load/probes.hpp"

#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include <sqlite3.h>

#include "load/calls.hpp"

namespace bench {

fsync_probe_result fsync_probe(const std::string& folder, ns duration) {
  const auto path = folder + "/fsync-probe.bin";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  // Overwrite a preallocated region, as a reused SQLite WAL does: no size change, so fdatasync flushes
  // data only (appending would add a file system journal commit to every call).
  constexpr std::size_t region = 4 << 20;
  std::string block(4096, 'x');
  for (std::size_t off = 0; off < region; off += block.size())
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(block.size()))
      throw std::runtime_error("cannot write " + path);
  fsync(fd);
  samples s;
  const ns start = now_ns();
  int n = 0;
  // At most 500 calls: the disk may sit behind an operations budget, which a long probe would drain for the
  // run that follows.
  while ((now_ns() - start < duration && n < 500) || n < 20) {
    const ns t0 = now_ns();
    const auto off = static_cast<off_t>((static_cast<std::size_t>(n) * block.size()) % region);
    if (::pwrite(fd, block.data(), block.size(), off) != static_cast<ssize_t>(block.size())) break;
    fdatasync(fd);
    s.add(now_ns() - t0);
    ++n;
  }
  const ns elapsed = now_ns() - start;
  ::close(fd);
  std::filesystem::remove(path);
  fsync_probe_result r;
  r.samples = n;
  r.per_second = n / (static_cast<double>(elapsed) / 1e9);
  r.p50 = s.quantile(0.5);
  r.p99 = s.quantile(0.99);
  return r;
}

namespace {

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(std::string("sqlite probe: ") + sql + ": " + m);
  }
}

} // namespace

commit_probe_result sqlite_probe(const std::string& folder, int batch, ns duration) {
  const auto path = folder + "/sqlite-probe.db";
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  exec(db, "PRAGMA journal_mode = WAL");
  exec(db, "PRAGMA synchronous = FULL");
  exec(db, "CREATE TABLE audit (chain TEXT, seq INTEGER, at INTEGER, event TEXT, performed_by TEXT, "
           "active_account TEXT, session TEXT, portal TEXT, outcome TEXT, reason TEXT, ip TEXT, prev_hash TEXT, "
           "hash TEXT, PRIMARY KEY (chain, seq))");
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins, nullptr);
  const std::string hash(64, 'a');
  long rows = 0, commits = 0;
  const ns start = now_ns();
  // At most 300 commits, for the same reason as the fsync probe.
  while ((now_ns() - start < duration && commits < 300) || commits < 5) {
    exec(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < batch; ++i) {
      sqlite3_bind_text(ins, 1, "acme", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 2, ++rows);
      sqlite3_bind_int64(ins, 3, now_ns() / 1000);
      sqlite3_bind_text(ins, 4, "impersonation.start", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 5, "bench-adm-001", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 6, "bench-lrn-001", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 7, "ses_3f2a9c0d1e4b5a6978877665544332211", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 8, "acme-eu", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 9, "done", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 10, "checking the learner's course view", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 11, "127.0.0.1", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 12, hash.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 13, hash.c_str(), -1, SQLITE_STATIC);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    exec(db, "COMMIT");
    ++commits;
  }
  const double secs = static_cast<double>(now_ns() - start) / 1e9;
  sqlite3_finalize(ins);
  sqlite3_close(db);
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return {static_cast<double>(rows) / secs, static_cast<double>(commits) / secs, batch};
}

} // namespace bench
