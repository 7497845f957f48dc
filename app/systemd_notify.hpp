#pragma once
/// SPEC §10 systemd: `Type=notify` through Debian's libsystemd (sd_notify). READY=1 once the server
/// listens, STOPPING=1 when a stop signal arrives, and WATCHDOG=1 every half `WatchdogSec` for as long as
/// the core answers. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace actas::app {

/// READY=1 with a STATUS line for `systemctl status`.
void notify_ready(const std::string& status);
/// RELOADING=1 while SIGHUP's reload runs (notify_ready ends it): `systemctl reload` waits for it.
void notify_reloading();
/// STOPPING=1: systemd waits for the exit instead of counting the drain as a hang.
void notify_stopping();

/// Pings systemd's watchdog while `alive()` holds. Started only when the service manager asked for one
/// (WatchdogSec, read through sd_watchdog_enabled); a core that stops answering stops the pings, and
/// systemd restarts the node (Restart=on-failure). Stops with its owner.
class watchdog {
public:
  /// `alive` runs on the watchdog's thread; it must give up within a quarter of the interval.
  explicit watchdog(std::function<bool(std::chrono::milliseconds budget)> alive);
  ~watchdog();
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

private:
  void loop(std::chrono::microseconds interval);

  std::function<bool(std::chrono::milliseconds)> alive_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace actas::app
