#pragma once
/// Strict reading of request bodies: a JSON object whose unknown fields are refused up front, each field
/// read with its type, every refusal naming the field (400 invalid_request).
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace actas::net {

/// Thrown while reading a body; the handler answers 400 with its message.
struct body_refusal {
  std::string message;
};

/// A client-chosen name quoted in an error message, cut to a sane length.
inline std::string quote_name(std::string_view name) {
  constexpr std::size_t most = 64;
  return "'" + std::string(name.substr(0, most)) + (name.size() > most ? "…'" : "'");
}

/// The body as a JSON object (an empty body counts as `{}` when `empty_ok`); `what` names it in messages.
inline nlohmann::json parse_body(std::string_view body, bool empty_ok = false, std::string_view what = "the body") {
  bool blank = std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  if (blank && empty_ok)
    return nlohmann::json::object();
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded())
    throw body_refusal{std::string(what) + " is not valid JSON"};
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
