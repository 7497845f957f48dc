#include "net/http_session.hpp"

#include <array>
#include <chrono>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "net/content_type.hpp"
#include "net/errors.hpp"
#include "net/http_manners.hpp"
#include "net/idempotency.hpp"
#include "net/ws_session.hpp"
#include "web/assets.hpp"

namespace actas::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

/// Reading a request (and waiting for the next one on a kept-alive connection), and writing an answer.
constexpr auto read_timeout = 30s;
constexpr auto write_timeout = 30s;
/// After refusing a request whose body is still arriving, read and drop this much (for this long) before
/// closing, so the client sees the answer instead of a reset.
constexpr std::size_t linger_bytes = 1024 * 1024;
constexpr auto linger_timeout = 2s;
/// A TLS handshake, and the close_notify exchange at the end, get this long (a client that stalls them
/// holds nothing longer).
constexpr auto tls_handshake_timeout = 10s;
constexpr auto tls_shutdown_timeout = 5s;

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// `Stream` is beast::tcp_stream (plain HTTP) or tls_stream (HTTPS, SPEC §10): the same session either way,
/// the TLS one first handshakes and ends with close_notify.
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;
  using std::enable_shared_from_this<http_session>::shared_from_this;

public:
  http_session(Stream stream, connection_limit::slot slot, std::shared_ptr<const server_state> state)
      : stream_(std::move(stream)), slot_(std::move(slot)), state_(std::move(state)) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (is_tls) {
        self->lowest().expires_after(tls_handshake_timeout);
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code ec) {
          // A failed handshake (a plain-HTTP client, an old protocol, a distrusting peer) costs only this
          // connection; it is logged at debug level as there may be many.
          if (ec) return spdlog::debug("TLS handshake with {} failed: {}", self->slot_.address(), ec.message());
          self->read();
        });
      } else {
        self->read();
      }
    });
  }

private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read() {
    parser_.emplace();
    parser_->body_limit(max_body_bytes);
    parser_->header_limit(max_header_bytes);
    lowest().expires_after(read_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return shut_down();
    if (ec == http::error::body_limit) return refuse(domain::errc::too_large, "the request body is over 64 KiB");
    if (ec == http::error::header_limit) return refuse(domain::errc::invalid_request, "the request headers are over 16 KiB");
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated)
      return;
    if (ec) return refuse(domain::errc::invalid_request, "the request is not valid HTTP/1.1: " + ec.message());
    // Errors never escape (STYLE.md): whatever routing, decoding or a handler throws costs this request.
    const auto answered = std::make_shared<bool>(false);
    const auto id = crypto::random_id("req_");
    guarded(answered, id, [&] { handle(parser_->release(), answered, id); });
  }

  /// Runs `f` (part of handling request `id`); if it throws, the request is answered 500 `internal`
  /// unless it was answered already, and the failure is logged with the request id.
  template <class F>
  void guarded(const std::shared_ptr<bool>& answered, const std::string& id, F&& f) {
    std::string what;
    try {
      f();
      return;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an exception of unknown type";
    }
    spdlog::error("request {}: handling it failed: {}", id, what);
    if (*answered) return;
    *answered = true;
    write({http_status(domain::errc::internal), error_body(domain::errc::internal, {}, id)}, keep_alive_, version_, id);
  }

  void handle(http::request<http::string_body> req, std::shared_ptr<bool> answered, const std::string& id) {
    busy_ = state_->busy->acquire();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    auto c = std::make_shared<call>();
    c->sv = state_->sv;
    c->req.request_id = id;
    c->req.ip = slot_.address();
    // HEAD is the GET without its body (RFC 9110 §9.3.2): routed and answered as GET; write() leaves the
    // body unsent but keeps its Content-Length.
    head_ = req.method() == http::verb::head;
    started_ = std::chrono::steady_clock::now();
    route_label_ = "unmatched";
    c->req.method = head_ ? "GET" : std::string(req.method_string());
    c->req.body = std::move(req.body());
    if (auto i = req.find(http::field::authorization); i != req.end()) c->req.authorization = std::string(i->value());
    if (auto i = req.find(http::field::origin); i != req.end()) c->req.origin = std::string(i->value());
    if (auto i = req.find("Idempotency-Key"); i != req.end()) c->req.idempotency_key = std::string(i->value());
    c->req.websocket_upgrade = !head_ && beast::websocket::is_upgrade(req);
    c->respond = [self = shared_from_this(), keep_alive = keep_alive_, version = version_, id, answered](response r) {
      *answered = true;
      self->write(std::move(r), keep_alive, version, id);
    };
    // A callback posted back from an actor is guarded like the handler itself.
    c->post = [self = shared_from_this(), ex = stream_.get_executor(), open = state_->open, answered, id](task t) {
      open->run_if_open([&] {
        asio::post(ex, [self, answered, id, t = std::move(t)] { self->guarded(answered, id, t); });
      });
    };

    // SPEC §6 Robustness: two of these headers could be read differently by a proxy and by actas.
    for (const auto field : {http::field::host, http::field::origin, http::field::authorization})
      if (req.count(field) > 1)
        return fail_call(*c, domain::errc::invalid_request,
                         "the " + std::string(http::to_string(field)) + " header is given more than once");
    if (req.count("Idempotency-Key") > 1)
      return fail_call(*c, domain::errc::invalid_request, "the Idempotency-Key header is given more than once");
    // Forward auth (SPEC §9): the proxied request, nginx's names first. Given twice, a proxy and actas
    // could read different requests: refused like a repeated Authorization.
    for (const auto& [method, uri] : {std::pair{"X-Original-Method", "X-Original-URI"},
                                      std::pair{"X-Forwarded-Method", "X-Forwarded-Uri"}}) {
      if (req.count(method) > 1 || req.count(uri) > 1)
        return fail_call(*c, domain::errc::invalid_request,
                         std::string("the ") + method + " or " + uri + " header is given more than once");
      if (c->req.original_uri) continue;
      if (auto i = req.find(uri); i != req.end()) c->req.original_uri = std::string(i->value());
      if (auto i = req.find(method); i != req.end()) c->req.original_method = std::string(i->value());
    }

    auto t = parse_target(std::string_view(req.target().data(), req.target().size()));
    if (auto* e = std::get_if<decode_error>(&t)) return fail_call(*c, domain::errc::invalid_request, e->message);
    auto& parsed = std::get<target>(t);
    c->req.path = std::move(parsed.path);
    c->req.query = std::move(parsed.query);
    if (c->req.method == "GET" && (c->req.path == "/" || c->req.path.starts_with("/assets/")))
      if (const auto* file = web::find(c->req.path)) {
        route_label_ = "GET /assets";  // the console's page and files, one series
        auto i = req.find(http::field::if_none_match);
        return c->respond(static_file(*file, i != req.end() && i->value() == file->etag));
      }
    auto route = state_->routes.find(c->req.method, c->req.path);
    if (!route) return no_route(*c);
    c->req.params = std::move(route->params);
    route_label_ = c->req.method + " " + *route->pattern;
    if (!c->req.body.empty() && !is_json_content_type(req[http::field::content_type])) {
      c->req.form_body = route->formats == body_formats::json_or_form && is_form_content_type(req[http::field::content_type]);
      if (!c->req.form_body)
        return fail_call(*c, domain::errc::invalid_request,
                         "a request body must be JSON sent with 'Content-Type: application/json'");
    }
    if (c->req.websocket_upgrade) {
      upgrade_request_.emplace(std::move(req));
      c->upgrade = [self = shared_from_this(), answered, id](actors::principal who, std::string resume_after) {
        *answered = true;
        self->hand_over(std::move(who), std::move(resume_after), id);
      };
    }
    handle_idempotently(std::move(c), *route->h);
  }

  /// The web console: the page itself is revalidated on every load (it names the assets), the assets are
  /// cached for an hour and revalidated by their strong ETag.
  static response static_file(const web::asset& file, bool client_has_it) {
    response r;
    r.status = client_has_it ? 304 : 200;
    if (!client_has_it)
      r.body = std::string(file.body);
    r.content_type = std::string(file.content_type);
    r.cache_control = file.content_type.starts_with("text/html") ? "no-cache" : "public, max-age=3600";
    r.etag = std::string(file.etag);
    return r;
  }

  /// 405 with `Allow` when the path exists under other methods (the console's files answer GET), else 404.
  void no_route(call& c) const {
    auto methods = state_->routes.methods_at(c.req.path);
    if ((c.req.path == "/" || c.req.path.starts_with("/assets/")) && web::find(c.req.path)) methods = {"GET"};
    if (methods.empty()) return fail_call(c, domain::errc::not_found, "no route for " + c.req.path);
    const auto method = head_ ? std::string("HEAD") : c.req.method;
    response r{http_status(domain::errc::method_not_allowed),
               error_body(domain::errc::method_not_allowed, c.req.path + " does not answer " + method, c.req.request_id)};
    r.allow = allow_header(std::move(methods));
    c.respond(std::move(r));
  }

  static void fail_call(call& c, domain::errc code, const std::string& message) {
    c.respond({http_status(code), error_body(code, message, c.req.request_id)});
  }

  void write(response r, bool keep_alive, unsigned version, const std::string& request_id) {
    if (writing_) {
      spdlog::error("request {}: a second answer was dropped", request_id);
      return;
    }
    writing_ = true;
    upgrade_request_.reset();
    res_ = {};
    res_.version(version);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, r.cache_control);
    if (!r.etag.empty())
      res_.set(http::field::etag, r.etag);
    if (!r.allow.empty())
      res_.set(http::field::allow, r.allow);
    for (const auto& [name, value] : r.headers) res_.set(name, value);
    add_security_headers(res_);
    res_.set("X-Request-Id", request_id);
    if (r.replayed)
      res_.set("Idempotent-Replayed", "true");
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
    state_->sv->metrics->count_request(route_label_, r.status, took);
    // The access log names the route's pattern, never the raw target: a query string may carry a ticket.
    spdlog::debug("request {}: {} answered {} in {:.3f} ms", request_id, route_label_, r.status, took.count() * 1000);
    // A draining server answers what is in flight, then closes the connection.
    // Decided once, here: a response announced as kept alive is followed by a read even if a drain began
    // while it was being written, so the client's next request is answered (503, Connection: close).
    keep_alive = keep_alive && !state_->ready->draining();
    res_.keep_alive(keep_alive);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) res_.body().clear();  // Content-Length stays the GET's
    lowest().expires_after(write_timeout);
    http::async_write(stream_, res_, beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    writing_ = false;
    busy_.reset();
    if (ec) return;
    if (!keep_alive) return shut_down();
    read();
  }

  /// Answers an unreadable or oversized request, then closes without resetting the client.
  void refuse(domain::errc code, const std::string& message) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<http::status>(http_status(code)));
    const auto id = crypto::random_id("req_");
    res_.set(http::field::content_type, "application/json");
    res_.set(http::field::cache_control, "no-store");
    res_.set("X-Request-Id", id);
    add_security_headers(res_);
    res_.keep_alive(false);
    res_.body() = error_body(code, message, id);
    res_.prepare_payload();
    lowest().expires_after(write_timeout);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      // Plain TCP says "no more" with a FIN; over TLS the answer's Connection: close says it, and the
      // client closes once it has read the answer.
      if constexpr (!is_tls) {
        beast::error_code ignored;
        self->lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      }
      self->linger();
    });
  }

  void linger() {
    lowest().expires_after(linger_timeout);
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > linger_bytes) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
        return;
      }
      self->linger();
    });
  }

  void shut_down() {
    if constexpr (is_tls) {
      // close_notify, so the client knows the answer was not cut; bounded, as the peer may never answer.
      lowest().expires_after(tls_shutdown_timeout);
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
      });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  /// The ticket was redeemed: the connection becomes a WebSocket (it keeps its place in the count).
  void hand_over(actors::principal who, std::string resume_after, const std::string& request_id) {
    if (!upgrade_request_) return;
    // 101 is answered by the WebSocket handshake itself; counted here like every other answer.
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
    state_->sv->metrics->count_request(route_label_, 101, took);
    spdlog::debug("request {}: {} answered 101 (WebSocket) in {:.3f} ms", request_id, route_label_, took.count() * 1000);
    auto req = std::move(*upgrade_request_);
    upgrade_request_.reset();
    busy_.reset();  // the WebSocket holds its own place in the drain
    run_ws_session(std::move(stream_), std::move(req), std::move(who), std::move(resume_after), std::move(slot_), state_);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  connection_limit::slot slot_;
  std::shared_ptr<const server_state> state_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request<http::string_body>> upgrade_request_;
  http::response<http::string_body> res_;
  bool writing_ = false;
  bool head_ = false;  ///< the request being answered is a HEAD
  /// For actas_http_requests_total and its duration: the route's pattern ("unmatched" for 404/405), and
  /// when the request was read.
  std::string route_label_;
  std::chrono::steady_clock::time_point started_;
  /// Held from reading a request until its answer is written: what a drain waits for.
  in_flight::hold busy_;
  /// The request being handled (one at a time: no pipelining), for an answer made after a throw.
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::array<char, 8192> discard_{};
  std::size_t lingered_ = 0;
};

} // namespace

void run_http_session(tcp::socket socket, connection_limit::slot slot, std::shared_ptr<const server_state> state) {
  std::make_shared<http_session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), std::move(slot), std::move(state))
    ->run();
}

void run_https_session(tcp::socket socket, connection_limit::slot slot, std::shared_ptr<const server_state> state,
                       const std::shared_ptr<asio::ssl::context>& tls) {
  std::make_shared<http_session<tls_stream>>(tls_stream(std::move(socket), *tls), std::move(slot), std::move(state))->run();
}

} // namespace actas::net
