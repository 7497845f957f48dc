#include "codec/audit_head_json.hpp"

namespace actas::codec {

nlohmann::json encode(const domain::signed_head& h) {
  return {{"chain", h.chain},          {"seq", h.seq},         {"hash", h.hash},
          {"at", domain::format_utc(h.at)}, {"key_id", h.key_id}, {"signature", h.signature}};
}

std::optional<domain::signed_head> decode_signed_head(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  for (const char* wrapper : {"head", "signed_head"})
    if (j.contains(wrapper) && j[wrapper].is_object()) return decode_signed_head(j[wrapper]);
  const auto text = [&](const char* k) { return j.contains(k) && j[k].is_string(); };
  if (!text("chain") || !text("hash") || !text("at") || !text("key_id") || !text("signature") ||
      !j.contains("seq") || !j["seq"].is_number_integer())
    return std::nullopt;
  const auto at = domain::parse_utc(j["at"].get<std::string>());
  if (!at) return std::nullopt;
  return domain::signed_head{j["chain"], j["seq"].get<std::int64_t>(), j["hash"], *at, j["key_id"], j["signature"]};
}

} // namespace actas::codec
