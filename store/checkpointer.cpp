#include "store/checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "store/sqlite_engine.hpp"

namespace actas::store {

checkpointer::checkpointer(const std::string& db_path, database& writer_db)
  : writer_db_(writer_db), db_(db_path), thread_([this] { loop(); }) {
  sqlite3_wal_hook(writer_db_.sqlite(), &checkpointer::on_commit, this);
}

checkpointer::~checkpointer() {
  sqlite3_wal_autocheckpoint(writer_db_.sqlite(), soft_frames);  // replaces our hook
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

// Runs on the writer's thread right after each commit, as SQLite's own autocheckpoint would.
int checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* c = static_cast<checkpointer*>(self);
  if (frames >= hard_frames) {
    // Most frames are already copied by the thread; this copies the rest and starts the WAL over.
    // BUSY (the thread is mid-checkpoint, or a reader is slow) just means: again after the next commit,
    // so a long read never holds the writer for more than a moment.
    sqlite3_busy_timeout(db, 20);
    int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("store: restarting the WAL failed: {}", sqlite3_errstr(rc));
  } else if (frames >= soft_frames) {
    {
      std::lock_guard lock(c->mu_);
      c->requested_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;  // a checkpoint problem never fails the commit that is already durable
}

void checkpointer::loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
    }
    // PASSIVE: never waits for, nor blocks, the writer or readers.
    int rc = sqlite3_wal_checkpoint_v2(db_.sqlite(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("store: background checkpoint of {} failed: {}", db_.path(), sqlite3_errstr(rc));
    // Under steady writes the WAL stays past the soft bound (it only starts over once a checkpoint
    // caught up and nobody reads the old frames), so every commit would ask again: each checkpoint
    // fsyncs the database file, and one per commit doubled the fsyncs of a busy server. A pause bounds
    // them; the writer's hard bound still keeps the WAL's size in check.
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, min_interval, [this] { return stopping_; });
    if (stopping_) return;
  }
}

} // namespace actas::store
