#include "store/batch_runner.hpp"

#include <chrono>
#include <exception>

#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "store/pg_engine.hpp"
#include "store/sqlite_engine.hpp"

namespace actas::store {

namespace {

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

/// What the engine said about a failure (failure::other when it was not the store's).
failure failure_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const store_error& x) {
    return x.kind();
  } catch (...) {
    return failure::other;
  }
}

} // namespace

batch_runner::batch_runner(const std::string& db_path) : db_(db_path), sha256_(crypto::sha256_hex) {
  crypto::init();
  commit_marker_key_ = "store.commit_marker." + crypto::random_id("w");
  if (db_.kind() == engine::postgresql) {
    // The row exists before any batch, so each batch's UPDATE of it holds a row lock until its COMMIT
    // ends, and committed_after_all can wait for that end.
    db_.conn().begin_write();
    query(db_.conn().prepared("INSERT INTO meta (key, value) VALUES (?1, '0')")).bind(commit_marker_key_).run();
    db_.conn().commit();
  }
  broken_ = check_chains(db_, sha256_);
  for (const auto& f : broken_)
    refused_[f.chain] = "it is broken at seq " + std::to_string(f.first_bad_seq) + " (" + f.problem + ")";
}

void batch_runner::step(std::string_view sql) {
  // Cached like every other statement: SAVEPOINT/RELEASE run once or more per job.
  query(db_.conn().prepared(sql)).run();
}

job_result batch_runner::run_job(pending_job& p, transaction& tx) {
  step("SAVEPOINT job");
  std::exception_ptr failure;
  try {
    p.job(tx);
  } catch (...) {
    failure = std::current_exception();
  }
  if (!failure) {
    step("RELEASE job");
    return job_result::durable;
  }
  const bool conflicted = failure_of(failure) == failure::conflict;
  if (conflicted)
    spdlog::info("store: a write job deadlocked with another transaction and was rolled back alone (run {} of "
                 "{}): {}",
                 p.runs + 1, max_job_runs, what_of(failure));
  else
    spdlog::warn("store: a write job failed and was rolled back alone: {}", what_of(failure));
  // If SQLite already dropped the whole transaction (disk full, I/O error) these throw, and the batch
  // fails as a whole, which is then the truth.
  step("ROLLBACK TO job");
  step("RELEASE job");
  // The job may have moved chain heads before it threw; the rows it wrote are gone, so the heads are
  // read back from the transaction as it now stands.
  heads_ = db_.chain_heads();
  tx.forget_row_locks();
  return conflicted ? job_result::conflicted : job_result::failed;
}

bool batch_runner::cover_failed_commit() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    failure why = failure::other;
    try {
      db_.conn().begin_write();
      // A value never written before, so the marker's page cannot equal the failed batch's first frame.
      const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
      query q(db_.conn().prepared(R"(INSERT INTO meta (key, value) VALUES ('store.failed_commit_cover', ?1)
                                      ON CONFLICT (key) DO UPDATE SET value = excluded.value)"));
      q.bind(std::to_string(stamp) + "-" + std::to_string(++covers_));
      q.run();
      db_.conn().commit();
      return true;
    } catch (const store_error& e) {
      why = e.kind();
    } catch (...) {
      why = failure::other;
    }
    db_.conn().rollback_quietly();
    // Written but not synced: the marker is harmless, and it now stands where the failed batch began.
    if (why == failure::sync_failed) return true;
  }
  return false;
}

bool batch_runner::committed_after_all(const std::string& marker, int old_server_pid) {
  // The connection broke during COMMIT: the server may have committed, or may still be about to (only
  // the client's side may have been cut). The answer is the marker the batch wrote, read once the old
  // transaction is over for certain: its server process is ended (a commit it had begun completes or
  // does not, atomically), and FOR SHARE waits for the lock the batch's marker UPDATE held. Both run on
  // a new connection (statements outside a transaction reconnect).
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      query(db_.conn().prepared("SELECT pg_terminate_backend(?1)")).bind(old_server_pid).run();
      query q(db_.conn().prepared("SELECT value FROM meta WHERE key = ?1 FOR SHARE"));
      q.bind(commit_marker_key_);
      return q.step() && q.text(0) == marker;
    } catch (const std::exception& e) {
      spdlog::warn("store: asking {} whether a commit landed failed: {}", db_.path(), e.what());
    }
  }
  spdlog::critical("store: a commit to {} may or may not have landed and the database cannot be asked; the "
                   "change(s) are answered as failed",
                   db_.path());
  return false;
}

std::vector<job_result> batch_runner::run(std::vector<pending_job>& batch, writer_counters& counters) {
  std::vector<job_result> results(batch.size(), job_result::failed);
  counters.jobs += batch.size();
  bool committing = false;
  failure failed = failure::other;
  std::string marker;
  int server_pid = 0;
  try {
    db_.conn().begin_write();
    // Read inside the write lock: after a failed batch the heads in memory may name rolled-back events.
    if (heads_stale_) {
      heads_ = db_.chain_heads();
      heads_stale_ = false;
    }
    transaction tx(db_, heads_, sha256_);
    tx.refuse_chains(&refused_);
    for (std::size_t i = 0; i < batch.size(); ++i) results[i] = run_job(batch[i], tx);
    if (db_.kind() == engine::postgresql) {
      // So that a connection lost during COMMIT can still learn whether the commit landed.
      marker = std::to_string(++batches_);
      tx.set_meta(commit_marker_key_, marker);
      // Every node's doorbell rings when (and only if) this commit lands (SPEC §8).
      if (tx.followed_by_others())
        tx.ring_doorbell();
      server_pid = dynamic_cast<pg_connection&>(db_.conn()).server_pid();
    }
    committing = true;
    db_.conn().commit();  // synchronous=FULL, synchronous_commit=on: durable once this returns
    ++counters.commits;
    counters.writable = true;
    return results;
  } catch (...) {
    failed = failure_of(std::current_exception());
    spdlog::error("store: a commit of {} job(s) to {} failed, all rolled back: {}", batch.size(), db_.path(),
                  what_of(std::current_exception()));
  }
  // Some errors (deferred constraints at COMMIT) leave the transaction open; others end it themselves.
  db_.conn().rollback_quietly();
  // Reloaded at the next BEGIN rather than now: the disk that just failed may fail a read too.
  heads_stale_ = true;
  if (committing && failed == failure::connection_lost && committed_after_all(marker, server_pid)) {
    spdlog::warn("store: the commit of {} job(s) landed although the connection broke", batch.size());
    ++counters.commits;
    counters.writable = true;
    return results;
  }
  ++counters.failed_commits;
  counters.writable = false;
  // Before anyone is told "failed": a SQLite COMMIT that failed after its frames were written (at the
  // fsync, or after it) may have left the whole batch in the WAL. One that failed writing them left no
  // commit frame.
  const bool frames_may_be_whole = failed != failure::disk_full && failed != failure::write_failed;
  if (committing && db_.sqlite() && frames_may_be_whole && !cover_failed_commit())
    spdlog::critical("store: after a failed commit, nothing could be written to {} either: a restart may "
                     "still find the {} change(s) just refused, until the next commit succeeds",
                     db_.path(), batch.size());
  return std::vector<job_result>(batch.size(), job_result::failed);
}

void deliver(std::vector<pending_job>& batch, const std::vector<job_result>& results,
             std::vector<pending_job>& again) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i] == job_result::conflicted && ++batch[i].runs < max_job_runs) {
      again.push_back(std::move(batch[i]));
      continue;
    }
    if (!batch[i].done) continue;
    try {
      batch[i].done(results[i] == job_result::durable);
    } catch (...) {
      spdlog::error("store: a write job's done callback threw: {}", what_of(std::current_exception()));
    }
  }
}

} // namespace actas::store
