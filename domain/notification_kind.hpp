#pragma once
/// The notification kinds of SPEC §4.
#include <array>
#include <optional>
#include <string_view>

namespace actas::domain {

enum class notification_kind {
  impersonation_started,
  impersonation_ended,
  impersonation_message,
  support_request,
  support_granted,
  support_ending_soon,
  support_revoked,
  support_expired,
  support_denied,
};

inline constexpr std::array all_notification_kinds{
  notification_kind::impersonation_started, notification_kind::impersonation_ended,
  notification_kind::impersonation_message, notification_kind::support_request,
  notification_kind::support_granted,       notification_kind::support_ending_soon,
  notification_kind::support_revoked,       notification_kind::support_expired,
  notification_kind::support_denied,
};

std::string_view to_string(notification_kind k);
std::optional<notification_kind> notification_kind_from_string(std::string_view name);

} // namespace actas::domain
