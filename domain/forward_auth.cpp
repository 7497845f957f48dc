#include "domain/forward_auth.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

#include "domain/authorize.hpp"
#include "domain/text.hpp"

namespace actas::domain {

namespace {

constexpr std::array<std::string_view, 9> http_methods{"GET", "HEAD", "POST", "PUT", "PATCH",
                                                        "DELETE", "OPTIONS", "TRACE", "CONNECT"};
constexpr std::size_t max_glob_length = 512;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The classic two-pointer wildcard walk over any two sequences: a star item of the pattern stands for any
/// run of text items, every other pattern item must match one text item. On a mismatch it goes back to
/// the last star and lets it take one item more, so it never costs more than the product of the lengths
/// (no exponential backtracking, whatever a rule or a request holds).
template <class Item, class TextItem, class IsStar, class Matches>
bool wildcard_match(std::span<const Item> pattern, std::span<const TextItem> text, IsStar is_star, Matches matches) {
  std::size_t p = 0, t = 0, star = pattern.size(), resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && is_star(pattern[p])) {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && matches(pattern[p], text[t])) {
      ++p;
      ++t;
    } else if (star != pattern.size()) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && is_star(pattern[p])) ++p;
  return p == pattern.size();
}

/// One segment against a pattern whose `*` is any run of characters.
bool segment_matches(std::string_view pattern, std::string_view text) {
  return wildcard_match(std::span<const char>(pattern), std::span<const char>(text), [](char c) { return c == '*'; },
                        [](char a, char b) { return a == b; });
}

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (const auto s = path.substr(0, slash); !s.empty()) out.push_back(s);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return out;
}

} // namespace

std::optional<std::string> forward_rule_problem(const forward_rule& rule) {
  if (rule.method != "*" && std::find(http_methods.begin(), http_methods.end(), rule.method) == http_methods.end())
    return "method '" + rule.method + "' is not an HTTP method in capitals (or \"*\")";
  if (rule.path.empty() || rule.path.front() != '/' || rule.path.size() > max_glob_length)
    return "path '" + rule.path + "' must start with '/' (at most " + std::to_string(max_glob_length) + " characters)";
  // `**` stands for whole segments only ("/admin/**", "/**/grades"): "/a**" would be ambiguous.
  for (const auto segment : segments_of(rule.path))
    if (segment.find("**") != std::string_view::npos && segment != "**")
      return "path '" + rule.path + "' uses '**' inside a segment; '**' must be a whole segment (\"/admin/**\")";
  if (!valid_action(rule.action)) return "action '" + rule.action + "' is not a valid action name";
  return std::nullopt;
}

std::optional<std::string> normalized_forward_path(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  std::string decoded;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      decoded += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    const int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const auto byte = static_cast<char>(hi * 16 + lo);
    // An encoded '%' would let a server that decodes twice read "/%2561dmin" as "/admin" while the rules
    // saw "/%61dmin": refused, so what the rules see is final (decoding it again changes nothing).
    if (byte == '%') return std::nullopt;
    decoded += byte;
    i += 2;
  }
  if (decoded.find('\0') != std::string::npos || !is_valid_utf8(decoded)) return std::nullopt;
  // RFC 3986 §5.2.4 remove_dot_segments, with empty segments dropped as nginx's merge_slashes does.
  std::vector<std::string_view> segments;
  std::string_view rest(decoded);
  const bool trailing_slash = decoded.size() > 1 && (decoded.back() == '/' || decoded.ends_with("/.") ||
                                                     decoded.ends_with("/.."));
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string out;
  for (const auto s : segments) {
    out += '/';
    out += s;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

bool forward_glob_matches(std::string_view glob, std::string_view path) {
  // The same walk one level up: `**` stands for any number of whole segments.
  const auto g = segments_of(glob), p = segments_of(path);
  return wildcard_match(std::span<const std::string_view>(g), std::span<const std::string_view>(p),
                        [](std::string_view s) { return s == "**"; }, segment_matches);
}

std::string forward_action(const std::vector<forward_rule>& rules, std::string_view method, std::string_view path) {
  for (const auto& rule : rules)
    if ((rule.method == "*" || rule.method == method) && forward_glob_matches(rule.path, path)) return rule.action;
  std::string action = "http.";
  for (const char c : method) action += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return action;
}

} // namespace actas::domain
