// PATCH /v1/portals/{id}/settings as the registry handles it (actors/registry_policy.cpp): the body is
// decoded, folded onto the stored override (merge), applied to the defaults (a top-level portal) or
// tightened onto the parent (a sub-portal), then validated and checked to only tighten. The input is
// "stored override\nPATCH body"; without a newline there is no stored override.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "codec/settings_json.hpp"
#include "fuzz/check.hpp"
#include "net/errors.hpp"
#include "net/json_reader.hpp"

namespace {

using namespace actas;

/// The patch in `body`, or nullopt after checking its refusal's error body.
std::optional<domain::settings_patch> decode(std::string_view body) {
  try {
    auto decoded = codec::decode_settings_patch(net::parse_body(body));
    if (auto* p = std::get_if<domain::settings_patch>(&decoded)) return std::move(*p);
    const auto& e = std::get<domain::settings_error>(decoded);
    fuzz::require_error_body(net::error_body(domain::errc::invalid_request, e.field + ": " + e.message, "req_fuzz"));
  } catch (const net::body_refusal& r) {
    fuzz::require_error_body(net::error_body(domain::errc::invalid_request, r.message, "req_fuzz"));
  }
  return std::nullopt;
}

/// What the registry stores and audits must survive its own JSON form unchanged (strict dump: the
/// audit's detail is written with it).
void require_round_trip(const domain::settings_patch& p) {
  const auto once = codec::encode(p);
  auto again = codec::decode_settings_patch(once);
  fuzz::require(std::holds_alternative<domain::settings_patch>(again), "an encoded patch does not decode");
  fuzz::require(codec::encode(std::get<domain::settings_patch>(again)) == once, "a patch changed in a round trip");
  (void)once.dump();
}

void require_settings_error(const std::optional<domain::settings_error>& e) {
  if (e) fuzz::require_error_body(net::error_body(domain::errc::invalid_request, e->field + ": " + e->message, "req_fuzz"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  domain::settings_patch before;
  if (const auto nl = in.find('\n'); nl != std::string_view::npos) {
    auto stored = decode(in.substr(0, nl));
    if (!stored) return 0;
    before = std::move(*stored);
    in.remove_prefix(nl + 1);
  }
  auto patch = decode(in);
  if (!patch) return 0;
  require_round_trip(*patch);
  const auto after = domain::merge(before, *patch);
  require_round_trip(after);

  // A top-level portal: the defaults with the override applied.
  const auto top = domain::apply(domain::default_settings(), after);
  const auto top_error = domain::validate(*patch, top);
  require_settings_error(top_error);
  (void)codec::encode(top).dump();

  // A sub-portal under a parent that allows impersonation: stricter wins, field by field.
  auto parent = domain::default_settings();
  parent.impersonation.enabled = true;
  const auto sub = domain::tighten(parent, after);
  const auto sub_error = domain::validate(*patch, sub);
  require_settings_error(sub_error);
  require_settings_error(domain::check_tightens(parent, domain::apply(parent, *patch)));
  (void)codec::encode(sub).dump();
  // tighten() promises a result that is never looser than the parent.
  fuzz::require(!domain::check_tightens(parent, sub), "tighten() loosened the parent");
  return 0;
}
