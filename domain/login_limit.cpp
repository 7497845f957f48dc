#include "domain/login_limit.hpp"

namespace actas::domain {

login_limiter::login_limiter(login_limits limits)
  : limits_(limits),
    by_user_(limits.attacked_after, limits.window, limits.max_keys),
    by_address_(limits.address_failures, limits.window, limits.max_keys) {}

bool login_limiter::admits(const std::string& username, const std::string& address, timestamp now) const {
  const std::size_t address_failures = by_address_.recent(address, now);
  if (address_failures >= limits_.address_failures) return false;
  return !by_user_.blocked(username, now) || address_failures < limits_.trusted_below;
}

bool login_limiter::suspect(const std::string& address, timestamp now) const {
  return by_address_.recent(address, now) > 0;
}

void login_limiter::record_failure(const std::string& username, const std::string& address, timestamp now) {
  by_user_.record_failure(username, now);
  by_address_.record_failure(address, now);
}

check_queue::check_queue(std::size_t slots, std::size_t per_address, std::size_t max_waiting)
  : slots_(slots), per_address_(per_address), max_waiting_(max_waiting) {}

check_queue::admission check_queue::enter(std::uint64_t attempt, const std::string& address, bool suspect) {
  auto& held = held_[address];
  const bool slot_free = running_ < slots_;
  if (held >= per_address_ || (!slot_free && waiting() >= max_waiting_)) {
    if (held == 0) held_.erase(address);
    return admission::refuse;
  }
  ++held;
  if (slot_free) {
    ++running_;
    return admission::run;
  }
  (suspect ? suspect_ : clean_).push_back(attempt);
  return admission::wait;
}

std::optional<std::uint64_t> check_queue::leave(const std::string& address) {
  if (auto i = held_.find(address); i != held_.end() && --i->second == 0) held_.erase(i);
  for (auto* queue : {&clean_, &suspect_}) {
    if (queue->empty()) continue;
    const std::uint64_t next = queue->front();
    queue->pop_front();
    return next;  // it takes the slot just freed
  }
  if (running_ > 0) --running_;
  return std::nullopt;
}

} // namespace actas::domain
