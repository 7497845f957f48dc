#pragma once
/// Notification templates and rendering (SPEC §4).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/notification_kind.hpp"
#include "domain/settings.hpp"
#include "domain/time.hpp"

namespace actas::domain {

/// A stored inbox item.
struct notification {
  std::string notification_id;
  std::string user_id;
  notification_kind kind{};
  std::string title;
  std::string body;
  timestamp created_at{};
  bool read = false;
};

/// The placeholders a template may use.
inline const std::vector<std::string_view> known_placeholders{
  "actor_name", "target_name", "started_at", "ended_at", "reason",
  "message",    "ticket",      "portal_name", "expires_at"};

/// Names inside `{...}` that are not known placeholders (empty when all are known).
std::vector<std::string> unknown_placeholders(std::string_view text);

/// The default title and body of a kind.
notification_template default_template(notification_kind k);

/// Replaces each `{name}` with values[name] (unknown or missing names render as empty).
std::string render(std::string_view text, const std::map<std::string, std::string>& values);

/// Renders the template of `k` under `settings`; nullopt when that kind is disabled.
struct rendered {
  std::string title;
  std::string body;
};
std::optional<rendered> render_notification(const realm_settings& settings, notification_kind k,
                                            const std::map<std::string, std::string>& values);

} // namespace actas::domain
