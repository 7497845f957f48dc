#include "domain/restricted.hpp"

#include <algorithm>
#include <array>

namespace actas::domain {

namespace {

std::vector<std::string_view> segments(std::string_view name) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(name.substr(start));
      return out;
    }
    out.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
}

} // namespace

bool action_matches(std::string_view pattern, std::string_view action) {
  if (pattern == "*") return true;
  const auto pat = segments(pattern);
  const auto act = segments(action);
  if (std::any_of(act.begin(), act.end(), [](std::string_view s) { return s.empty(); })) return false;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    // A trailing "*" takes the name before it and everything under it (SPEC §2: "x.*" matches "x" itself,
    // so the bare name of a restricted family does not escape it); an inner one exactly one segment.
    if (pat[i] == "*" && i + 1 == pat.size()) return true;
    if (i >= act.size()) return false;
    if (pat[i] != "*" && pat[i] != act[i]) return false;
  }
  return pat.size() == act.size();
}

bool is_restricted(const std::vector<std::string>& patterns, std::string_view action) {
  // The default list holds "impersonation.*", which must not trap the one way out of a session.
  if (never_restricted(action)) return false;
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return action_matches(p, action); });
}

bool never_restricted(std::string_view action) {
  static constexpr std::array<std::string_view, 3> exits{"impersonation.end", "session.logout", "logout"};
  return std::find(exits.begin(), exits.end(), action) != exits.end();
}

} // namespace actas::domain
