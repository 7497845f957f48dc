#include "domain/denial_limiter.hpp"

namespace actas::domain {

namespace {

constexpr auto one_minute = std::chrono::minutes{1};

timestamp minute_of(timestamp at) { return std::chrono::floor<std::chrono::minutes>(at); }

// Callers are told apart by chain and real person; anonymous callers (failed logins) by address.
std::string key_of(const denial& d) {
  std::string key = d.chain;
  key += '\n';
  key += d.who.performed_by.empty() ? "@" + d.ip : "=" + d.who.performed_by;
  return key;
}

// Where the callers beyond max_callers are counted together.
const std::string overflow_key = "\n*";

} // namespace

audit_event suppressed_event(const denial_summary& s, timestamp at) {
  audit_event e;
  e.chain = s.chain;
  e.at = at;
  e.event = "denials_suppressed";
  e.performed_by = s.performed_by;
  e.result = outcome::denied;
  e.code = std::string{to_string(errc::rate_limited)};
  if (s.ip)
    e.ip = s.ip;
  e.detail_json = "{\"count\":" + std::to_string(s.count) + ",\"from\":" + json_quote(format_utc(s.from)) +
                  ",\"until\":" + json_quote(format_utc(s.until)) + "}";
  return e;
}

denial_limiter::denial_limiter(std::size_t per_minute, std::size_t max_callers)
  : per_minute_(per_minute), max_callers_(max_callers) {}

std::vector<denial_summary> denial_limiter::roll(timestamp at) {
  const auto minute = minute_of(at);
  std::vector<denial_summary> out;
  // A clock stepping back stays in the current minute: a caller gains nothing from it.
  if (minute_ && minute <= *minute_)
    return out;
  for (auto& [key, t] : callers_)
    if (t.summary.count > 0)
      out.push_back(std::move(t.summary));
  callers_.clear();
  minute_ = minute;
  return out;
}

bool denial_limiter::admit(const denial& d) {
  if (!minute_)
    minute_ = minute_of(d.at);
  auto key = key_of(d);
  auto i = callers_.find(key);
  if (i == callers_.end()) {
    if (callers_.size() >= max_callers_) {
      // Too many callers this minute: newcomers are only counted, all together, on the system chain.
      auto& t = callers_[overflow_key];
      t.summary.chain = std::string{system_chain};
      t.summary.from = *minute_;
      t.summary.until = *minute_ + one_minute;
      ++t.summary.count;
      return false;
    }
    tally t;
    t.summary.chain = d.chain;
    if (!d.who.performed_by.empty())
      t.summary.performed_by = d.who.performed_by;
    else
      t.summary.ip = denial_text(d.ip);
    t.summary.from = *minute_;
    t.summary.until = *minute_ + one_minute;
    i = callers_.emplace(std::move(key), std::move(t)).first;
  }
  auto& t = i->second;
  if (t.seen < per_minute_) {
    ++t.seen;
    return true;
  }
  ++t.summary.count;
  return false;
}

} // namespace actas::domain
