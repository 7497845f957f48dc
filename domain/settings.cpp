#include "domain/settings.hpp"

#include <algorithm>

#include "domain/notification.hpp"
#include "domain/restricted.hpp"
#include "domain/text.hpp"

namespace actas::domain {

namespace {

// Bounds of SPEC §1 and of the templates.
constexpr std::int64_t min_impersonation_s = 60, max_impersonation_s = 1800;
constexpr std::int64_t min_support_s = 3600, max_support_s = 2592000;
constexpr std::int64_t min_request_ttl_s = 60, max_request_ttl_s = 2592000;
constexpr std::size_t max_title_length = 200, max_body_length = 2000;

using error = std::optional<settings_error>;

template <typename T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

template <typename T>
void set_if(T& into, const std::optional<T>& from) {
  if (from) into = *from;
}

error in_range(const std::string& field, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value >= lo && value <= hi) return std::nullopt;
  return settings_error{field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi)};
}

// Patterns are dotted names whose segments are [a-z0-9_]+ or a lone "*" (restricted.hpp matches whole
// segments only, so "mess*" would silently match nothing a person meant).
bool valid_pattern(std::string_view p) {
  if (p.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = p.find('.', start);
    const std::string_view seg = p.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty()) return false;
    if (seg != "*" && !std::all_of(seg.begin(), seg.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Bodies may hold line breaks (they are multi-line messages); titles are one line.
error check_template_text(const std::string& field, const std::string& text, std::size_t max, bool body) {
  if (!is_valid_utf8(text)) return settings_error{field, "must be valid UTF-8"};
  std::string probe = text;
  if (body) std::replace(probe.begin(), probe.end(), '\n', ' ');
  if (has_control_character(probe))
    return settings_error{field, body ? "must not contain control characters other than line breaks"
                                      : "must not contain control characters"};
  if (has_invisible_formatting(text))
    return settings_error{field, "must not contain invisible formatting characters (bidi or zero-width)"};
  const std::size_t n = code_points(trim(text));
  if (n == 0 || n > max)
    return settings_error{field, "must be between 1 and " + std::to_string(max) + " characters"};
  if (const auto unknown = unknown_placeholders(text); !unknown.empty())
    return settings_error{field, "unknown placeholder {" + unknown.front() + "}"};
  return std::nullopt;
}

error check_allowed_targets(const std::map<role, std::set<role>>& allowed) {
  for (const auto& [caller, targets] : allowed) {
    const std::string field = "impersonation.allowed_targets." + std::string{to_string(caller)};
    if (!may_impersonate(caller)) return settings_error{field, "this role never impersonates"};
    for (const role t : targets)
      if (is_realmless(t) || rank(t) >= rank(caller))
        return settings_error{field, std::string{to_string(t)} + " is not below " +
                                       std::string{to_string(caller)}};
  }
  return std::nullopt;
}

error check_restricted(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns)
    if (!valid_pattern(p))
      return settings_error{"impersonation.restricted_actions",
                            "\"" + p + "\" is not a dotted action name (a-z, 0-9, _ and * segments)"};
  return std::nullopt;
}

// Fields one at a time (what a patch can be checked for on its own).
error check_max_duration(std::int64_t v) {
  return in_range("impersonation.max_duration_s", v, min_impersonation_s, max_impersonation_s);
}
error check_reason_min_length(std::int64_t v) {
  return in_range("impersonation.reason_min_length", v, 1, static_cast<std::int64_t>(max_reason_length));
}
error check_support_duration(const char* field, std::int64_t v) {
  return in_range(field, v, min_support_s, max_support_s);
}
error check_request_ttl(std::int64_t v) {
  return in_range("support.request_ttl_s", v, min_request_ttl_s, max_request_ttl_s);
}
error check_warn_positive(const char* field, std::int64_t v) {
  if (v > 0) return std::nullopt;
  return settings_error{field, "must be above 0"};
}
error check_title(notification_kind k, const std::string& title) {
  return check_template_text("notifications." + std::string{to_string(k)} + ".title", title,
                             max_title_length, false);
}
error check_body(notification_kind k, const std::string& body) {
  return check_template_text("notifications." + std::string{to_string(k)} + ".body", body, max_body_length,
                             true);
}

// The fields a patch sets, each against its own bounds.
error check_patch(const settings_patch& patch) {
  const auto& i = patch.impersonation;
  if (i.max_duration_s)
    if (auto e = check_max_duration(*i.max_duration_s)) return e;
  if (i.warn_before_s)
    if (auto e = check_warn_positive("impersonation.warn_before_s", *i.warn_before_s)) return e;
  if (i.reason_min_length)
    if (auto e = check_reason_min_length(*i.reason_min_length)) return e;
  if (i.allowed_targets)
    if (auto e = check_allowed_targets(*i.allowed_targets)) return e;
  if (i.restricted_actions)
    if (auto e = check_restricted(*i.restricted_actions)) return e;
  const auto& s = patch.support;
  if (s.default_duration_s)
    if (auto e = check_support_duration("support.default_duration_s", *s.default_duration_s)) return e;
  if (s.max_duration_s)
    if (auto e = check_support_duration("support.max_duration_s", *s.max_duration_s)) return e;
  if (s.warn_before_s)
    if (auto e = check_warn_positive("support.warn_before_s", *s.warn_before_s)) return e;
  if (s.request_ttl_s)
    if (auto e = check_request_ttl(*s.request_ttl_s)) return e;
  for (const auto& [kind, t] : patch.notifications) {
    if (t.title)
      if (auto e = check_title(kind, *t.title)) return e;
    if (t.body)
      if (auto e = check_body(kind, *t.body)) return e;
  }
  return std::nullopt;
}

// Every field of a complete settings value, and the relations between fields.
error check_values(const realm_settings& s) {
  const auto& i = s.impersonation;
  if (auto e = check_max_duration(i.max_duration_s)) return e;
  if (i.warn_before_s <= 0 || i.warn_before_s >= i.max_duration_s)
    return settings_error{"impersonation.warn_before_s", "must be above 0 and below max_duration_s"};
  if (auto e = check_reason_min_length(i.reason_min_length)) return e;
  if (auto e = check_allowed_targets(i.allowed_targets)) return e;
  if (auto e = check_restricted(i.restricted_actions)) return e;

  const auto& sup = s.support;
  if (auto e = check_support_duration("support.default_duration_s", sup.default_duration_s)) return e;
  if (auto e = check_support_duration("support.max_duration_s", sup.max_duration_s)) return e;
  if (sup.default_duration_s > sup.max_duration_s)
    return settings_error{"support.default_duration_s", "must not exceed support.max_duration_s"};
  if (sup.warn_before_s <= 0 || sup.warn_before_s >= sup.max_duration_s)
    return settings_error{"support.warn_before_s", "must be above 0 and below max_duration_s"};
  if (auto e = check_request_ttl(sup.request_ttl_s)) return e;

  for (const auto& [kind, t] : s.notifications) {
    if (auto e = check_title(kind, t.title)) return e;
    if (auto e = check_body(kind, t.body)) return e;
  }
  return std::nullopt;
}

bool is_subset(const std::set<role>& small, const std::set<role>& big) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

// A parent pattern is kept when the result holds a pattern matching everything it matches. Reading the
// parent pattern as an action name is exact for segment globs: "messages.*" covers "messages.thread.*".
bool covered(const std::string& parent_pattern, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return p == parent_pattern || action_matches(p, parent_pattern);
  });
}

settings_error looser(const std::string& field, const char* how) {
  return settings_error{field, std::string{"a sub-portal may only make settings stricter: "} + how};
}

} // namespace

realm_settings default_settings() {
  realm_settings s;
  s.impersonation.allowed_targets = {
    {role::admin, {role::learner}},
    {role::power_user, {role::learner}},
    {role::superadmin, {role::learner, role::instructor, role::manager, role::power_user, role::admin}},
  };
  s.impersonation.restricted_actions = {"messages.*", "forums.*",        "portal.switch",
                                        "2fa.*",      "payments.*",      "password.change",
                                        "admin.*",    "esignature.*",    "impersonation.*"};
  for (const notification_kind k : all_notification_kinds) s.notifications[k] = default_template(k);
  return s;
}

bool settings_patch::empty() const {
  const auto& i = impersonation;
  const auto& s = support;
  return !i.enabled && !i.max_duration_s && !i.warn_before_s && !i.reason_min_length && !i.require_consent &&
         !i.exclusive && !i.target_can_end && !i.show_target_live && !i.allowed_targets &&
         !i.restricted_actions && !s.default_duration_s && !s.max_duration_s && !s.warn_before_s &&
         !s.request_ttl_s &&
         std::all_of(notifications.begin(), notifications.end(), [](const auto& entry) {
           const auto& t = entry.second;
           return !t.enabled && !t.title && !t.body;
         });
}

realm_settings apply(realm_settings base, const settings_patch& patch) {
  auto& i = base.impersonation;
  const auto& p = patch.impersonation;
  set_if(i.enabled, p.enabled);
  set_if(i.max_duration_s, p.max_duration_s);
  set_if(i.warn_before_s, p.warn_before_s);
  set_if(i.reason_min_length, p.reason_min_length);
  set_if(i.require_consent, p.require_consent);
  set_if(i.exclusive, p.exclusive);
  set_if(i.target_can_end, p.target_can_end);
  set_if(i.show_target_live, p.show_target_live);
  // allowed_targets is addressed per caller role ("impersonation.allowed_targets.admin"): a patch
  // replaces the roles it names and keeps the others.
  if (p.allowed_targets)
    for (const auto& [caller, targets] : *p.allowed_targets) i.allowed_targets[caller] = targets;
  set_if(i.restricted_actions, p.restricted_actions);

  auto& s = base.support;
  set_if(s.default_duration_s, patch.support.default_duration_s);
  set_if(s.max_duration_s, patch.support.max_duration_s);
  set_if(s.warn_before_s, patch.support.warn_before_s);
  set_if(s.request_ttl_s, patch.support.request_ttl_s);

  for (const auto& [kind, part] : patch.notifications) {
    auto [it, inserted] = base.notifications.try_emplace(kind, default_template(kind));
    set_if(it->second.enabled, part.enabled);
    set_if(it->second.title, part.title);
    set_if(it->second.body, part.body);
  }
  return base;
}

settings_patch merge(settings_patch earlier, const settings_patch& later) {
  auto& i = earlier.impersonation;
  const auto& l = later.impersonation;
  take(i.enabled, l.enabled);
  take(i.max_duration_s, l.max_duration_s);
  take(i.warn_before_s, l.warn_before_s);
  take(i.reason_min_length, l.reason_min_length);
  take(i.require_consent, l.require_consent);
  take(i.exclusive, l.exclusive);
  take(i.target_can_end, l.target_can_end);
  take(i.show_target_live, l.show_target_live);
  if (l.allowed_targets) {  // per caller role, as in apply
    if (!i.allowed_targets) i.allowed_targets.emplace();
    for (const auto& [caller, targets] : *l.allowed_targets) (*i.allowed_targets)[caller] = targets;
  }
  take(i.restricted_actions, l.restricted_actions);

  auto& s = earlier.support;
  take(s.default_duration_s, later.support.default_duration_s);
  take(s.max_duration_s, later.support.max_duration_s);
  take(s.warn_before_s, later.support.warn_before_s);
  take(s.request_ttl_s, later.support.request_ttl_s);

  for (const auto& [kind, part] : later.notifications) {
    auto& t = earlier.notifications[kind];
    take(t.enabled, part.enabled);
    take(t.title, part.title);
    take(t.body, part.body);
  }
  return earlier;
}

std::optional<settings_error> validate(const settings_patch& patch, const realm_settings& result) {
  // The patch's own values first, so the error names what the caller sent; then the whole result, which
  // also catches relations across fields (warn_before_s below a max_duration_s set elsewhere).
  if (auto e = check_patch(patch)) return e;
  return check_values(result);
}

std::optional<settings_error> check_tightens(const realm_settings& parent, const realm_settings& result) {
  const auto& p = parent.impersonation;
  const auto& r = result.impersonation;
  if (r.enabled && !p.enabled) return looser("impersonation.enabled", "it may only be turned off");
  if (r.max_duration_s > p.max_duration_s) return looser("impersonation.max_duration_s", "it may only shrink");
  // warn_before_s is not checked: a warning's lead time protects nobody, and a sub-portal that shortens
  // the duration must be able to shorten the warning with it (validate keeps it below the duration).
  if (r.reason_min_length < p.reason_min_length)
    return looser("impersonation.reason_min_length", "it may only grow");
  if (!std::includes(r.require_consent.begin(), r.require_consent.end(), p.require_consent.begin(),
                     p.require_consent.end()))
    return looser("impersonation.require_consent", "required consents may only be added");
  if (p.exclusive && !r.exclusive) return looser("impersonation.exclusive", "it may only be turned on");
  if (p.target_can_end && !r.target_can_end)
    return looser("impersonation.target_can_end", "it may only be turned on");
  if (p.show_target_live && !r.show_target_live)
    return looser("impersonation.show_target_live", "it may only be turned on");
  for (const auto& [caller, targets] : r.allowed_targets) {
    const auto it = p.allowed_targets.find(caller);
    if (!is_subset(targets, it == p.allowed_targets.end() ? std::set<role>{} : it->second))
      return looser("impersonation.allowed_targets." + std::string{to_string(caller)},
                    "allowed targets may only be removed");
  }
  for (const auto& pattern : p.restricted_actions)
    if (!covered(pattern, r.restricted_actions))
      return looser("impersonation.restricted_actions", "restricted actions may only be added");

  const auto& ps = parent.support;
  const auto& rs = result.support;
  if (rs.default_duration_s > ps.default_duration_s)
    return looser("support.default_duration_s", "it may only shrink");
  if (rs.max_duration_s > ps.max_duration_s) return looser("support.max_duration_s", "it may only shrink");
  if (rs.request_ttl_s > ps.request_ttl_s) return looser("support.request_ttl_s", "it may only shrink");

  for (const auto& [kind, t] : parent.notifications) {
    const auto it = result.notifications.find(kind);
    if (t.enabled && (it == result.notifications.end() || !it->second.enabled))
      return looser("notifications." + std::string{to_string(kind)} + ".enabled", "it must stay enabled");
  }
  return std::nullopt;
}

} // namespace actas::domain
