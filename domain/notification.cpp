#include "domain/notification.hpp"

#include <algorithm>
#include <utility>

namespace actas::domain {

namespace {

constexpr std::array<std::pair<notification_kind, std::string_view>, 9> kind_names{{
  {notification_kind::impersonation_started, "impersonation_started"},
  {notification_kind::impersonation_ended, "impersonation_ended"},
  {notification_kind::impersonation_message, "impersonation_message"},
  {notification_kind::support_request, "support_request"},
  {notification_kind::support_granted, "support_granted"},
  {notification_kind::support_ending_soon, "support_ending_soon"},
  {notification_kind::support_revoked, "support_revoked"},
  {notification_kind::support_expired, "support_expired"},
  {notification_kind::support_denied, "support_denied"},
}};

// Calls `on_text` for literal runs and `on_name` for each "{name}". A "{" without a closing "}" (or with
// another "{" before it) is literal text, so render and unknown_placeholders read templates alike.
template <typename OnText, typename OnName>
void scan(std::string_view text, OnText on_text, OnName on_name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::size_t nested = text.find('{', open + 1);
    if (nested < close) {  // "{a {b}": the first brace is literal
      on_text(text.substr(pos, nested - pos));
      pos = nested;
      continue;
    }
    on_text(text.substr(pos, open - pos));
    on_name(text.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  on_text(text.substr(pos));
}

bool is_known(std::string_view name) {
  return std::find(known_placeholders.begin(), known_placeholders.end(), name) != known_placeholders.end();
}

} // namespace

std::string_view to_string(notification_kind k) {
  for (const auto& [v, name] : kind_names)
    if (v == k) return name;
  return "unknown";
}

std::optional<notification_kind> notification_kind_from_string(std::string_view name) {
  for (const auto& [v, n] : kind_names)
    if (n == name) return v;
  return std::nullopt;
}

std::vector<std::string> unknown_placeholders(std::string_view text) {
  std::vector<std::string> unknown;
  scan(
    text, [](std::string_view) {},
    [&](std::string_view name) {
      if (!is_known(name) && std::find(unknown.begin(), unknown.end(), name) == unknown.end())
        unknown.emplace_back(name);
    });
  return unknown;
}

notification_template default_template(notification_kind k) {
  switch (k) {
    case notification_kind::impersonation_started:
      return {true, "An administrator signed in to your account",
              "{actor_name} signed in to your account at {started_at}. Reason: {reason}"};
    case notification_kind::impersonation_ended:
      return {true, "An administrator signed out of your account",
              "{actor_name} left your account at {ended_at}."};
    case notification_kind::impersonation_message:
      return {true, "A message from {actor_name}", "{actor_name} left you a message: {message}"};
    case notification_kind::support_request:
      return {true, "Support asks for access to {portal_name}",
              "{actor_name} from support asks for temporary admin access to {portal_name} (ticket "
              "{ticket}). Reason: {reason}"};
    case notification_kind::support_granted:
      return {true, "Support access to {portal_name} granted",
              "Support has temporary admin access to {portal_name} until {expires_at} (ticket {ticket})."};
    case notification_kind::support_ending_soon:
      return {true, "Support access to {portal_name} ends soon",
              "Temporary admin access to {portal_name} ends at {expires_at} (ticket {ticket})."};
    case notification_kind::support_revoked:
      return {true, "Support access to {portal_name} revoked",
              "{actor_name} revoked temporary admin access to {portal_name} (ticket {ticket})."};
    case notification_kind::support_expired:
      return {true, "Support access to {portal_name} expired",
              "Temporary admin access to {portal_name} expired at {expires_at} (ticket {ticket})."};
    case notification_kind::support_denied:
      return {true, "Support request for {portal_name} denied",
              "{actor_name} denied the request for access to {portal_name} (ticket {ticket})."};
  }
  return {};
}

std::string render(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  scan(
    text, [&](std::string_view literal) { out.append(literal); },
    [&](std::string_view name) {
      if (const auto it = values.find(std::string{name}); it != values.end()) out.append(it->second);
    });
  return out;
}

std::optional<rendered> render_notification(const realm_settings& settings, notification_kind k,
                                            const std::map<std::string, std::string>& values) {
  // A settings value without this kind (never the case after default_settings) falls back to the default.
  const auto it = settings.notifications.find(k);
  const notification_template t = it != settings.notifications.end() ? it->second : default_template(k);
  if (!t.enabled) return std::nullopt;
  return rendered{render(t.title, values), render(t.body, values)};
}

} // namespace actas::domain
