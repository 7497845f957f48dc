#include "net/router.hpp"

#include <algorithm>

#include "domain/text.hpp"

namespace actas::net {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!domain::is_valid_utf8(out)) return std::nullopt;
  return out;
}

decoded<target> parse_target(std::string_view raw) {
  target t;
  const auto q = raw.find('?');
  t.path = std::string(raw.substr(0, q));
  if (!domain::is_valid_utf8(t.path)) return decode_error{"the path is not valid UTF-8"};
  if (q == std::string_view::npos) return t;
  auto query = raw.substr(q + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  auto fields = parse_form(query);
  if (auto* e = std::get_if<decode_error>(&fields)) return decode_error{"the query string " + e->message};
  t.query = std::move(std::get<std::map<std::string, std::string>>(fields));
  return t;
}

decoded<std::map<std::string, std::string>> parse_form(std::string_view raw) {
  std::map<std::string, std::string> out;
  for (auto pair : split(raw, '&')) {
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) return decode_error{"has a bad percent escape or invalid UTF-8"};
    if (out.contains(*key)) return decode_error{"gives the parameter '" + *key + "' twice"};
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

void router::add(std::string method, std::string_view pattern, handler h, body_formats formats) {
  route r{std::move(method), std::string(pattern), {}, std::move(h), formats};
  for (auto s : split(pattern, '/')) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool router::matches(const route& r, const std::vector<std::string_view>& segments, match* m) {
  if (r.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (is_param(r.segments[i])) {
      auto value = percent_decode(segments[i], false);
      if (!value || value->empty()) return false;
      if (m) m->params.emplace(r.segments[i].substr(1, r.segments[i].size() - 2), std::move(*value));
    } else if (r.segments[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

std::optional<router::match> router::find(std::string_view method, std::string_view path) const {
  const auto segments = split(path, '/');
  for (const auto& r : routes_) {
    if (r.method != method) continue;
    match m;
    if (!matches(r, segments, &m)) continue;
    m.h = &r.h;
    m.pattern = &r.pattern;
    m.formats = r.formats;
    return m;
  }
  return std::nullopt;
}

std::vector<std::string> router::methods_at(std::string_view path) const {
  const auto segments = split(path, '/');
  std::vector<std::string> out;
  for (const auto& r : routes_)
    if (matches(r, segments, nullptr) && std::find(out.begin(), out.end(), r.method) == out.end())
      out.push_back(r.method);
  return out;
}

std::vector<router::route_key> router::routes() const {
  std::vector<route_key> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

} // namespace actas::net
