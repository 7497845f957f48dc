#pragma once
/// Wall-clock time as the domain sees it. "Now" is always a parameter: nothing in domain/ reads a clock.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace actas::domain {

/// UTC wall-clock instant with microsecond precision (SPEC §5: `at` has microseconds).
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using duration = std::chrono::microseconds;

/// Formats as RFC 3339 UTC with six fractional digits: 2026-11-21T08:24:17.123456Z.
std::string format_utc(timestamp t);

/// Parses what format_utc writes (also accepts no fraction); nullopt on anything else.
std::optional<timestamp> parse_utc(std::string_view text);

/// Microseconds since the Unix epoch, the form the store keeps.
inline std::int64_t to_micros(timestamp t) { return t.time_since_epoch().count(); }
inline timestamp from_micros(std::int64_t us) { return timestamp{duration{us}}; }

inline timestamp seconds_after(timestamp t, std::int64_t s) { return t + std::chrono::seconds{s}; }

} // namespace actas::domain
