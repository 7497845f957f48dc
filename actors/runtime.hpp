#pragma once
/// The running core: actor system, group-commit writer, registry with every live session resumed.
/// app/ builds one, net/ (next) talks to `registry()`.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "store/chain_check.hpp"
#include "store/writer.hpp"

namespace caf { class actor_system; }

namespace actas::actors {

struct runtime_config {
  /// SQLite file (its folder must exist).
  std::string db_path;
  /// CAF worker threads; 0 = hardware threads.
  std::size_t worker_threads = 0;
  /// User token lifetime and idle timeout (SPEC §6: 12 h, 1 h).
  std::int64_t token_ttl_s = 12 * 3600;
  std::int64_t token_idle_s = 3600;
  /// Make the WAL file as long as it gets under load before the first commit (the server does; tests
  /// leave it off to spare the disk).
  bool reserve_wal = false;
  /// On a shared (PostgreSQL) database: SPEC §8 "Fail closed" (cluster.max_staleness_ms).
  std::chrono::milliseconds max_staleness{2000};
  /// Told of every group commit (store::commit_observer; SPEC §10 metrics). May be empty.
  store::commit_observer on_commit;
};

class runtime {
public:
  /// Opens the store, loads the snapshot, spawns the registry, resumes sessions (ending overdue ones
  /// `expired` at their deadline). Throws std::runtime_error with a clear message on failure.
  explicit runtime(const runtime_config& cfg);
  /// Shuts down in the order of STYLE.md if shutdown() was not called.
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  registry_actor registry() const;
  /// The keeper of Idempotency-Key answers (SPEC §6 Retries).
  idempotency_actor idempotency() const;
  caf::actor_system& system();
  /// Readiness (SPEC §6 /readyz, §10 actas_audit_writable): false from a failed commit until the next
  /// one succeeds (the writer keeps trying with every new job, so this comes back by itself). Any thread.
  bool audit_writable() const;
  /// The audit chains found broken at start (each already logged at critical level): audited changes
  /// on them answer audit_unavailable, and the node is not ready while any is listed. Any thread.
  std::vector<store::chain_fault> broken_chains() const;
  /// On a shared database: true while this node has not completed a follow round of the other nodes for
  /// longer than max_staleness (SPEC §8: /readyz is 503 then). Always false on SQLite. Any thread.
  bool stale() const;
  /// Seconds since this node last completed a follow round of the other nodes (SPEC §10
  /// actas_cluster_lag_seconds); 0 on a database of its own. Any thread.
  double follow_lag_seconds() const;
  /// Whether the registry answers a question within `budget` (the systemd watchdog's test of life).
  /// Blocks the calling thread for at most `budget`; never call it from an actor or an I/O thread.
  bool answers_within(std::chrono::milliseconds budget);
  /// Exits the registry (its sessions are linked to it), stops the writer after its queue is durable,
  /// then lets the actor system end. Idempotent.
  void shutdown();

private:
  /// Milliseconds since the last completed follow round began (shared database only).
  std::int64_t follow_lag_ms() const;

  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace actas::actors
