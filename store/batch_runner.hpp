#pragma once
/// Store-internal: runs a batch of writer jobs as one transaction on one connection. Shared by the group
/// writer (batches of many) and the inline writer (batches of one).
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/chain_check.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

namespace actas::store {

/// A queued job with the callback that learns its fate.
struct pending_job {
  writer::job job;
  writer::done done;
  int runs = 0;  ///< how often it met a conflict and was rolled back (see job_result::conflicted)
};

/// What became of one job of a batch.
enum class job_result {
  durable,    ///< committed
  failed,     ///< rolled back for good: the job threw, or the batch could not commit
  conflicted  ///< rolled back alone because it deadlocked with another transaction; may run again
};


/// The writer_stats counters, readable from any thread while the writer runs.
struct writer_counters {
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> jobs{0};
  std::atomic<std::uint64_t> failed_commits{0};
  std::atomic<bool> writable{true};
  writer_stats snapshot() const {
    return {commits.load(), jobs.load(), failed_commits.load(), writable.load()};
  }
};

class batch_runner {
public:
  /// Opens (and migrates) the database and checks every audit chain (store/chain_check.hpp): the chains
  /// that fail take no new events. Throws like database's constructor.
  explicit batch_runner(const std::string& db_path);

  /// Begins the write transaction; each job inside its own SAVEPOINT (a job that throws is rolled back alone);
  /// COMMIT. Returns, per job, what became of it. When the transaction cannot begin or commit, everything
  /// is rolled back, the chain heads are restored and every entry is `failed`; the next batch simply tries
  /// again (the audit log comes back when the disk does). A job that deadlocked is `conflicted` only when
  /// the rest of its batch committed: the locks its batch's earlier jobs held are free only then.
  std::vector<job_result> run(std::vector<pending_job>& batch, writer_counters& counters);

  /// The connection the batches run on.
  database& db() { return db_; }
  /// The chains found broken when the database was opened.
  const std::vector<chain_fault>& broken_chains() const { return broken_; }

private:
  using heads_map = std::map<std::string, std::pair<std::int64_t, std::string>>;

  void step(std::string_view sql);
  job_result run_job(pending_job& p, transaction& tx);
  /// After a failed COMMIT (SPEC §6: no answer contradicts what a restart finds). SQLite appends a
  /// commit's frames to the WAL, then fsyncs; when the fsync fails it rolls the batch back in memory, but
  /// the frames may lie complete in the file, and the recovery a restart runs would replay them: a
  /// change answered 503 would come back. The next transaction is appended exactly where the failed one
  /// began (after the last frame SQLite counts as committed), and a frame only counts when its checksum
  /// follows from the frame before it; so a small marker transaction written there leaves nothing of the
  /// failed batch a restart could replay. Returns whether the marker's frames reached the file.
  bool cover_failed_commit();
  /// PostgreSQL: after the connection (to server process `old_server_pid`) broke during COMMIT, whether
  /// the batch that wrote `marker` committed after all.
  bool committed_after_all(const std::string& marker, int old_server_pid);

  database db_;
  heads_map heads_;
  bool heads_stale_ = true;  ///< read at the first BEGIN, and again after any failed batch
  domain::hash_function sha256_;
  std::uint64_t covers_ = 0;
  std::uint64_t batches_ = 0;
  std::string commit_marker_key_;  ///< this writer's own meta key, so writers on other nodes do not mix
  std::vector<chain_fault> broken_;
  std::map<std::string, std::string> refused_;  ///< broken chain -> why, for transaction::refuse_chains
};

/// Calls each job's done with its result (durable or not), except the conflicted ones that may run
/// again: those are moved to `again`, in batch order. A throwing callback is logged and does not stop the
/// others.
void deliver(std::vector<pending_job>& batch, const std::vector<job_result>& results,
             std::vector<pending_job>& again);

} // namespace actas::store
