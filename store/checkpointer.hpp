#pragma once
/// Store-internal: WAL checkpoints off the writer's thread. A checkpoint copies WAL pages into the
/// database file and fsyncs it; run inside a commit (SQLite's default) it stalls every job queued
/// behind that commit. Here a thread with its own connection does the copying while the writer goes on
/// committing, and the writer only finishes the job (a short RESTART) when the WAL grows past a bound.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/database.hpp"

namespace actas::store {

class checkpointer {
public:
  /// Opens its own connection to `db_path`, installs the WAL hook on `writer_db` (which turns off that
  /// connection's automatic checkpoints) and starts the thread.
  checkpointer(const std::string& db_path, database& writer_db);
  /// Removes the hook (restoring automatic checkpoints) and joins the thread.
  ~checkpointer();
  checkpointer(const checkpointer&) = delete;
  checkpointer& operator=(const checkpointer&) = delete;

  /// WAL size (in frames) from which the thread is asked to checkpoint: SQLite's own default.
  static constexpr int soft_frames = 1000;
  /// WAL size from which the writer restarts the WAL itself: under load that never pauses, a passive
  /// checkpoint never catches up with the writer, and the WAL would otherwise grow without bound.
  static constexpr int hard_frames = 16000;
  /// Least time between two background checkpoints.
  static constexpr std::chrono::milliseconds min_interval{250};

private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void loop();

  database& writer_db_;
  database db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

} // namespace actas::store
