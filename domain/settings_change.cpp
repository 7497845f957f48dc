#include "domain/settings_change.hpp"

namespace actas::domain {

std::variant<settings_error, settings_change> decide_settings_change(const directory& dir, const id& portal_id,
                                                                     const settings_patch& patch) {
  settings_change change{dir.settings_override(portal_id), {}};
  change.after = merge(change.before, patch);
  const portal* p = dir.find_portal(portal_id);
  const bool top = !p || !p->parent;
  const auto parent = dir.parent_settings(portal_id);
  const auto result = top ? apply(default_settings(), change.after) : tighten(parent, change.after);
  if (auto bad = validate(patch, result)) return *bad;
  if (!top)
    if (auto bad = check_tightens(parent, apply(parent, patch))) return *bad;
  return change;
}

} // namespace actas::domain
