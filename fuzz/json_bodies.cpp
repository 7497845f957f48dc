// Every JSON body decoder of the API, chosen by the input's first byte; the rest is the body. A refusal
// must be a value (decode_error, settings_error) or a body_refusal, never another exception, and its
// message must make a valid error body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "codec/settings_json.hpp"
#include "fuzz/check.hpp"
#include "net/codec.hpp"
#include "net/codec_policy.hpp"
#include "net/errors.hpp"

namespace {

using namespace actas;

void refused(const std::string& message) {
  fuzz::require(!message.empty(), "a refusal without a message");
  fuzz::require_error_body(net::error_body(domain::errc::invalid_request, message, "req_fuzz"));
}

/// The decoders that answer a variant: a decode_error is a refusal.
template <class T>
void check(const net::decoded<T>& d) {
  if (const auto* e = std::get_if<net::decode_error>(&d)) refused(e->message);
}

/// The decoders that throw body_refusal (net/codec_policy.hpp, net/json_reader.hpp).
template <class F>
void check_throwing(F&& decode) {
  try {
    decode();
  } catch (const net::body_refusal& r) {
    refused(r.message);
  }
}

void settings_patch(std::string_view body) {
  check_throwing([&] {
    auto decoded = codec::decode_settings_patch(net::parse_body(body));
    if (const auto* e = std::get_if<domain::settings_error>(&decoded)) refused(e->field + ": " + e->message);
  });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 11) {
    case 0: check(net::decode_login(body)); break;
    case 1: check(net::decode_start(body)); break;
    case 2: check(net::decode_end(body)); break;
    case 3: check(net::decode_token(body)); break;
    case 4: check(net::decode_empty(body)); break;
    case 5: check(net::decode_client_frame(body)); break;
    case 6: check_throwing([&] { net::decode_new_user(body); }); break;
    case 7: check_throwing([&] { net::decode_user_patch(body); }); break;
    case 8: check_throwing([&] { net::decode_new_realm(body); }); break;
    case 9: check_throwing([&] { net::decode_new_portal(body); }); break;
    default: settings_patch(body); break;
  }
  return 0;
}
