// Request targets and their query strings: parse_target, the router's path parameters and the handlers'
// query readers (only_query, query_int). Decoded keys, values and parameters are valid UTF-8, a refusal
// makes a valid error body, and an integer that passes lies inside its bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/text.hpp"
#include "fuzz/check.hpp"
#include "net/errors.hpp"
#include "net/handlers.hpp"
#include "net/reply.hpp"

namespace {

using namespace actas;

const net::router& routes() {
  static const net::router r = net::api_routes();
  return r;
}

/// A call whose answers are checked as error bodies.
struct checked_call {
  net::call c;
  int answers = 0;
  checked_call() {
    c.req.request_id = "req_fuzz";
    c.respond = [this](net::response r) {
      ++answers;
      fuzz::require(r.status == 400, "a query refusal is not 400");
      fuzz::require_error_body(r.body);
    };
  }
};

void read_query(const std::map<std::string, std::string>& query) {
  checked_call q;
  q.c.req.query = query;
  const bool known = net::only_query(q.c, {"state", "limit", "after_seq", "chain"});
  fuzz::require(known == (q.answers == 0), "only_query answered and accepted");
  for (const auto& [key, value] : query) {
    (void)value;
    checked_call n;
    n.c.req.query = query;
    std::int64_t out = -7;
    const bool ok = net::query_int(n.c, key, 1, 500, out);
    fuzz::require(ok == (n.answers == 0), "query_int answered and accepted");
    fuzz::require(!ok || (out >= 1 && out <= 500), "query_int accepted a value outside its bounds");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto parsed = net::parse_target(raw);
  if (const auto* e = std::get_if<net::decode_error>(&parsed)) {
    fuzz::require_error_body(net::error_body(domain::errc::invalid_request, e->message, "req_fuzz"));
    return 0;
  }
  const auto& t = std::get<net::target>(parsed);
  fuzz::require(raw.starts_with(t.path), "the path is not the target's start");
  for (const auto& [key, value] : t.query)
    fuzz::require(domain::is_valid_utf8(key) && domain::is_valid_utf8(value), "a decoded query is not UTF-8");
  read_query(t.query);
  for (const char* method : {"GET", "POST", "PATCH", "PUT"}) {
    const auto match = routes().find(method, t.path);
    if (!match) {
      fuzz::require_error_body(net::error_body(domain::errc::not_found, "no route for " + t.path, "req_fuzz"));
      continue;
    }
    for (const auto& [name, value] : match->params)
      fuzz::require(!value.empty() && domain::is_valid_utf8(value), "a path parameter is empty or not UTF-8");
  }
  return 0;
}
