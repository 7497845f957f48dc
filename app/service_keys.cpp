#include "app/service_keys.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace actas::app {

namespace {

[[noreturn]] void refuse_keys(const std::string& message) { throw std::invalid_argument(message); }

/// A key is printable ASCII without spaces (it travels in an Authorization header) and long enough to be
/// unguessable. The message names where the key came from, never the key itself.
void check_key(const std::string& key, std::size_t index, const std::string& where) {
  const auto which = "service key " + std::to_string(index) + " of " + where;
  if (key.size() < min_service_key_length)
    refuse_keys(which + " has " + std::to_string(key.size()) + " characters; at least " +
         std::to_string(min_service_key_length) + " are required (e.g. the output of `openssl rand -hex 32`)");
  if (key.size() > max_service_key_length)
    refuse_keys(which + " is longer than " + std::to_string(max_service_key_length) + " characters");
  for (unsigned char c : key)
    if (c < 0x21 || c > 0x7e)
      refuse_keys(which + " contains a space, control or non-ASCII character; use printable ASCII only");
}

} // namespace

std::vector<std::string> keys_from_list(std::string_view list, const std::string& where) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const auto end = comma == std::string_view::npos ? list.size() : comma;
    auto key = trim(list.substr(start, end - start));
    if (!key.empty()) keys.push_back(std::move(key));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (keys.empty()) refuse_keys(where + " is set but holds no key");
  for (std::size_t i = 0; i < keys.size(); ++i) check_key(keys[i], i + 1, where);
  return keys;
}

std::vector<std::string> keys_from_file(const std::string& path, const std::string& origin) {
  const auto where = "service key file '" + path + "' (" + origin + ")";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) refuse_keys(where + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) refuse_keys("cannot read " + where + ": " + std::strerror(errno));
  // At most one byte more than allowed is read, so a device or a huge file costs nothing.
  std::string text(max_service_key_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) refuse_keys("cannot read " + where);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_service_key_file_bytes)
    refuse_keys(where + " is larger than " + std::to_string(max_service_key_file_bytes / 1024) +
                " KiB; it should hold one key per line");
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto key = trim(std::string_view(text).substr(start, end - start));
    if (!key.empty()) keys.push_back(std::move(key));
    start = end + 1;
  }
  if (keys.empty()) refuse_keys(where + " holds no key");
  for (std::size_t i = 0; i < keys.size(); ++i) check_key(keys[i], i + 1, where);
  return keys;
}

std::string trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

} // namespace actas::app
