#include "store/writer.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/batch_runner.hpp"
#include "store/checkpointer.hpp"
#include "store/wal_reserve.hpp"

namespace actas::store {

namespace {

/// One thread, one connection. Jobs that arrive while a commit is fsyncing wait in the queue and go
/// into the next transaction together, so the batch grows with the load and one fsync serves them all.
class group_writer final : public writer {
public:
  /// Jobs waiting beyond this are refused (done(false)) rather than queued.
  static constexpr std::size_t max_queued = 1 << 17;

  group_writer(const std::string& db_path, std::size_t max_batch, commit_observer observe)
    : observe_(std::move(observe)),
      runner_(db_path),
      checkpointer_(runner_.db().sqlite() ? std::make_unique<checkpointer>(db_path, runner_.db()) : nullptr),
      // PostgreSQL: each job's SAVEPOINT is a subtransaction, and past 64 in one transaction the server's
      // per-backend cache of them overflows, which slows every session on that server.
      max_batch_(std::clamp<std::size_t>(max_batch, 1, runner_.db().kind() == engine::postgresql ? 64 : max_batch)),
      thread_([this] { loop(); }) {}

  ~group_writer() override { stop(); }

  void submit(job j, done d) override {
    const char* refusal = nullptr;
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        refusal = "the writer has stopped";
      } else if (queue_.size() >= max_queued) {
        // A disk that stalls must not turn into unbounded memory: refuse, and the caller answers
        // audit_unavailable as for any failed commit. Logged once per overflow, not once per job.
        if (!overflowing_) refusal = "the queue is full (the disk is not keeping up)";
        overflowing_ = true;
      } else {
        overflowing_ = false;
        queue_.push_back({std::move(j), std::move(d)});
        cv_.notify_one();
        return;
      }
    }
    if (refusal) spdlog::warn("store: refusing write jobs: {}", refusal);
    if (d) d(false);
  }

  writer_stats stats() const override { return counters_.snapshot(); }
  std::vector<chain_fault> broken_chains() const override { return runner_.broken_chains(); }

  void stop() override {
    std::lock_guard stop_lock(stop_mu_);  // two threads stopping at once must not both join
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    // From a done callback (the writer's own thread) the loop ends by itself once the queue is empty.
    if (std::this_thread::get_id() == thread_.get_id()) return;
    if (thread_.joinable()) thread_.join();
  }

private:
  void loop() {
    std::vector<pending_job> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything queued is committed
        while (!queue_.empty() && batch.size() < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      const auto began = std::chrono::steady_clock::now();
      auto results = runner_.run(batch, counters_);
      if (observe_) observe_(std::chrono::steady_clock::now() - began, batch.size());
      std::vector<pending_job> again;
      deliver(batch, results, again);
      batch.clear();
      if (!again.empty()) {
        // First in line, in their order: they waited longest. Their batch has committed, so the locks
        // they deadlocked on are free on this side; the other transaction ends on its own.
        std::lock_guard lock(mu_);
        queue_.insert(queue_.begin(), std::make_move_iterator(again.begin()), std::make_move_iterator(again.end()));
      }
    }
  }

  commit_observer observe_;
  batch_runner runner_;
  // SQLite only (PostgreSQL checkpoints itself). After runner_: hooks its connection; destroyed after the
  // thread joined.
  std::unique_ptr<checkpointer> checkpointer_;
  std::size_t max_batch_;
  writer_counters counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<pending_job> queue_;
  bool stopping_ = false;
  bool overflowing_ = false;
  std::mutex stop_mu_;
  std::thread thread_;  // last: starts after every member above exists
};

/// Each job its own transaction on the caller's thread; done has run when submit returns.
class inline_writer final : public writer {
public:
  explicit inline_writer(const std::string& db_path) : runner_(db_path) {}

  void submit(job j, done d) override {
    std::vector<pending_job> batch;
    batch.push_back({std::move(j), std::move(d)});
    for (;;) {
      std::vector<job_result> results{job_result::failed};
      {
        std::lock_guard lock(mu_);
        if (!stopped_) results = runner_.run(batch, counters_);
      }
      // Outside the lock, so a done callback may submit again.
      std::vector<pending_job> again;
      deliver(batch, results, again);
      if (again.empty()) return;
      batch = std::move(again);
    }
  }

  writer_stats stats() const override { return counters_.snapshot(); }
  std::vector<chain_fault> broken_chains() const override { return runner_.broken_chains(); }

  void stop() override {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }

private:
  std::mutex mu_;
  batch_runner runner_;
  writer_counters counters_;
  bool stopped_ = false;
};

} // namespace

std::unique_ptr<writer> make_group_writer(const std::string& db_path, std::size_t max_batch, bool reserve,
                                          commit_observer observe) {
  // Before the writer's thread and connection exist, so the first commit already writes over zeros.
  if (reserve && !is_postgresql_url(db_path)) {
    database db(db_path);
    reserve_wal(db, wal_bytes_for_load(db.page_size()));
  }
  return std::make_unique<group_writer>(db_path, max_batch, std::move(observe));
}

std::unique_ptr<writer> make_inline_writer(const std::string& db_path) {
  return std::make_unique<inline_writer>(db_path);
}

} // namespace actas::store
