#include "app/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

namespace actas::app {

void notify_ready(const std::string& status) { sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str()); }

void notify_reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading the TLS certificate"); }

void notify_stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining"); }

watchdog::watchdog(std::function<bool(std::chrono::milliseconds)> alive) : alive_(std::move(alive)) {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  // Half the interval, as sd_watchdog_enabled(3) advises: one late ping is not yet a restart.
  const auto interval = std::chrono::microseconds(usec / 2);
  thread_ = std::thread([this, interval] { loop(interval); });
}

watchdog::~watchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void watchdog::loop(std::chrono::microseconds interval) {
  const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(interval / 2);
  bool was_alive = true;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const bool alive = alive_(std::max(budget, std::chrono::milliseconds(1)));
    if (alive) sd_notify(0, "WATCHDOG=1");
    if (alive && !was_alive) spdlog::info("the core answers again: watchdog pings resumed");
    if (!alive && was_alive) spdlog::critical("the core did not answer within {} ms: watchdog pings withheld", budget.count());
    was_alive = alive;
    lock.lock();
    wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

} // namespace actas::app
