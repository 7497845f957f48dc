#include "store/batch_runner.hpp"

#include <exception>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "crypto/crypto.hpp"
#include "store/statement.hpp"

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

} // namespace

batch_runner::batch_runner(const std::string& db_path) : db_(db_path), sha256_(crypto::sha256_hex) {
  crypto::init();
}

void batch_runner::step(std::string_view sql) {
  // Cached like every other statement: BEGIN/SAVEPOINT/RELEASE/COMMIT run once or more per job.
  query(db_.statements().get(sql)).run();
}

void batch_runner::run_job(pending_job& p, transaction& tx, std::vector<bool>& ok, std::size_t i) {
  step("SAVEPOINT job");
  std::exception_ptr failure;
  try {
    p.job(tx);
  } catch (...) {
    failure = std::current_exception();
  }
  if (!failure) {
    step("RELEASE job");
    ok[i] = true;
    return;
  }
  spdlog::warn("store: a write job failed and was rolled back alone: {}", what_of(failure));
  // If SQLite already dropped the whole transaction (disk full, I/O error) these throw, and the batch
  // fails as a whole, which is then the truth.
  step("ROLLBACK TO job");
  step("RELEASE job");
  // The job may have moved chain heads before it threw; the rows it wrote are gone, so the heads are
  // read back from the transaction as it now stands.
  heads_ = db_.chain_heads();
}

std::vector<bool> batch_runner::run(std::vector<pending_job>& batch, writer_counters& counters) {
  std::vector<bool> ok(batch.size(), false);
  counters.jobs += batch.size();
  try {
    step("BEGIN IMMEDIATE");
    // Read inside the write lock: after a failed batch the heads in memory may name rolled-back events.
    if (heads_stale_) {
      heads_ = db_.chain_heads();
      heads_stale_ = false;
    }
    transaction tx(db_, heads_, sha256_);
    for (std::size_t i = 0; i < batch.size(); ++i) run_job(batch[i], tx, ok, i);
    step("COMMIT");  // synchronous=FULL: durable once this returns
    ++counters.commits;
    return ok;
  } catch (...) {
    spdlog::error("store: a commit of {} job(s) to {} failed, all rolled back: {}", batch.size(), db_.path(),
                  what_of(std::current_exception()));
  }
  ++counters.failed_commits;
  // Some errors (deferred constraints at COMMIT) leave the transaction open; others end it themselves.
  if (!sqlite3_get_autocommit(db_.handle())) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  // Reloaded at the next BEGIN rather than now: the disk that just failed may fail a read too.
  heads_stale_ = true;
  return std::vector<bool>(batch.size(), false);
}

void deliver(std::vector<pending_job>& batch, const std::vector<bool>& ok) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    try {
      batch[i].done(ok[i]);
    } catch (...) {
      spdlog::error("store: a write job's done callback threw: {}", what_of(std::current_exception()));
    }
  }
}

} // namespace actas::store
