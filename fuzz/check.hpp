#pragma once
/// What every fuzz target asserts beyond "no crash, no sanitizer report": a broken promise aborts, so
/// libFuzzer keeps the input as a crash.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

namespace actas::fuzz {

/// Aborts with `what` when `ok` is false.
inline void require(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: broken promise: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

/// Every JSON text the server writes must read back as JSON: a client can always parse an answer.
inline nlohmann::json require_json(std::string_view text, std::string_view what) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  require(!j.is_discarded(), what);
  return j;
}

/// An error body of SPEC §6: {"error": {"code", "message", "request_id"}}, all strings.
inline void require_error_body(std::string_view text) {
  const auto j = require_json(text, "an error body is not JSON");
  require(j.is_object() && j.contains("error") && j["error"].is_object(), "an error body has no error object");
  for (const char* key : {"code", "message", "request_id"})
    require(j["error"].contains(key) && j["error"][key].is_string(), "an error body lacks a string field");
}

} // namespace actas::fuzz
