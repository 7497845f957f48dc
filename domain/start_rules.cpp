#include "domain/start_rules.hpp"

#include <algorithm>

#include "domain/session.hpp"
#include "domain/text.hpp"

namespace actas::domain {

namespace {

// Settings are always read at the target's portal: that is where the feature is switched and where the
// rules for its users live. A realmless target has none and is refused by rule 8 before they matter.
realm_settings target_settings(const directory& dir, const user& target) {
  return target.home_portal ? dir.effective_settings(*target.home_portal) : default_settings();
}

// Rule 3: nothing about other customers leaks, so another realm's user looks exactly like no user.
bool target_visible(const user& caller, const user* target) {
  if (!target || target->status == user_status::deleted) return false;
  return !target->realm_id || target->realm_id == caller.realm_id;
}

// Rules 6 to 11, the ones about the pair itself.
std::optional<errc> pair_rules(const directory& dir, const user& caller, const user& target,
                               const realm_settings& settings) {
  if (target.user_id == caller.user_id) return errc::self_impersonation;
  if (target.status != user_status::active) return errc::target_inactive;
  if (is_realmless(target.user_role) || rank(target.user_role) >= rank(caller.user_role))
    return errc::target_protected;
  if (!dir.in_scope(caller, target)) return errc::target_out_of_scope;
  const auto& allowed = settings.impersonation.allowed_targets;
  const auto it = allowed.find(caller.user_role);
  if (it == allowed.end() || !it->second.contains(target.user_role)) return errc::target_role_not_allowed;
  const auto& required = settings.impersonation.require_consent;
  if (!std::all_of(required.begin(), required.end(), [&](consent c) { return target.accepted.has(c); }))
    return errc::consent_missing;
  return std::nullopt;
}

} // namespace

start_verdict check_start(const directory& dir, const start_request& req) {
  start_verdict v;
  const auto refuse = [&](errc code) {
    v.code = code;
    return v;
  };
  if (req.token_is_impersonation) return refuse(errc::nested_impersonation);
  if (!req.caller || !may_impersonate(req.caller->user_role)) return refuse(errc::permission_missing);
  const user& caller = *req.caller;

  const user* target = dir.find_user(std::string{req.target_id});
  if (!target_visible(caller, target)) return refuse(errc::target_not_found);
  const realm_settings settings = target_settings(dir, *target);
  if (target->home_portal && !settings.impersonation.enabled) return refuse(errc::feature_disabled);
  if (req.caller_busy) return refuse(errc::actor_busy);
  if (const auto code = pair_rules(dir, caller, *target, settings)) return refuse(*code);

  const auto min = static_cast<std::size_t>(std::max<std::int64_t>(settings.impersonation.reason_min_length, 0));
  const auto reason = req.reason ? accept_text(*req.reason, min, max_reason_length) : std::nullopt;
  if (!reason) return refuse(errc::reason_required);
  if (req.return_to && !valid_return_to(*req.return_to)) return refuse(errc::invalid_request);
  if (settings.impersonation.exclusive && req.target_busy) return refuse(errc::target_busy);

  v.target = target;
  v.reason = *reason;
  return v;
}

std::optional<errc> impersonation_blocker(const directory& dir, const user& actor, const user& target) {
  if (!may_impersonate(actor.user_role)) return errc::permission_missing;
  if (!target_visible(actor, &target)) return errc::target_not_found;
  const realm_settings settings = target_settings(dir, target);
  if (target.home_portal && !settings.impersonation.enabled) return errc::feature_disabled;
  return pair_rules(dir, actor, target, settings);
}

} // namespace actas::domain
