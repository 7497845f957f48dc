#pragma once
/// The disk floors, measured in the same run as the servers: raw fdatasync and SQLite batched inserts
/// in the mode actas uses (WAL, synchronous=FULL).
#include <string>

#include "load/loop.hpp"

namespace bench {

struct fsync_probe_result {
  double per_second = 0;  ///< pwrite(4 KiB) over a preallocated file + fdatasync, back to back
  ns p50 = 0, p99 = 0;
  int samples = 0;
};

/// Overwrites 4 KiB of a preallocated 4 MiB file and fdatasyncs, for `duration`, under `folder` (the data
/// folders' disk).
fsync_probe_result fsync_probe(const std::string& folder, ns duration);

/// What an engine commits by itself at one batch size (the SQLite and PostgreSQL floors).
struct commit_probe_result {
  double rows_per_second = 0;
  double commits_per_second = 0;
  int batch = 1;
};

/// Inserts audit-like rows (~300 bytes) `batch` per transaction into a fresh WAL database with
/// synchronous=FULL, for `duration`.
commit_probe_result sqlite_probe(const std::string& folder, int batch, ns duration);

} // namespace bench
