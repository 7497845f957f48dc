#include "domain/clock_anchor.hpp"

#include <algorithm>
#include <charconv>

namespace actas::domain {

namespace {

bool parse_int(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

} // namespace

std::string encode_clock_anchor(const clock_anchor& a) {
  return std::to_string(to_micros(a.wall)) + ' ' + std::to_string(a.boot_us) + ' ' + a.boot_id;
}

std::optional<clock_anchor> decode_clock_anchor(std::string_view text) {
  const auto first = text.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::int64_t wall_us = 0;
  clock_anchor a;
  if (!parse_int(text.substr(0, first), wall_us) || !parse_int(text.substr(first + 1, second - first - 1), a.boot_us))
    return std::nullopt;
  a.wall = from_micros(wall_us);
  a.boot_id = std::string(text.substr(second + 1));
  if (a.boot_id.empty() || a.boot_id.find(' ') != std::string::npos) return std::nullopt;
  return a;
}

timestamp node_start_time(timestamp system_now, std::int64_t boot_us_now, std::string_view boot_id_now,
                          const std::optional<clock_anchor>& last) {
  if (!last) return system_now;
  timestamp floor = last->wall;
  // The boot clock counts only within one boot; an older reading from the same boot id means a broken
  // anchor, and then the anchor's own time is all that is known.
  if (!boot_id_now.empty() && last->boot_id == boot_id_now && boot_us_now >= last->boot_us)
    floor += duration{boot_us_now - last->boot_us};
  return std::max(system_now, floor);
}

} // namespace actas::domain
