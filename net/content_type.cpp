#include "net/content_type.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace actas::net {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// `media_type`, in any letter case, with at most the parameter charset=utf-8.
bool is_utf8_media_type(std::string_view value, std::string_view media_type) {
  const auto semicolon = value.find(';');
  if (!equals_ignoring_case(trim(value.substr(0, semicolon)), media_type)) return false;
  if (semicolon == std::string_view::npos) return true;
  // One parameter at most, and only charset=utf-8 (RFC 8259 §8.1: JSON is UTF-8).
  const auto parameter = trim(value.substr(semicolon + 1));
  const auto eq = parameter.find('=');
  if (eq == std::string_view::npos || !equals_ignoring_case(trim(parameter.substr(0, eq)), "charset")) return false;
  auto charset = trim(parameter.substr(eq + 1));
  if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"')
    charset = charset.substr(1, charset.size() - 2);
  return equals_ignoring_case(charset, "utf-8");
}

} // namespace

bool is_json_content_type(std::string_view value) { return is_utf8_media_type(value, "application/json"); }

bool is_form_content_type(std::string_view value) {
  return is_utf8_media_type(value, "application/x-www-form-urlencoded");
}

} // namespace actas::net
