#pragma once
/// What every answer says about itself beyond its body (SPEC §10 "Console headers", RFC 9110 on HEAD and
/// 405): the security headers, and which methods a path answers.
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>

namespace actas::net {

/// The console's Content-Security-Policy: its own scripts, styles and WebSocket only, no inline script, no
/// foreign origin, never framed. ('self' covers ws:/wss: to the same host in CSP Level 3 browsers.)
inline constexpr std::string_view console_csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Sets the four headers of SPEC §10 on an answer. Every answer gets them, not only the console's: on a JSON
/// answer they cost a few bytes and keep a browser from sniffing, framing or leaking it.
void add_security_headers(boost::beast::http::fields& headers);

/// The `Allow` value for the methods a route table answers at one path: HEAD is added wherever GET is
/// (a HEAD is answered as the GET without its body). Empty when `methods` is.
std::string allow_header(std::vector<std::string> methods);

} // namespace actas::net
