#pragma once
/// The JSON form of a signed audit head (SPEC §10), the same in GET /v1/audit/verify answers, in the last
/// line of `actas audit export` and in a head file `actas audit verify --head` reads:
/// {"chain", "seq", "hash", "at", "key_id", "signature"}.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "domain/audit_export.hpp"

namespace actas::codec {

nlohmann::json encode(const domain::signed_head& h);

/// The head in `j` (or in `j["head"]`, or in `j["signed_head"]`: an export's last line or a verify answer
/// saved whole); nullopt when it is not one.
std::optional<domain::signed_head> decode_signed_head(const nlohmann::json& j);

} // namespace actas::codec
