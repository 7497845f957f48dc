#pragma once
/// Listen addresses (HOST:PORT) and browser origins (http(s)://host[:port]): parsing, normalising and the
/// loopback test that --demo depends on.
#include <cstdint>
#include <string>
#include <string_view>

namespace actas::app {

struct host_port {
  std::string host;  ///< IPv6 without brackets
  std::uint16_t port = 0;
};

/// Parses "HOST:PORT" (IPv6 as "[::1]:8080"); port 1–65535 (0 too when `any_port_ok`: "any free port");
/// host an IPv4 address, a bracketed IPv6 address or a DNS name. Throws std::invalid_argument with a
/// sentence starting with `where`.
host_port parse_host_port(std::string_view text, std::string_view where, bool any_port_ok = false);

/// Checks and normalises an origin as browsers send it: scheme http or https, a host, an optional port,
/// nothing else (no path, not even "/", no user info, query or fragment). Lowercases scheme and host and
/// drops the scheme's default port. Throws std::invalid_argument naming `where`.
std::string normalize_origin(std::string_view text, std::string_view where);

/// "scheme://host:port" as a browser would write it (IPv6 in brackets, default port omitted).
std::string origin_of(std::string_view scheme, std::string_view host, std::uint16_t port);

/// True for 127.0.0.0/8, ::1 (also ::ffff:127.x.y.z) and "localhost"; brackets around IPv6 are allowed.
bool is_loopback_host(std::string_view host);

} // namespace actas::app
