// Forward auth's reading of a proxied request (SPEC §9): the path a proxy forwards is decoded and
// normalised, then matched against rule globs. The input is "GLOB\nPATH". A normalised path starts with '/',
// holds no empty, "." or ".." segment, is UTF-8, and normalises to itself; "/**" matches every one of them;
// a rule that passes its check never throws; matching always ends (libFuzzer's timeout catches a blow-up).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/forward_auth.hpp"
#include "domain/text.hpp"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace actas;
  using namespace actas::domain;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto glob = input.substr(0, newline);
  const auto raw = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

  const auto path = normalized_forward_path(raw);
  if (!path) return 0;
  fuzz::require(path->starts_with('/'), "a normalised path does not start with '/'");
  fuzz::require(is_valid_utf8(*path), "a normalised path is not UTF-8");
  fuzz::require(path->find("//") == std::string::npos, "a normalised path keeps an empty segment");
  fuzz::require(path->find("/./") == std::string::npos && path->find("/../") == std::string::npos &&
                  !path->ends_with("/..") && !path->ends_with("/."),
                "a normalised path keeps a dot segment");
  fuzz::require(normalized_forward_path(*path) == path, "normalising twice changes the path");
  fuzz::require(forward_glob_matches("/**", *path), "/** does not match a path");

  const forward_rule rule{"GET", std::string(glob), "fuzz.rule"};
  if (forward_rule_problem(rule)) return 0;
  const bool matched = forward_glob_matches(rule.path, *path);
  const auto action = forward_action({rule}, "GET", *path);
  fuzz::require(action == (matched ? "fuzz.rule" : "http.get"), "forward_action disagrees with the glob");
  return 0;
}
