#include "domain/time.hpp"

#include <cstdio>

namespace actas::domain {

namespace {

// Reads exactly `n` decimal digits at `pos`; nullopt when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

} // namespace

std::string format_utc(timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{t - day};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
  return buffer;
}

std::optional<timestamp> parse_utc(std::string_view text) {
  using namespace std::chrono;
  // Fixed layout "YYYY-MM-DDTHH:MM:SS", then an optional fraction of 1–6 digits, then "Z".
  if (text.size() < 20) return std::nullopt;
  const auto y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (*h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;

  std::size_t pos = 19;
  long long micros = 0;
  if (text[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++n > 6) return std::nullopt;
      micros = micros * 10 + (text[pos] - '0');
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) micros *= 10;  // ".5" is half a second
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;

  return timestamp{sys_days{ymd}} + hours{*h} + minutes{*mi} + seconds{*s} + microseconds{micros};
}

} // namespace actas::domain
