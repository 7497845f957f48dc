#include "domain/rate_limit.hpp"

#include <algorithm>

namespace actas::domain {

failure_limiter::failure_limiter(std::size_t max_failures, duration window, std::size_t max_keys)
  : max_failures_(max_failures), window_(window), max_keys_(max_keys) {}

bool failure_limiter::blocked(const std::string& key, timestamp now) const {
  return recent(key, now) >= max_failures_;
}

std::size_t failure_limiter::recent(const std::string& key, timestamp now) const {
  auto i = failures_.find(key);
  if (i == failures_.end())
    return 0;
  return static_cast<std::size_t>(
    std::count_if(i->second.begin(), i->second.end(), [&](timestamp t) { return now - t < window_; }));
}

void failure_limiter::record_failure(const std::string& key, timestamp now) {
  if (!failures_.contains(key) && failures_.size() >= max_keys_)
    make_room(now);
  auto& times = failures_[key];
  times.push_back(now);
  // Only the newest max_failures matter for `blocked`.
  while (times.size() > max_failures_)
    times.pop_front();
}

void failure_limiter::forget(const std::string& key) { failures_.erase(key); }

void failure_limiter::make_room(timestamp now) {
  std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.back() >= window_; });
  if (failures_.size() < max_keys_)
    return;
  auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                 [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
  failures_.erase(oldest);
}

} // namespace actas::domain
