// Stricter wins: how a sub-portal's override meets its parent's effective settings (SPEC §1).
#include <algorithm>
#include <iterator>

#include "domain/notification.hpp"
#include "domain/settings.hpp"

namespace actas::domain {

namespace {

// One helper per direction of "stricter", so each field below reads as its rule.
void smaller_wins(std::int64_t& value, const std::optional<std::int64_t>& child) {
  if (child) value = std::min(value, *child);
}

void larger_wins(std::int64_t& value, const std::optional<std::int64_t>& child) {
  if (child) value = std::max(value, *child);
}

void true_wins(bool& value, const std::optional<bool>& child) {
  if (child) value = value || *child;
}

// A warning at or beyond the whole duration would fire before the start; one second below it is the
// largest warning that still fits, and keeps the effective settings inside validate()'s rules.
void fit_warning(std::int64_t& warn_before_s, std::int64_t max_duration_s) {
  warn_before_s = std::min(warn_before_s, max_duration_s - 1);
}

void tighten_impersonation(impersonation_settings& s, const settings_patch::impersonation_part& c) {
  if (c.enabled) s.enabled = s.enabled && *c.enabled;  // off wins
  smaller_wins(s.max_duration_s, c.max_duration_s);
  // The lead time of a warning is the sub-portal's own choice (it protects nobody).
  if (c.warn_before_s) s.warn_before_s = *c.warn_before_s;
  larger_wins(s.reason_min_length, c.reason_min_length);
  if (c.require_consent) s.require_consent.insert(c.require_consent->begin(), c.require_consent->end());
  true_wins(s.exclusive, c.exclusive);
  true_wins(s.target_can_end, c.target_can_end);
  true_wins(s.show_target_live, c.show_target_live);
  // Per caller role: only targets both allow. A role the parent does not list has no targets, and a
  // child cannot give it any, so it stays absent.
  if (c.allowed_targets)
    for (const auto& [caller, targets] : *c.allowed_targets) {
      const auto it = s.allowed_targets.find(caller);
      if (it == s.allowed_targets.end()) continue;
      std::set<role> both;
      std::set_intersection(it->second.begin(), it->second.end(), targets.begin(), targets.end(),
                            std::inserter(both, both.end()));
      it->second = std::move(both);
    }
  if (c.restricted_actions)
    for (const auto& pattern : *c.restricted_actions)
      if (std::find(s.restricted_actions.begin(), s.restricted_actions.end(), pattern) ==
          s.restricted_actions.end())
        s.restricted_actions.push_back(pattern);
  fit_warning(s.warn_before_s, s.max_duration_s);
}

void tighten_support(support_settings& s, const settings_patch::support_part& c) {
  smaller_wins(s.default_duration_s, c.default_duration_s);
  smaller_wins(s.max_duration_s, c.max_duration_s);
  if (c.warn_before_s) s.warn_before_s = *c.warn_before_s;
  smaller_wins(s.request_ttl_s, c.request_ttl_s);
  // Both defaults were at most their own maximum, so the smaller default is at most the smaller maximum.
  fit_warning(s.warn_before_s, s.max_duration_s);
}

} // namespace

realm_settings tighten(const realm_settings& parent, const settings_patch& child) {
  realm_settings s = parent;
  tighten_impersonation(s.impersonation, child.impersonation);
  tighten_support(s.support, child.support);
  for (const auto& [kind, part] : child.notifications) {
    auto [it, inserted] = s.notifications.try_emplace(kind, default_template(kind));
    true_wins(it->second.enabled, part.enabled);  // telling the user is the stricter choice
    if (part.title) it->second.title = *part.title;
    if (part.body) it->second.body = *part.body;
  }
  return s;
}

} // namespace actas::domain
