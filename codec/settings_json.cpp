#include "codec/settings_json.hpp"

#include <cstdint>
#include <limits>
#include <string>

namespace actas::codec {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------- encode

json role_list(const std::set<domain::role>& roles) {
  json out = json::array();
  for (auto r : roles) out.push_back(std::string(domain::to_string(r)));
  return out;
}

json targets_json(const std::map<domain::role, std::set<domain::role>>& targets) {
  json out = json::object();
  for (const auto& [caller, allowed] : targets) out[std::string(domain::to_string(caller))] = role_list(allowed);
  return out;
}

json consent_list(const std::set<domain::consent>& consents) {
  json out = json::array();
  for (auto c : consents) out.push_back(std::string(domain::to_string(c)));
  return out;
}

// Sets out[key] only when the optional holds a value: a patch names only what someone set.
template <class T>
void put(json& out, const char* key, const std::optional<T>& v) {
  if (v) out[key] = *v;
}

// ---------------------------------------------------------------- decode

// Thrown inside the decoder only; decode_settings_patch turns it into the returned settings_error.
struct refused {
  domain::settings_error error;
};

[[noreturn]] void refuse(std::string field, std::string message) {
  throw refused{{std::move(field), std::move(message)}};
}

const json& object_at(const json& v, const std::string& field) {
  if (!v.is_object()) refuse(field, "must be a JSON object");
  return v;
}

bool boolean_at(const json& v, const std::string& field) {
  if (!v.is_boolean()) refuse(field, "must be true or false");
  return v.get<bool>();
}

// Every integer setting is a duration or a length: a negative value or a fraction is never meaningful.
std::int64_t count_at(const json& v, const std::string& field) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) refuse(field, "is too large");
    return static_cast<std::int64_t>(u);
  }
  if (!v.is_number_integer()) refuse(field, "must be a whole number");
  auto i = v.get<std::int64_t>();
  if (i < 0) refuse(field, "must not be negative");
  return i;
}

std::string text_at(const json& v, const std::string& field) {
  if (!v.is_string()) refuse(field, "must be a string");
  return v.get<std::string>();
}

const json& array_at(const json& v, const std::string& field) {
  if (!v.is_array()) refuse(field, "must be a JSON array");
  return v;
}

domain::role role_at(const json& v, const std::string& field) {
  auto name = text_at(v, field);
  auto r = domain::role_from_string(name);
  if (!r) refuse(field, "unknown role \"" + name + "\"");
  return *r;
}

std::set<domain::role> roles_at(const json& v, const std::string& field) {
  std::set<domain::role> out;
  for (const auto& item : array_at(v, field)) out.insert(role_at(item, field));
  return out;
}

using impersonation_part = domain::settings_patch::impersonation_part;
using support_part = domain::settings_patch::support_part;
using template_part = domain::settings_patch::template_part;

void decode_impersonation(const json& j, impersonation_part& p) {
  for (const auto& [key, v] : object_at(j, "impersonation").items()) {
    const std::string field = "impersonation." + key;
    if (key == "enabled") p.enabled = boolean_at(v, field);
    else if (key == "max_duration_s") p.max_duration_s = count_at(v, field);
    else if (key == "warn_before_s") p.warn_before_s = count_at(v, field);
    else if (key == "reason_min_length") p.reason_min_length = count_at(v, field);
    else if (key == "exclusive") p.exclusive = boolean_at(v, field);
    else if (key == "target_can_end") p.target_can_end = boolean_at(v, field);
    else if (key == "show_target_live") p.show_target_live = boolean_at(v, field);
    else if (key == "require_consent") {
      std::set<domain::consent> consents;
      for (const auto& item : array_at(v, field)) {
        auto name = text_at(item, field);
        auto c = domain::consent_from_string(name);
        if (!c) refuse(field, "unknown consent \"" + name + "\" (known: terms, privacy)");
        consents.insert(*c);
      }
      p.require_consent = std::move(consents);
    } else if (key == "allowed_targets") {
      std::map<domain::role, std::set<domain::role>> targets;
      for (const auto& [caller, allowed] : object_at(v, field).items()) {
        const std::string caller_field = field + "." + caller;
        auto r = domain::role_from_string(caller);
        if (!r) refuse(caller_field, "unknown role \"" + caller + "\"");
        targets[*r] = roles_at(allowed, caller_field);
      }
      p.allowed_targets = std::move(targets);
    } else if (key == "restricted_actions") {
      std::vector<std::string> actions;
      for (const auto& item : array_at(v, field)) actions.push_back(text_at(item, field));
      p.restricted_actions = std::move(actions);
    } else {
      refuse(field, "unknown setting");
    }
  }
}

void decode_support(const json& j, support_part& p) {
  for (const auto& [key, v] : object_at(j, "support").items()) {
    const std::string field = "support." + key;
    if (key == "default_duration_s") p.default_duration_s = count_at(v, field);
    else if (key == "max_duration_s") p.max_duration_s = count_at(v, field);
    else if (key == "warn_before_s") p.warn_before_s = count_at(v, field);
    else if (key == "request_ttl_s") p.request_ttl_s = count_at(v, field);
    else refuse(field, "unknown setting");
  }
}

void decode_notifications(const json& j, std::map<domain::notification_kind, template_part>& out) {
  for (const auto& [name, tj] : object_at(j, "notifications").items()) {
    const std::string kind_field = "notifications." + name;
    auto kind = domain::notification_kind_from_string(name);
    if (!kind) refuse(kind_field, "unknown notification kind \"" + name + "\"");
    template_part t;
    for (const auto& [key, v] : object_at(tj, kind_field).items()) {
      const std::string field = kind_field + "." + key;
      if (key == "enabled") t.enabled = boolean_at(v, field);
      else if (key == "title") t.title = text_at(v, field);
      else if (key == "body") t.body = text_at(v, field);
      else refuse(field, "unknown setting");
    }
    out[*kind] = std::move(t);
  }
}

} // namespace

json encode(const domain::realm_settings& s) {
  const auto& i = s.impersonation;
  json imp = {
    {"enabled", i.enabled},
    {"max_duration_s", i.max_duration_s},
    {"warn_before_s", i.warn_before_s},
    {"reason_min_length", i.reason_min_length},
    {"require_consent", consent_list(i.require_consent)},
    {"exclusive", i.exclusive},
    {"target_can_end", i.target_can_end},
    {"show_target_live", i.show_target_live},
    {"allowed_targets", targets_json(i.allowed_targets)},
    {"restricted_actions", i.restricted_actions},
  };
  json support = {
    {"default_duration_s", s.support.default_duration_s},
    {"max_duration_s", s.support.max_duration_s},
    {"warn_before_s", s.support.warn_before_s},
    {"request_ttl_s", s.support.request_ttl_s},
  };
  json notes = json::object();
  for (const auto& [kind, t] : s.notifications)
    notes[std::string(domain::to_string(kind))] = {{"enabled", t.enabled}, {"title", t.title}, {"body", t.body}};
  return {{"impersonation", std::move(imp)}, {"support", std::move(support)}, {"notifications", std::move(notes)}};
}

json encode(const domain::settings_patch& p) {
  json out = json::object();
  const auto& i = p.impersonation;
  json imp = json::object();
  put(imp, "enabled", i.enabled);
  put(imp, "max_duration_s", i.max_duration_s);
  put(imp, "warn_before_s", i.warn_before_s);
  put(imp, "reason_min_length", i.reason_min_length);
  if (i.require_consent) imp["require_consent"] = consent_list(*i.require_consent);
  put(imp, "exclusive", i.exclusive);
  put(imp, "target_can_end", i.target_can_end);
  put(imp, "show_target_live", i.show_target_live);
  if (i.allowed_targets) imp["allowed_targets"] = targets_json(*i.allowed_targets);
  put(imp, "restricted_actions", i.restricted_actions);
  if (!imp.empty()) out["impersonation"] = std::move(imp);

  json support = json::object();
  put(support, "default_duration_s", p.support.default_duration_s);
  put(support, "max_duration_s", p.support.max_duration_s);
  put(support, "warn_before_s", p.support.warn_before_s);
  put(support, "request_ttl_s", p.support.request_ttl_s);
  if (!support.empty()) out["support"] = std::move(support);

  if (!p.notifications.empty()) {
    json notes = json::object();
    for (const auto& [kind, t] : p.notifications) {
      json tj = json::object();  // kept even when empty so a decode gives the same patch back
      put(tj, "enabled", t.enabled);
      put(tj, "title", t.title);
      put(tj, "body", t.body);
      notes[std::string(domain::to_string(kind))] = std::move(tj);
    }
    out["notifications"] = std::move(notes);
  }
  return out;
}

std::variant<domain::settings_patch, domain::settings_error> decode_settings_patch(const json& j) {
  domain::settings_patch p;
  try {
    if (!j.is_object()) refuse("", "settings must be a JSON object");
    for (const auto& [key, v] : j.items()) {
      if (key == "impersonation") decode_impersonation(v, p.impersonation);
      else if (key == "support") decode_support(v, p.support);
      else if (key == "notifications") decode_notifications(v, p.notifications);
      else refuse(key, "unknown settings section (known: impersonation, support, notifications)");
    }
  } catch (refused& r) {
    return std::move(r.error);
  }
  return p;
}

} // namespace actas::codec
