#pragma once
/// Many WebSocket connections held by several worker processes (a process may open at most 20,000
/// files), each authenticated as the server requires, optionally subscribed to the dashboard. The
/// driver arms a pattern, triggers an event, and learns when the last socket had a matching frame.
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include "load/loop.hpp"

namespace bench {

struct fleet_plan {
  int port = 0;
  /// true: each connection first asks POST /v1/ws/ticket with its token, then opens /v1/ws?ticket=…;
  /// false: it opens /v1/ws?user=<cred> (the floors, which authenticate nobody).
  bool tickets = true;
  /// Tokens (tickets) or user ids; connection i uses creds[i % size].
  std::vector<std::string> creds;
  std::size_t connections = 0;
  /// Send {"type":"subscribe","topic":"dashboard"} then a ping; ready once the pong is back.
  bool subscribe = false;
  std::size_t per_process = 4500;
  /// Connections being set up at once, per process.
  std::size_t in_flight = 64;
  ns setup_timeout = sec(120);
};

class fleet {
public:
  /// Forks the worker processes; they start connecting at once.
  fleet(loop& l, fleet_plan plan);
  /// Closes every connection and reaps the workers.
  ~fleet();
  fleet(const fleet&) = delete;
  fleet& operator=(const fleet&) = delete;

  /// Serves the loop until every worker reported its connections set up (or failed). False on timeout.
  bool wait_ready(ns timeout);
  std::size_t ready() const;
  std::size_t failed() const;
  /// Connections whose dashboard subscription the server refused (an `error` frame).
  std::size_t refused() const;
  const std::string& first_error() const { return first_error_; }

  /// From now on, the first frame of each connection containing `pattern` counts for event `id`.
  void arm(int id, const std::string& pattern);
  struct arrivals {
    std::size_t count = 0;
    ns first = 0, last = 0;
    /// Error frames on ready connections (a dashboard subscription refused after the pong).
    std::size_t late_errors = 0;
  };
  /// Serves the loop until every ready connection had event `id` or `timeout` passed.
  arrivals wait(int id, ns timeout);

  struct worker;

private:
  loop& loop_;
  fleet_plan plan_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::string first_error_;
};

} // namespace bench
