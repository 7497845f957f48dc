#pragma once
/// Deciding a settings PATCH (SPEC §1 "Realm settings"): one function, run on the state the decision
/// reads, first on the registry's cache (a fast refusal) and then inside the transaction that records it.
#include <variant>

#include "domain/directory.hpp"
#include "domain/settings.hpp"

namespace actas::domain {

/// A settings change as decided: the portal's stored override before it and after it.
struct settings_change {
  settings_patch before;
  settings_patch after;
};

/// Applies `patch` to the override of `portal_id` (which `dir` must hold) as `dir` has it: the merged
/// override, or the first field that is out of range or, on a sub-portal, would loosen its parent. A
/// sub-portal is judged on what this PATCH sets, so an older override that a later tightening of the
/// parent already overrules does not block unrelated changes.
std::variant<settings_error, settings_change> decide_settings_change(const directory& dir, const id& portal_id,
                                                                     const settings_patch& patch);

} // namespace actas::domain
