#pragma once
/// The doorbell between nodes on one PostgreSQL database (SPEC §8): a connection of its own LISTENs on
/// the database's channel (one per schema), and every batch any node commits rings it (pg_notify in the
/// batch's transaction: PostgreSQL delivers it at the commit, only if the commit happened). A ring only
/// says "look now": a node that misses one (its listening connection lost, the node paused) catches up
/// at its next poll round, a second later, so a lost ring costs a read, never a change.
///
/// A thread of its own with libpq's asynchronous notification calls (PQconsumeInput, PQnotifies) on
/// poll(2), rather than the HTTP side's Asio loop: a database that stops answering must never hold up
/// the I/O threads, and this thread has nothing else to do.
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace actas::store {

class pg_doorbell {
public:
  /// Listens on the database of `url` until destroyed; `on_ring` runs on the doorbell's thread after
  /// every ring and after every (re)connection (rings may have been missed while it was down).
  pg_doorbell(std::string url, std::function<void()> on_ring);
  ~pg_doorbell();
  pg_doorbell(const pg_doorbell&) = delete;
  pg_doorbell& operator=(const pg_doorbell&) = delete;

  /// The statement a write transaction runs to ring every node's doorbell at its commit.
  static constexpr const char* ring_sql = "SELECT pg_notify('actas_' || current_schema(), '')";

private:
  void run();
  /// Connects, listens and rings until stopped; returns early only by an exception.
  void listen_until_lost();
  /// Waits for the connection's socket (or the stop pipe) up to `timeout_ms`; false once stopped.
  bool wait(int socket, int timeout_ms);

  std::string url_;
  std::function<void()> on_ring_;
  std::atomic<bool> stop_{false};
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

} // namespace actas::store
