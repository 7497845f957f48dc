#pragma once
/// The bench on PostgreSQL (`--engine postgresql`): a throwaway server for the run (scripts/pg-throwaway),
/// one database per actas server copied from the seeded template (CREATE DATABASE … TEMPLATE), and the
/// PostgreSQL floor: a raw insert-and-commit loop at the same durability (fsync=on, synchronous_commit=on).
#include <string>

#include "load/loop.hpp"
#include "load/probes.hpp"

namespace bench {

/// Starts a fresh cluster for this run and stops it (removing its folder) on destruction.
class throwaway_postgresql {
public:
  explicit throwaway_postgresql(const std::string& source_dir);
  ~throwaway_postgresql();
  throwaway_postgresql(const throwaway_postgresql&) = delete;
  throwaway_postgresql& operator=(const throwaway_postgresql&) = delete;
  /// The socket folder (libpq's host=).
  const std::string& host() const { return host_; }

private:
  std::string source_;
  std::string host_;
};

/// The URL of database `name` on the server whose socket folder is `host`.
std::string postgresql_url(const std::string& host, const std::string& name);

/// Creates database `name` (a copy of `from_template` when given), dropping one of that name first.
void create_database(const std::string& host, const std::string& name, const std::string& from_template = {});

/// Inserts audit-like rows (~300 bytes) `batch` per transaction into a fresh table on the server, for
/// `duration`: what PostgreSQL itself commits at that batch size.
commit_probe_result postgresql_probe(const std::string& host, int batch, ns duration);

} // namespace bench
