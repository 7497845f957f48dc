// The whole HTTP request path on outside bytes: Beast's request parser (the server's limits), the
// target's path and query, the static files, the router, every handler's body decoders, and the error
// bodies. The actors are replaced by "no registry": every question a handler asks is answered at once
// with CAF's receiver-down error (503), so each input ends in exactly one answer, synchronously.
//
// The per-request steps mirror net/http_session.cpp (on_read, handle, refuse), which keeps them inside
// a socket-bound class; keep the two in step.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <spdlog/spdlog.h>

#include "fuzz/check.hpp"
#include "net/errors.hpp"
#include "net/handlers.hpp"
#include "net/http_session.hpp"
#include "web/assets.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace actas;

/// CAF's test scheduler: no worker or clock thread, so a request that reaches the bridge is answered
/// inside the call and nothing runs between inputs.
caf::actor_system_config& test_config() {
  static caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

struct world {
  // Every refused ask logs an error line; millions of them would only slow the fuzzer down.
  bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  caf::actor_system system{test_config()};
  std::shared_ptr<net::services> sv = [this] {
    auto s = std::make_shared<net::services>();
    s->system = &system;  // the registry handle stays empty: every ask answers receiver-down
    s->service_keys = {"fuzz-service-key"};
    s->allowed_origins = {"http://127.0.0.1:8080"};
    return s;
  }();
  net::router routes = net::api_routes();
};

/// Never destroyed: CAF's globals may be gone by the time static destructors run at exit.
world& the_world() {
  static world* w = new world;
  return *w;
}

constexpr std::string_view request_id = "req_fuzz";

void require_answer(const net::response& r) {
  fuzz::require(r.status >= 200 && r.status <= 599, "an answer has no HTTP status");
  if (r.content_type != "application/json") return;  // a static file
  if (r.status >= 400)
    fuzz::require_error_body(r.body);
  else
    fuzz::require_json(r.body, "a success answer is not JSON");
}

/// http_session::refuse: an unreadable request gets an error body before the connection closes.
void refuse(actas::domain::errc code, const std::string& message) {
  require_answer({net::http_status(code), net::error_body(code, message, request_id)});
}

/// http_session::handle with a stub connection: answers are checked instead of written.
void handle(http::request<http::string_body> req) {
  auto& w = the_world();
  std::vector<net::response> answers;
  auto c = std::make_shared<net::call>();
  c->sv = w.sv;
  c->req.request_id = std::string(request_id);
  c->req.ip = "192.0.2.1";
  c->req.method = std::string(req.method_string());
  c->req.body = std::move(req.body());
  if (auto i = req.find(http::field::authorization); i != req.end()) c->req.authorization = std::string(i->value());
  if (auto i = req.find(http::field::origin); i != req.end()) c->req.origin = std::string(i->value());
  c->req.websocket_upgrade = beast::websocket::is_upgrade(req);
  c->respond = [&answers](net::response r) { answers.push_back(std::move(r)); };
  c->post = [](net::task t) { t(); };

  auto t = net::parse_target(std::string_view(req.target().data(), req.target().size()));
  if (auto* e = std::get_if<net::decode_error>(&t))
    return refuse(actas::domain::errc::invalid_request, e->message);
  auto& parsed = std::get<net::target>(t);
  c->req.path = std::move(parsed.path);
  c->req.query = std::move(parsed.query);
  if (c->req.method == "GET" && (c->req.path == "/" || c->req.path.starts_with("/assets/")) && web::find(c->req.path))
    return;  // a static file from the embedded table: no decoder runs
  auto route = w.routes.find(c->req.method, c->req.path);
  if (!route)
    return refuse(actas::domain::errc::not_found, "no route for " + c->req.method + " " + c->req.path);
  c->req.params = std::move(route->params);
  if (c->req.websocket_upgrade) c->upgrade = [](actors::principal, std::string) {};
  (*route->h)(c);
  fuzz::require(answers.size() == 1, "a request was not answered exactly once");
  require_answer(answers.front());
}

/// One request from the front of `in` (pipelined requests follow it); false when the parse ended.
bool one_request(std::string_view& in) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(net::max_body_bytes);
  parser.header_limit(net::max_header_bytes);
  beast::error_code ec;
  while (!in.empty() && !parser.is_done()) {
    const auto used = parser.put(boost::asio::const_buffer(in.data(), in.size()), ec);
    in.remove_prefix(used);
    // The whole input is already in the buffer, so "need more" means it ended. Presenting the same bytes
    // again is not what a reader does (it calls again only with more bytes), and Beast asserts on it
    // (basic_parser.ipp `n >= 5` after a final chunk header; found by this target, kept in regressions/).
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
  }
  if (!ec && !parser.is_done()) {
    // The client closed the connection: a request cut short is an error, silence before it is not.
    if (!parser.got_some()) return false;
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) ec = http::error::partial_message;
  }
  // http_session::on_read's refusals.
  if (ec == http::error::body_limit)
    return refuse(actas::domain::errc::too_large, "the request body is over 64 KiB"), false;
  if (ec == http::error::header_limit)
    return refuse(actas::domain::errc::invalid_request, "the request headers are over 16 KiB"), false;
  if (ec)
    return refuse(actas::domain::errc::invalid_request, "the request is not valid HTTP/1.1: " + ec.message()), false;
  const bool keep_alive = parser.get().keep_alive();
  handle(parser.release());
  return keep_alive;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // A kept-alive connection serves requests one after another; a few per input are enough.
  for (int i = 0; i < 4 && !in.empty() && one_request(in); ++i) {}
  return 0;
}
