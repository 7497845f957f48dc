#pragma once
/// Method + path → handler, with `{name}` path parameters and percent-decoded query strings.
#include <compare>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/call.hpp"
#include "net/codec.hpp"

namespace actas::net {

using handler = std::function<void(call_ptr)>;

/// A request target split into its path and its decoded query.
struct target {
  std::string path;
  std::map<std::string, std::string> query;
};

/// Splits "/a/b?x=1&y=%20" into path and query. Refuses bad percent escapes, invalid UTF-8 after
/// decoding and a parameter given twice.
decoded<target> parse_target(std::string_view raw);

/// An `application/x-www-form-urlencoded` body (or a query string without its '?'): the same rules as a
/// query string.
decoded<std::map<std::string, std::string>> parse_form(std::string_view raw);

/// Which bodies a route takes besides JSON.
enum class body_formats { json, json_or_form };

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt for a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

class router {
public:
  /// `pattern` is a path whose segments may be `{name}` (e.g. "/v1/impersonations/{id}/end").
  void add(std::string method, std::string_view pattern, handler h, body_formats formats = body_formats::json);

  struct match {
    const handler* h = nullptr;
    const std::string* pattern = nullptr;  ///< as added, e.g. "/v1/impersonations/{id}/end"
    body_formats formats = body_formats::json;
    std::map<std::string, std::string> params;
  };
  /// The route for `method` and the (raw) `path`; nullopt when none matches (or a parameter segment does
  /// not decode).
  std::optional<match> find(std::string_view method, std::string_view path) const;

  /// Every method some route answers at `path`, in the order they were added (for 405's `Allow`);
  /// empty when no route matches the path at all (404).
  std::vector<std::string> methods_at(std::string_view path) const;

  /// One route as added: its method and pattern.
  struct route_key {
    std::string method;
    std::string pattern;
    auto operator<=>(const route_key&) const = default;
  };
  /// Every route, in the order they were added: what docs/openapi.json must describe, no more and no less
  /// (tests/net/openapi_test.cpp holds the two side by side).
  std::vector<route_key> routes() const;

private:
  struct route;
  static bool matches(const route& r, const std::vector<std::string_view>& segments, match* m);

  struct route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  ///< "{name}" marks a parameter
    handler h;
    body_formats formats = body_formats::json;
  };
  std::vector<route> routes_;
};

} // namespace actas::net
