#pragma once
/// Settings as the nested JSON of SPEC §1 ({"impersonation": {"enabled": true}, "notifications": {…}}).
#include <variant>

#include <nlohmann/json.hpp>

#include "domain/settings.hpp"

namespace actas::codec {

/// The full effective settings, every field present.
nlohmann::json encode(const domain::realm_settings& s);

/// Only the fields the patch sets.
nlohmann::json encode(const domain::settings_patch& p);

/// Strict decode: unknown keys, wrong types, unknown roles/consents/notification kinds are refused with a
/// settings_error naming the dotted field (e.g. "impersonation.allowed_targets.admin").
std::variant<domain::settings_patch, domain::settings_error> decode_settings_patch(const nlohmann::json& j);

} // namespace actas::codec
