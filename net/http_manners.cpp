#include "net/http_manners.hpp"

#include <algorithm>

namespace actas::net {

void add_security_headers(boost::beast::http::fields& headers) {
  headers.set("Content-Security-Policy", console_csp);
  headers.set("X-Frame-Options", "DENY");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
}

std::string allow_header(std::vector<std::string> methods) {
  if (std::find(methods.begin(), methods.end(), "GET") != methods.end() &&
      std::find(methods.begin(), methods.end(), "HEAD") == methods.end())
    methods.emplace_back("HEAD");
  std::string out;
  for (const auto& m : methods) out += (out.empty() ? "" : ", ") + m;
  return out;
}

} // namespace actas::net
