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

/// At most `n` code points of `s`, never cut inside a character, always well-formed UTF-8: each byte of
/// `s` that does not begin a well-formed character becomes one U+FFFD (and counts as one code point).
/// `ellipsis` is appended when something was cut off. For quoting client text in messages and logs.
std::string truncate_code_points(std::string_view s, std::size_t n, std::string_view ellipsis = {});

/// True when `s` holds a C0 control (U+0000–U+001F, including tab and newline), DEL (U+007F) or a C1
/// control (U+0080–U+009F).
bool has_control_character(std::string_view s);

/// True when `s` holds an invisible formatting character (SPEC §2 rule 12): a bidi control (U+202A–202E,
/// U+2066–2069), a zero-width one (U+200B–200F), the word joiner U+2060 or U+FEFF.
bool has_invisible_formatting(std::string_view s);

/// `s` without leading and trailing white space (ASCII space and the Unicode space separators).
std::string_view trim(std::string_view s);

/// A bounded free-text field: valid UTF-8, no control and no invisible formatting characters, between `min` and `max` code points
/// after trimming. Returns the trimmed text, or nullopt when the text breaks any of these.
std::optional<std::string> accept_text(std::string_view s, std::size_t min, std::size_t max);

/// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD (one per bad byte), so text taken from a
/// client can be stored, hashed and shown as JSON. Well-formed text comes back unchanged.
std::string make_valid_utf8(std::string_view s);

/// Largest reason or message, in code points (SPEC §2).
inline constexpr std::size_t max_reason_length = 500;

} // namespace actas::domain
