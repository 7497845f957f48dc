#pragma once
/// How many denials are written per caller (SPEC §5: "no caller can fill the log"). Each caller may have
/// `per_minute` denials recorded per calendar minute (UTC); beyond that they are only counted, and the
/// count is written once, as one `denials_suppressed` event for that caller and minute. Memory is bounded:
/// the table is emptied at every minute, and within a minute at most `max_callers` callers are tracked;
/// newcomers beyond that are counted together in one summary on the system chain.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/audit.hpp"
#include "domain/denials.hpp"

namespace actas::domain {

/// Denials recorded per caller and minute before the rest are only counted.
inline constexpr std::size_t denials_per_minute = 20;
/// Callers tracked within one minute.
inline constexpr std::size_t denial_callers_tracked = 10000;

/// The denials of one caller that were counted but not written, in the minute [from, until).
struct denial_summary {
  std::string chain;
  std::optional<id> performed_by;  ///< unset for an anonymous caller and for the overflow count
  std::optional<std::string> ip;   ///< the address of an anonymous caller
  std::uint64_t count = 0;
  timestamp from{};
  timestamp until{};
};

/// The `denials_suppressed` event of a summary, dated `at` (when the minute was closed).
audit_event suppressed_event(const denial_summary& s, timestamp at);

class denial_limiter {
public:
  explicit denial_limiter(std::size_t per_minute = denials_per_minute,
                          std::size_t max_callers = denial_callers_tracked);

  /// Closes the current minute when `at` lies in a later one: returns one summary per caller that went
  /// over the limit in it, and forgets every caller. Cheap when the minute has not changed.
  std::vector<denial_summary> roll(timestamp at);

  /// Counts one denial of `d`'s caller (its realm chain and real person, or its address when anonymous)
  /// in the current minute: true when it is to be written, false when it is only counted. Call roll(d.at)
  /// first so the denial lands in its own minute.
  bool admit(const denial& d);

  /// Callers tracked in the current minute (at most max_callers, plus one overflow).
  std::size_t callers() const { return callers_.size(); }

private:
  struct tally {
    denial_summary summary;  ///< count = denials beyond the limit
    std::uint64_t seen = 0;
  };

  std::size_t per_minute_;
  std::size_t max_callers_;
  std::optional<timestamp> minute_;
  std::unordered_map<std::string, tally> callers_;
};

} // namespace actas::domain
