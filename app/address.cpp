#include "app/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace actas::app {

namespace {

[[noreturn]] void fail(std::string_view where, const std::string& what) {
  throw std::invalid_argument(std::string(where) + ": " + what);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

/// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto dot = s.find('.', start);
    const auto label = s.substr(start, (dot == std::string_view::npos ? s.size() : dot) - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label)
      if (!std::isalnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // All-numeric names ("999.1.1.1", "8080") are mistyped addresses, not names.
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
}

std::uint16_t parse_port(std::string_view text, std::string_view where, std::string_view whole, bool zero_ok = false) {
  if (text.empty()) fail(where, "'" + std::string(whole) + "' has no port after ':'");
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    fail(where, "port '" + std::string(text) + "' of '" + std::string(whole) + "' is not a number from 1 to 65535");
  const long value = std::stol(std::string(text));
  const long lowest = zero_ok ? 0 : 1;
  if (value < lowest || value > 65535)
    fail(where, "port " + std::to_string(value) + " of '" + std::string(whole) + "' is out of range (" +
                    std::to_string(lowest) + "–65535)");
  return static_cast<std::uint16_t>(value);
}

struct split {
  std::string host;                      ///< checked, without brackets
  std::optional<std::string_view> port;  ///< the text after ':' when there is one
};

/// Splits "host[:port]" / "[v6][:port]".
split split_host(std::string_view text, std::string_view where, bool port_required) {
  std::string host;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) fail(where, "'" + std::string(text) + "' lacks the closing ']'");
    host = std::string(text.substr(1, close - 1));
    if (!is_ipv6(host)) fail(where, "'" + host + "' is not an IPv6 address");
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':')
      fail(where, "'" + std::string(text) + "' has text after ']' that is not ':PORT'");
  } else {
    const auto colon = text.rfind(':');
    host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) rest = text.substr(colon);
    if (host.find(':') != std::string::npos)
      fail(where, "IPv6 addresses go in brackets, e.g. [::1]:8080, not '" + std::string(text) + "'");
    if (host.empty()) fail(where, "'" + std::string(text) + "' has no host");
    const bool numeric = std::all_of(host.begin(), host.end(),
                                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
    if (numeric ? !is_ipv4(host) : !is_dns_name(host))
      fail(where, "'" + host + "' is neither an IPv4 address, a bracketed IPv6 address nor a host name");
  }
  if (port_required && rest.empty()) fail(where, "'" + std::string(text) + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
  if (rest.empty()) return {host, std::nullopt};
  return {host, rest.substr(1)};
}

} // namespace

host_port parse_host_port(std::string_view text, std::string_view where, bool any_port_ok) {
  auto parts = split_host(text, where, true);
  return {lower(parts.host), parse_port(*parts.port, where, text, any_port_ok)};
}

std::string normalize_origin(std::string_view text, std::string_view where) {
  const auto bad = [&](const std::string& why) {
    fail(where, "origin '" + std::string(text) + "' " + why + "; write it as http(s)://host[:port]");
  };
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) bad("has no scheme");
  const auto scheme = lower(text.substr(0, sep));
  if (scheme != "http" && scheme != "https") bad("must use http or https");
  const auto authority = text.substr(sep + 3);
  if (authority.find_first_of("/?#") != std::string_view::npos) bad("has a path, query or fragment");
  if (authority.find('@') != std::string_view::npos) bad("has user information");
  if (authority.empty()) bad("has no host");
  const auto parts = split_host(authority, where, false);
  const std::uint16_t port = parts.port ? parse_port(*parts.port, where, text) : (scheme == "https" ? 443 : 80);
  return origin_of(scheme, lower(parts.host), port);
}

std::string origin_of(std::string_view scheme, std::string_view host, std::uint16_t port) {
  std::string out(scheme);
  out += "://";
  if (host.find(':') != std::string_view::npos)
    out += "[" + std::string(host) + "]";
  else
    out += host;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto h = lower(host);
  if (h == "localhost" || h == "localhost.") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  return false;
}

} // namespace actas::app
