#pragma once
/// Realm settings with their defaults and the tighten-only override rule (SPEC §1).
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/notification_kind.hpp"
#include "domain/role.hpp"

namespace actas::domain {

/// One notification kind's switch and template (placeholders like {actor_name}, see notification.hpp).
struct notification_template {
  bool enabled = true;
  std::string title;
  std::string body;
};

struct impersonation_settings {
  bool enabled = false;
  std::int64_t max_duration_s = 1800;
  std::int64_t warn_before_s = 300;
  std::int64_t reason_min_length = 10;
  std::set<consent> require_consent{consent::terms, consent::privacy};
  bool exclusive = true;
  bool target_can_end = false;
  bool show_target_live = true;
  /// Caller role -> roles it may impersonate.
  std::map<role, std::set<role>> allowed_targets;
  /// Globs on dotted action names ("messages.*").
  std::vector<std::string> restricted_actions;
};

struct support_settings {
  std::int64_t default_duration_s = 86400;
  std::int64_t max_duration_s = 2592000;
  std::int64_t warn_before_s = 3600;
  std::int64_t request_ttl_s = 259200;
};

/// The effective settings of one portal: defaults, then the top-level portal's values, then each
/// override on the way down to that portal.
struct realm_settings {
  impersonation_settings impersonation;
  support_settings support;
  std::map<notification_kind, notification_template> notifications;
};

/// SPEC §1 defaults (impersonation off, 30 minutes, the default allowed targets and restricted actions,
/// every notification kind enabled with its default template).
realm_settings default_settings();

/// A partial settings document: only the fields someone set. Mirrors the nested JSON of SPEC §1.
struct settings_patch {
  struct impersonation_part {
    std::optional<bool> enabled;
    std::optional<std::int64_t> max_duration_s;
    std::optional<std::int64_t> warn_before_s;
    std::optional<std::int64_t> reason_min_length;
    std::optional<std::set<consent>> require_consent;
    std::optional<bool> exclusive;
    std::optional<bool> target_can_end;
    std::optional<bool> show_target_live;
    std::optional<std::map<role, std::set<role>>> allowed_targets;
    std::optional<std::vector<std::string>> restricted_actions;
  } impersonation;
  struct support_part {
    std::optional<std::int64_t> default_duration_s;
    std::optional<std::int64_t> max_duration_s;
    std::optional<std::int64_t> warn_before_s;
    std::optional<std::int64_t> request_ttl_s;
  } support;
  struct template_part {
    std::optional<bool> enabled;
    std::optional<std::string> title;
    std::optional<std::string> body;
  };
  std::map<notification_kind, template_part> notifications;

  bool empty() const;
};

/// `base` with every field `patch` sets replaced.
realm_settings apply(realm_settings base, const settings_patch& patch);

/// A sub-portal's effective settings: its stored override folded onto its parent's effective settings
/// field by field, the stricter value winning (the notion of check_tightens). An override stored before
/// its parent was tightened can therefore never loosen the parent. Per field: enabled off wins; durations
/// and TTLs the smaller; warn_before_s and reason_min_length the larger; require_consent and
/// restricted_actions the union (parent's order first); allowed_targets per caller role the intersection
/// (a role the parent lacks stays absent); exclusive, target_can_end and show_target_live on wins; a
/// notification enabled on wins, its title and body are the child's when it sets them. A warning that
/// no longer fits the (smaller) duration is cut to one second below it, so the result stays valid.
realm_settings tighten(const realm_settings& parent, const settings_patch& child);

/// `later` folded onto `earlier` (fields of `later` win): what a stored override becomes after a PATCH.
settings_patch merge(settings_patch earlier, const settings_patch& later);

/// Why a settings document was refused: the dotted field name and a sentence for a person.
struct settings_error {
  std::string field;
  std::string message;
};

/// Checks a patch on its own: ranges (max_duration_s 60…1800, warn_before_s below max_duration_s,
/// reason_min_length 1…500, support durations 3600…2592000 with default ≤ max, request_ttl_s ≥ 60),
/// template placeholders known, template text bounded and free of control characters.
std::optional<settings_error> validate(const settings_patch& patch, const realm_settings& result);

/// Tighten-only rule for a sub-portal: `result` (parent effective + override) may only be stricter than
/// `parent`. Stricter means: enabled may only turn off; durations, TTLs and limits only shrink; warnings,
/// reason length and required consents only grow (warnings are free, below the duration); exclusive, target_can_end and show_target_live only turn
/// on; allowed targets only shrink; restricted actions only grow; a notification only stays enabled.
std::optional<settings_error> check_tightens(const realm_settings& parent, const realm_settings& result);

} // namespace actas::domain
