#pragma once
/// Password login limiting (issue 12): slow a guesser down without ever locking the owner out.
///
/// Design, and why. A lock per username (the old rule: 10 failures lock it for 15 minutes, the right
/// password included) lets anyone lock anyone out, and a global cap on password checks lets one flood take
/// every check. So:
/// - Per address: 30 failures within 15 minutes refuse that address (any username) until they age out.
/// - Per username: 10 failures within 15 minutes mark it "under attack". While it is, only addresses with
///   fewer than 3 recent failures may still try it. A guesser must bring a new address every 3 guesses,
///   while the owner, from any address she has not been failing from, still gets her check: no lock.
/// - A success forgets nothing: an attacker holding one account of his own could otherwise wash an
///   address clean by logging into it between guesses.
/// - The check pool (each Argon2 check holds 64 MiB) stays bounded, but a check that finds no free slot
///   waits instead of being refused, addresses without recent failures wait ahead of the others, and each
///   address holds at most 2 checks at once: a flood from failing addresses can no longer take every slot.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/rate_limit.hpp"

namespace actas::domain {

/// Limits of login_limiter (defaults as described above).
struct login_limits {
  std::size_t address_failures = 30;   ///< an address is refused at this many recent failures
  std::size_t attacked_after = 10;     ///< a username is under attack at this many recent failures
  std::size_t trusted_below = 3;       ///< an address may try an attacked username below this many failures
  duration window = std::chrono::minutes{15};
  std::size_t max_keys = 100000;       ///< usernames and addresses remembered, each
};

/// Who may have a password checked now (pure: `now` is a parameter).
class login_limiter {
public:
  explicit login_limiter(login_limits limits = {});

  /// True when a check of `username`'s password from `address` may run at `now` (else: rate_limited).
  bool admits(const std::string& username, const std::string& address, timestamp now) const;
  /// True when `address` failed within the window: its checks wait behind those of clean addresses.
  bool suspect(const std::string& address, timestamp now) const;
  /// A wrong password, an unknown username or a user who may not log in.
  void record_failure(const std::string& username, const std::string& address, timestamp now);

private:
  login_limits limits_;
  failure_limiter by_user_;
  failure_limiter by_address_;
};

/// Password checks in flight and waiting for a slot, fair between addresses.
class check_queue {
public:
  /// `slots` checks run at once; each address holds at most `per_address` (running or waiting); at most
  /// `max_waiting` wait in all.
  check_queue(std::size_t slots, std::size_t per_address = 2, std::size_t max_waiting = 256);

  enum class admission { run, wait, refuse };
  /// Registers `attempt` from `address`: run it now, keep it waiting, or refuse it (rate_limited).
  admission enter(std::uint64_t attempt, const std::string& address, bool suspect);
  /// `attempt`'s check is over: frees its slot and returns the waiting attempt to run next, if any
  /// (clean addresses first, each class in arrival order).
  std::optional<std::uint64_t> leave(const std::string& address);

  std::size_t running() const { return running_; }
  std::size_t waiting() const { return clean_.size() + suspect_.size(); }

private:
  std::size_t slots_;
  std::size_t per_address_;
  std::size_t max_waiting_;
  std::size_t running_ = 0;
  std::unordered_map<std::string, std::size_t> held_;  ///< checks per address, running or waiting
  std::deque<std::uint64_t> clean_;
  std::deque<std::uint64_t> suspect_;
};

} // namespace actas::domain
