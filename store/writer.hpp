#pragma once
/// Group commit: every state change and its audit events are one job; concurrent jobs share one
/// transaction and so one fsync; no job's `done` runs before its commit is durable.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "store/chain_check.hpp"
#include "store/database.hpp"

namespace actas::store {

/// Counters for /metrics and the `ops` bench (rows per fsync).
struct writer_stats {
  std::uint64_t commits = 0;
  std::uint64_t jobs = 0;
  std::uint64_t failed_commits = 0;
  /// Whether the last commit succeeded (false from a failed commit until the next one that succeeds).
  bool audit_writable = true;
};

/// Told after every group commit (committed or not) how long its transaction took and how many jobs it
/// carried (SPEC §10 actas_commit_duration_seconds, actas_commit_batch_size). Runs on the writer's thread:
/// must be quick and must not throw.
using commit_observer = std::function<void(std::chrono::duration<double> took, std::size_t jobs)>;

/// How often a job that keeps deadlocking runs before it is answered as failed (writer::job).
inline constexpr int max_job_runs = 5;

class writer {
public:
  /// Runs on the writer's thread inside its own savepoint. It may run more than once: a job that
  /// deadlocks with another node's transaction (failure::conflict) is rolled back and run again in the
  /// next transaction, up to max_job_runs times, so each run must start from the job's inputs (a job that
  /// fills in a decision resets it first).
  using job = std::function<void(transaction&)>;
  /// Runs on the writer's thread after the commit: ok = durable; false = rolled back (the caller answers
  /// audit_unavailable). Must not block; typically an anon_send to an actor.
  using done = std::function<void(bool ok)>;

  virtual ~writer() = default;
  /// Queues a job. Never blocks the caller beyond a mutex.
  virtual void submit(job j, done d) = 0;
  virtual writer_stats stats() const = 0;
  /// The audit chains found broken when the writer opened the database (checked before it takes any
  /// job); every job that appends to one of them fails.
  virtual std::vector<chain_fault> broken_chains() const = 0;
  /// Stops after the queued jobs are committed.
  virtual void stop() = 0;
};

/// The production writer: one thread, batches of up to `max_batch` jobs per transaction. WAL checkpoints
/// run on a second thread so commits never wait for them. A job submitted after stop(), or while 131072
/// jobs are already waiting (a stalled disk), is refused at once with done(false). With `reserve` the
/// WAL file is first made as long as it gets under load (about 70 MB, once per database; see
/// store/wal_reserve.hpp), so commits write over it instead of growing it.
std::unique_ptr<writer> make_group_writer(const std::string& db_path, std::size_t max_batch = 512,
                                          bool reserve = false, commit_observer observe = {});

/// Runs each job in its own transaction on the caller's thread and calls `done` before returning.
/// For deterministic actor tests (virtual time).
std::unique_ptr<writer> make_inline_writer(const std::string& db_path);

} // namespace actas::store
