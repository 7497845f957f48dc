#pragma once
/// Strict reading of request bodies: a JSON object whose unknown fields are refused up front, each field
/// read with its type, every refusal naming the field (400 invalid_request).
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/text.hpp"

namespace actas::net {

/// Thrown while reading a body; the handler answers 400 with its message.
struct body_refusal {
  std::string message;
};

/// A client-chosen name quoted in an error message, cut to 64 characters (never inside one).
inline std::string quote_name(std::string_view name) {
  return "'" + domain::truncate_code_points(name, 64, "…") + "'";
}

/// Deepest nesting of objects and arrays a body may have (the body itself is level 1).
inline constexpr int max_json_depth = 64;

/// The body as a JSON object (an empty body counts as `{}` when `empty_ok`); `what` names it in messages.
inline nlohmann::json parse_body(std::string_view body, bool empty_ok = false, std::string_view what = "the body") {
  // RFC 8259 §8.1: a JSON text carries no byte order mark (nlohmann would skip it silently).
  if (body.starts_with("\xEF\xBB\xBF"))
    throw body_refusal{std::string(what) + " starts with a byte order mark; send plain UTF-8 JSON"};
  bool blank = std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  if (blank && empty_ok)
    return nlohmann::json::object();
  // SPEC §6 Robustness: a key given twice (which one counts would depend on the parser) and nesting
  // deeper than max_json_depth are refused, like anything else that is not plain JSON.
  std::vector<std::set<std::string>> keys;  // the keys seen in each open object
  bool duplicate = false, too_deep = false;
  const nlohmann::json::parser_callback_t check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using ev = nlohmann::json::parse_event_t;
    if ((event == ev::object_start || event == ev::array_start) && depth >= max_json_depth) too_deep = true;
    if (event == ev::object_start) keys.emplace_back();
    if (event == ev::object_end && !keys.empty()) keys.pop_back();
    if (event == ev::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) duplicate = true;
    return !too_deep;
  };
  auto j = nlohmann::json::parse(body, check, false);
  if (too_deep)
    throw body_refusal{std::string(what) + " is nested deeper than " + std::to_string(max_json_depth) + " levels"};
  if (j.is_discarded())
    throw body_refusal{std::string(what) + " is not valid JSON"};
  if (duplicate)
    throw body_refusal{std::string(what) + " gives a key more than once"};
  if (!j.is_object())
    throw body_refusal{std::string(what) + " must be a JSON object"};
  return j;
}

class json_reader {
public:
  /// `prefix` names the object in messages ("consents." for a nested one).
  json_reader(const nlohmann::json& j, std::initializer_list<std::string_view> known, std::string prefix = {})
    : j_(j), prefix_(std::move(prefix)) {
    for (const auto& [key, value] : j.items()) {
      (void)value;
      if (std::find(known.begin(), known.end(), key) == known.end())
        throw body_refusal{"unknown field " + quote_name(prefix_ + key)};
    }
  }

  std::optional<std::string> opt_string(const char* name) const {
    auto i = find(name);
    if (!i)
      return std::nullopt;
    if (!i->is_string())
      throw wrong(name, "a string");
    return i->get<std::string>();
  }
  std::string string(const char* name) const { return required(opt_string(name), name); }

  std::optional<bool> opt_bool(const char* name) const {
    auto i = find(name);
    if (!i)
      return std::nullopt;
    if (!i->is_boolean())
      throw wrong(name, "true or false");
    return i->get<bool>();
  }

  std::optional<std::int64_t> opt_int(const char* name) const {
    auto i = find(name);
    if (!i)
      return std::nullopt;
    if (!i->is_number_integer())
      throw wrong(name, "an integer");
    return i->get<std::int64_t>();
  }

  /// A list of strings (at most `most` of them).
  std::optional<std::vector<std::string>> opt_strings(const char* name, std::size_t most = 1000) const {
    auto i = find(name);
    if (!i)
      return std::nullopt;
    if (!i->is_array() || i->size() > most)
      throw wrong(name, "a list of at most " + std::to_string(most) + " strings");
    std::vector<std::string> out;
    for (const auto& v : *i) {
      if (!v.is_string())
        throw wrong(name, "a list of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::vector<std::string> strings(const char* name, std::size_t most = 1000) const {
    return required(opt_strings(name, most), name);
  }

  /// A nested object, or nullopt when absent.
  const nlohmann::json* opt_object(const char* name) const {
    auto i = find(name);
    if (!i)
      return nullptr;
    if (!i->is_object())
      throw wrong(name, "an object");
    return i;
  }

  std::string field(const char* name) const { return prefix_ + name; }

private:
  const nlohmann::json* find(const char* name) const {
    auto i = j_.find(name);
    return i == j_.end() || i->is_null() ? nullptr : &*i;
  }
  body_refusal wrong(const char* name, const std::string& what) const {
    return body_refusal{"'" + prefix_ + name + "' must be " + what};
  }
  template <class T>
  T required(std::optional<T> v, const char* name) const {
    if (!v)
      throw body_refusal{"'" + prefix_ + name + "' is required"};
    return std::move(*v);
  }

  const nlohmann::json& j_;
  std::string prefix_;
};

} // namespace actas::net
