#pragma once
/// Restricted-action matching: globs on dotted action names (SPEC §1 `restricted_actions`).
#include <string>
#include <string_view>
#include <vector>

namespace actas::domain {

/// "messages.*" matches "messages" itself, "messages.read" and "messages.thread.open" (SPEC §2); a literal
/// like "password.change" matches only itself (not "password"); "*" matches everything; an inner "*" one
/// segment. Matching is case-sensitive on the dotted name (authorize checks names are dotted lowercase).
bool action_matches(std::string_view pattern, std::string_view action);

/// True when any pattern matches, except for never_restricted actions (the default "impersonation.*"
/// must not block ending the session).
bool is_restricted(const std::vector<std::string>& patterns, std::string_view action);

/// Actions that are never restricted (ending a session and logging out, SPEC §2).
bool never_restricted(std::string_view action);

} // namespace actas::domain
