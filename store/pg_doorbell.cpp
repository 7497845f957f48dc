#include "store/pg_doorbell.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <memory>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

namespace actas::store {

namespace {

/// Between attempts to reach a database that is down.
constexpr int reconnect_after_ms = 500;

/// Connects and LISTENs on this schema's channel; nullptr (and the reason logged once per outage) on failure.
PGconn* listen_on(const std::string& url, bool& said) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, "SELECT 'actas_' || current_schema()");
    std::string channel = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    if (!channel.empty()) {
      char* quoted = PQescapeIdentifier(c, channel.c_str(), channel.size());
      r = PQexec(c, ("LISTEN " + std::string(quoted ? quoted : "")).c_str());
      PQfreemem(quoted);
      const bool listening = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (listening) {
        said = false;
        return c;
      }
    }
  }
  if (!said)
    spdlog::warn("the doorbell cannot listen ({}); other nodes' changes arrive with the poll",
                 PQerrorMessage(c));
  said = true;
  PQfinish(c);
  return nullptr;
}

} // namespace

pg_doorbell::pg_doorbell(std::string url, std::function<void()> on_ring)
    : url_(std::move(url)), on_ring_(std::move(on_ring)) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("the doorbell's pipe could not be made");
  thread_ = std::thread([this] { run(); });
}

pg_doorbell::~pg_doorbell() {
  stop_ = true;
  [[maybe_unused]] auto n = ::write(wake_[1], "x", 1);
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

bool pg_doorbell::wait(int socket, int timeout_ms) {
  pollfd fds[2] = {{wake_[0], POLLIN, 0}, {socket, POLLIN, 0}};
  ::poll(fds, socket >= 0 ? 2 : 1, timeout_ms);
  return !stop_;
}

void pg_doorbell::run() {
  // An exception leaving this thread would end the process; one that escapes a round costs that round
  // (the poll still follows the other nodes) and the doorbell listens again.
  while (!stop_) {
    try {
      listen_until_lost();
    } catch (const std::exception& e) {
      spdlog::error("the doorbell failed ({}); listening again", e.what());
      wait(-1, reconnect_after_ms);
    }
  }
}

void pg_doorbell::listen_until_lost() {
  bool said = false;
  while (!stop_) {
    // Closed however this round ends (a lost connection, a stop, an exception).
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(listen_on(url_, said), &PQfinish);
    PGconn* c = conn.get();
    if (!c) {
      wait(-1, reconnect_after_ms);
      continue;
    }
    on_ring_();  // rings may have been missed while it was not listening
    while (wait(PQsocket(c), 1000)) {
      if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK)
        break;  // the connection is lost (a restart, pg_terminate_backend): listen again
      bool rang = false;
      while (PGnotify* n = PQnotifies(c)) {
        PQfreemem(n);
        rang = true;
      }
      if (rang)
        on_ring_();
    }
    if (!stop_)
      spdlog::warn("the doorbell's connection was lost; listening again");
  }
}

} // namespace actas::store
