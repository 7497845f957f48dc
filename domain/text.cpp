#include "domain/text.hpp"

#include <cstdint>

namespace actas::domain {

namespace {

struct decoded {
  char32_t code_point;
  std::size_t length;  ///< bytes consumed
};

// Decodes the code point at `pos`, refusing what RFC 3629 forbids: overlong forms, surrogates,
// values above U+10FFFF and truncated sequences. Every check in this file rests on this one decoder.
std::optional<decoded> decode(std::string_view s, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(pos);
  if (lead < 0x80) return decoded{lead, 1};

  std::size_t length = 0;
  char32_t cp = 0;
  char32_t smallest = 0;  // below this the encoding is overlong
  if ((lead & 0xE0) == 0xC0) {
    length = 2; cp = lead & 0x1F; smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3; cp = lead & 0x0F; smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4; cp = lead & 0x07; smallest = 0x10000;
  } else {
    return std::nullopt;  // a continuation byte or 0xF8..0xFF as lead
  }
  if (pos + length > s.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t b = byte(pos + i);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return decoded{cp, length};
}

bool is_control(char32_t cp) { return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F); }

// What the reader cannot see but changes what is shown: text direction overrides and zero-width marks.
bool is_invisible_format(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// True when a well-formed code point of `s` satisfies `pred` (ill-formed bytes are skipped).
template <class Pred>
bool any_code_point(std::string_view s, Pred pred) {
  for (std::size_t pos = 0; pos < s.size();) {
    const auto d = decode(s, pos);
    if (!d) {
      ++pos;
      continue;
    }
    if (pred(d->code_point)) return true;
    pos += d->length;
  }
  return false;
}

// Unicode category Zs (space separators).
bool is_space(char32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Byte length of the space separator ending at `end` (0 when the code point before `end` is not one).
std::size_t space_before(std::string_view s, std::size_t end) {
  // A code point is at most 4 bytes: try each start that could end exactly at `end`.
  for (std::size_t len = 1; len <= 4 && len <= end; ++len) {
    const auto d = decode(s, end - len);
    if (d && d->length == len) return is_space(d->code_point) ? len : 0;
  }
  return 0;
}

} // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    const auto d = decode(s, pos);
    if (!d) return false;
    pos += d->length;
  }
  return true;
}

std::string truncate_code_points(std::string_view s, std::size_t n, std::string_view ellipsis) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  std::size_t pos = 0;
  for (std::size_t count = 0; pos < s.size() && count < n; ++count) {
    const auto d = decode(s, pos);
    if (d)
      out.append(s.substr(pos, d->length));
    else
      out.append(replacement);
    pos += d ? d->length : 1;
  }
  if (pos < s.size()) out.append(ellipsis);
  return out;
}

std::size_t code_points(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < s.size(); ++count) {
    const auto d = decode(s, pos);
    pos += d ? d->length : 1;  // a stray byte counts as one, so ill-formed text still terminates
  }
  return count;
}

bool has_control_character(std::string_view s) { return any_code_point(s, is_control); }

bool has_invisible_formatting(std::string_view s) { return any_code_point(s, is_invisible_format); }

std::string_view trim(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    const auto d = decode(s, begin);
    if (!d || !is_space(d->code_point)) break;
    begin += d->length;
  }
  std::size_t end = s.size();
  while (end > begin) {
    const std::size_t len = space_before(s, end);
    if (len == 0) break;
    end -= len;
  }
  return s.substr(begin, end - begin);
}

std::string make_valid_utf8(std::string_view s) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) {
    const auto d = decode(s, pos);
    if (d) {
      out.append(s.substr(pos, d->length));
      pos += d->length;
    } else {
      out.append(replacement);
      ++pos;
    }
  }
  return out;
}

std::optional<std::string> accept_text(std::string_view s, std::size_t min, std::size_t max) {
  if (!is_valid_utf8(s) || has_control_character(s) || has_invisible_formatting(s)) return std::nullopt;
  const std::string_view trimmed = trim(s);
  const std::size_t n = code_points(trimmed);
  if (n < min || n > max) return std::nullopt;
  return std::string{trimmed};
}

} // namespace actas::domain
