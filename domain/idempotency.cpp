#include "domain/idempotency.hpp"

#include <algorithm>

namespace actas::domain {

bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

idempotency_verdict judge_idempotent_request(const std::optional<idempotent_answer>& stored, bool in_flight,
                                             std::string_view fingerprint, timestamp now) {
  if (stored && now - stored->at < idempotency_window)
    return stored->fingerprint == fingerprint ? idempotency_verdict::replay : idempotency_verdict::key_reused;
  return in_flight ? idempotency_verdict::in_progress : idempotency_verdict::proceed;
}

bool answer_is_kept(unsigned status) { return status < 500; }

} // namespace actas::domain
