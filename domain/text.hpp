#pragma once
/// Free-text rules shared by reasons, messages, ticket references and templates.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace actas::domain {

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// Number of code points of well-formed UTF-8.
std::size_t code_points(std::string_view s);

/// True when `s` holds a C0 control (U+0000–U+001F, including tab and newline), DEL (U+007F) or a C1
/// control (U+0080–U+009F).
bool has_control_character(std::string_view s);

/// `s` without leading and trailing white space (ASCII space and the Unicode space separators).
std::string_view trim(std::string_view s);

/// A bounded free-text field: valid UTF-8, no control characters, between `min` and `max` code points
/// after trimming. Returns the trimmed text, or nullopt when the text breaks any of these.
std::optional<std::string> accept_text(std::string_view s, std::size_t min, std::size_t max);

/// The longest prefix of `s` holding at most `n` code points, cut on a code-point boundary. Ill-formed
/// bytes count as one code point each, so any input is cut in one bounded pass.
std::string truncate_code_points(std::string_view s, std::size_t n);

/// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD (one per bad byte), so text taken from a
/// client can be stored, hashed and shown as JSON. Well-formed text comes back unchanged.
std::string make_valid_utf8(std::string_view s);

/// Largest reason or message, in code points (SPEC §2).
inline constexpr std::size_t max_reason_length = 500;

} // namespace actas::domain
