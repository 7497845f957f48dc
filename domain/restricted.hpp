#pragma once
/// Restricted-action matching: globs on dotted action names (SPEC §1 `restricted_actions`).
#include <string>
#include <string_view>
#include <vector>

namespace actas::domain {

/// "messages.*" matches "messages.read" and "messages.thread.open" but not "messages"; "portal.switch"
/// matches only itself; "*" matches everything. Matching is case-sensitive on the dotted name.
bool action_matches(std::string_view pattern, std::string_view action);

/// True when any pattern matches, except for never_restricted actions (the default "impersonation.*"
/// must not block ending the session).
bool is_restricted(const std::vector<std::string>& patterns, std::string_view action);

/// Actions that are never restricted (ending a session and logging out, SPEC §2).
bool never_restricted(std::string_view action);

} // namespace actas::domain
