#pragma once
/// Service keys (SPEC §6): read from a comma-separated list (ACTAS_SERVICE_KEY) or a file (one per line),
/// checked, and never echoed in a message.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace actas::app {

/// Shortest accepted key: 32 characters, e.g. `openssl rand -hex 32` (64).
inline constexpr std::size_t min_service_key_length = 32;
inline constexpr std::size_t max_service_key_length = 1024;
/// A key file holds a few keys (two while one is rotated): anything larger is a wrong path (a log, a
/// device such as /dev/zero), refused before it is read whole.
inline constexpr std::size_t max_service_key_file_bytes = 64 * 1024;

/// Splits `list` at commas, trims each key and drops empty entries. Throws std::invalid_argument naming
/// `where` when no key remains or a key is invalid.
std::vector<std::string> keys_from_list(std::string_view list, const std::string& where);

/// One key per line, blank lines ignored. Throws std::invalid_argument when the file cannot be read, is
/// larger than max_service_key_file_bytes, holds no key or a key is invalid; `origin` says which setting
/// named the file.
std::vector<std::string> keys_from_file(const std::string& path, const std::string& origin);

/// Leading and trailing spaces, tabs, CR and LF removed.
std::string trim(std::string_view s);

} // namespace actas::app
