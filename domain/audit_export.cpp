#include "domain/audit_export.hpp"

namespace actas::domain {

namespace {

constexpr std::string_view hash_key = ",\"hash\":\"";
constexpr std::size_t hash_digits = 64;

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

} // namespace

std::string export_line(const audit_event& e) {
  auto text = canonical_json(e);
  text.pop_back();  // the closing brace
  text += hash_key;
  text += e.hash;
  text += "\"}";
  return text;
}

std::optional<export_line_parts> split_export_line(std::string_view line) {
  // ,"hash":"<64 hex>"}
  const auto suffix = hash_key.size() + hash_digits + 2;
  if (line.size() <= suffix || !line.starts_with('{')) return std::nullopt;
  const auto at = line.size() - suffix;
  if (line.substr(at, hash_key.size()) != hash_key || !line.ends_with("\"}")) return std::nullopt;
  const auto hash = line.substr(at + hash_key.size(), hash_digits);
  if (!is_lower_hex(hash)) return std::nullopt;
  return export_line_parts{std::string(line.substr(0, at)) + "}", std::string(hash)};
}

std::string head_message(const std::string& chain, std::int64_t seq, const std::string& hash, timestamp at) {
  return "actas-audit-head/1\n" + chain + "\n" + std::to_string(seq) + "\n" + hash + "\n" + format_utc(at) + "\n";
}

} // namespace actas::domain
