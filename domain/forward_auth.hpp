#pragma once
/// SPEC §9 Forward auth: which action a reverse proxy's request stands for. `[[forward.rules]]` map a method
/// and a path glob to an action; the first match wins; with none, the action is `http.<method>`. The path
/// is normalised first (percent-decoded, dot segments resolved, repeated slashes merged) so that
/// `/x/../admin` or `/%61dmin` cannot slip past a rule written for `/admin/**`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actas::domain {

struct forward_rule {
  std::string method;  ///< an HTTP method in capitals, or "*" for any
  std::string path;    ///< a glob: `*` is any run within one segment, `**` (a whole segment) any number of
                       ///< segments, so "/admin/**" covers "/admin" and everything below it
  std::string action;  ///< what authorize is asked (a valid action name)
};

/// At most this many rules (a bound on the configuration and on each request's matching).
inline constexpr std::size_t max_forward_rules = 1000;

/// Why `rule` cannot be used (method, glob or action), or nullopt when it can.
std::optional<std::string> forward_rule_problem(const forward_rule& rule);

/// `/a/./b//c/../d` → `/a/b/d` after percent-decoding; nullopt for a bad escape, an encoded '%' (`%25`, the
/// door of double-decoding), invalid UTF-8, a NUL, or a path that does not start with '/' (the query, if
/// any, must already be cut off). The result normalises to itself.
std::optional<std::string> normalized_forward_path(std::string_view raw_path);

/// True when the glob matches the whole (normalised) path. Empty segments (a trailing '/')
/// count for nothing.
bool forward_glob_matches(std::string_view glob, std::string_view path);

/// The action for `method` on the normalised `path`: the first matching rule's, else `http.<method>` in
/// lowercase (e.g. `http.get`).
std::string forward_action(const std::vector<forward_rule>& rules, std::string_view method, std::string_view path);

} // namespace actas::domain
