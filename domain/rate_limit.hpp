#pragma once
/// Counting failed attempts per key (a username, an address) in a sliding window, with a bounded memory.
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "domain/time.hpp"

namespace actas::domain {

class failure_limiter {
public:
  /// At most `max_failures` failures per key within `window`; at most `max_keys` keys are remembered
  /// (when full, keys whose failures have all left the window are forgotten first, then the oldest).
  failure_limiter(std::size_t max_failures, duration window, std::size_t max_keys);

  /// True when `key` has used up its failures within the window ending at `now`.
  bool blocked(const std::string& key, timestamp now) const;
  /// How many of `key`'s remembered failures fall within the window ending at `now` (at most max_failures).
  std::size_t recent(const std::string& key, timestamp now) const;
  void record_failure(const std::string& key, timestamp now);
  /// A success forgets the key's failures.
  void forget(const std::string& key);
  std::size_t keys() const { return failures_.size(); }

private:
  void make_room(timestamp now);

  std::size_t max_failures_;
  duration window_;
  std::size_t max_keys_;
  std::unordered_map<std::string, std::deque<timestamp>> failures_;
};

} // namespace actas::domain
