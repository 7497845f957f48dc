// The minimal Beast floor (BENCH.md): the same routing as actas with no policy, no authentication and no
// durability, on one I/O thread, written the way Beast's own examples are (a single-writer queue per
// WebSocket, every limit set).
//
//   POST /v1/ws/ticket (Bearer ID)     -> {"ticket":"ID"}: the same round trip as actas's tickets, no lookup
//   GET  /v1/ws?ticket=ID (or ?user=ID) -> WebSocket; first frame `hello`; ping -> pong;
//                                         {"type":"subscribe","topic":"dashboard"} joins the dashboard
//   POST /v1/impersonations {target}   -> 201; `impersonation_started` to the target's sockets and an
//                                         `upsert` to every dashboard socket
//   POST /v1/impersonations/{id}/end   -> 200; `impersonation_ended` and a `remove`
//   anything else                      -> 200 {"allowed":true,…} (a fixed answer)
//
// Usage: floor_beast [--port 0]; prints "listening on http://127.0.0.1:PORT/". Loopback only.
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_bytes = 64 * 1024;

class ws_session;

/// Who is connected: sockets per user and the dashboard watchers (one thread, so no locks).
struct routes {
  std::unordered_map<std::string, std::unordered_set<ws_session*>> users;
  std::unordered_set<ws_session*> dashboard;
  std::unordered_map<std::string, std::string> sessions;  // session id -> target
  std::uint64_t next_session = 1;
};
routes book;

/// The value of `"key":"…"` in a small JSON text; no JSON library (the floor has no logic).
std::string field(const std::string& body, const std::string& key) {
  const auto k = "\"" + key + "\":\"";
  const auto at = body.find(k);
  if (at == std::string::npos) return {};
  const auto from = at + k.size();
  const auto to = body.find('"', from);
  return to == std::string::npos ? std::string{} : body.substr(from, to - from);
}

class ws_session : public std::enable_shared_from_this<ws_session> {
public:
  ws_session(tcp::socket socket, std::string user) : ws_(std::move(socket)), user_(std::move(user)) {}
  ~ws_session() {
    if (auto u = book.users.find(user_); u != book.users.end()) {
      u->second.erase(this);
      if (u->second.empty()) book.users.erase(u);
    }
    book.dashboard.erase(this);
  }

  void run(http::request<http::string_body> req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(max_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  /// Queues `{"seq":N,` + rest (the frame without its opening brace).
  void push(const std::string& rest) {
    if (out_.size() >= 1024) return;  // a client that cannot keep up loses frames; never slows others
    out_.push_back("{\"seq\":" + std::to_string(++seq_) + "," + rest);
    if (out_.size() == 1) write_next();
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    book.users[user_].insert(this);
    push("\"type\":\"hello\",\"user\":{\"id\":\"" + user_ + "\"},\"unread\":0}");
    read();
  }
  void read() { ws_.async_read(in_, beast::bind_front_handler(&ws_session::on_read, shared_from_this())); }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    const auto text = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    if (text.find("\"subscribe\"") != std::string::npos) book.dashboard.insert(this);
    else if (text.find("\"ping\"") != std::string::npos) push("\"type\":\"pong\"}");
    read();
  }
  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(out_.front()), beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    out_.pop_front();
    if (!out_.empty()) write_next();
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string user_;
  beast::flat_buffer in_;
  std::deque<std::string> out_;
  std::uint64_t seq_ = 0;
};

void push_user(const std::string& user, const std::string& rest) {
  if (auto u = book.users.find(user); u != book.users.end())
    for (auto* s : u->second) s->push(rest);
}

void push_dashboard(const std::string& rest) {
  for (auto* s : book.dashboard) s->push(rest);
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
  explicit http_session(tcp::socket s) : stream_(std::move(s)) {}
  void run() { read(); }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(max_bytes);
    stream_.expires_after(std::chrono::seconds(300));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    auto req = parser_->release();
    if (websocket::is_upgrade(req)) {
      const std::string target(req.target());
      auto at = target.find("ticket=");
      const auto skip = at == std::string::npos ? 5 : 7;
      if (at == std::string::npos) at = target.find("user=");
      const auto user = at == std::string::npos ? std::string("anonymous") : target.substr(at + skip);
      stream_.expires_never();
      std::make_shared<ws_session>(stream_.release_socket(), user)->run(std::move(req));
      return;
    }
    res_ = {};
    res_.version(req.version());
    res_.keep_alive(req.keep_alive());
    res_.set(http::field::content_type, "application/json");
    const std::string path(req.target());
    if (req.method() == http::verb::post && path.rfind("/v1/impersonations/", 0) == 0 && path.ends_with("/end")) {
      const auto id = path.substr(19, path.size() - 19 - 4);
      const auto s = book.sessions.find(id);
      const auto target = s == book.sessions.end() ? std::string() : s->second;
      if (s != book.sessions.end()) book.sessions.erase(s);
      const auto session = "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"state\":\"ended\"}";
      push_user(target, "\"type\":\"notification\",\"notification\":{\"kind\":\"impersonation_ended\",\"session\":\"" + id + "\"}}");
      push_dashboard("\"type\":\"dashboard\",\"op\":\"remove\",\"session\":" + session + "}");
      res_.result(http::status::ok);
      res_.body() = "{\"session\":" + session + ",\"return_to\":null}";
    } else if (req.method() == http::verb::post && path == "/v1/ws/ticket") {
      const auto auth = std::string(req[http::field::authorization]);
      res_.result(http::status::ok);
      res_.body() = "{\"ticket\":\"" + (auth.size() > 7 ? auth.substr(7) : std::string("anonymous")) + "\"}";
    } else if (req.method() == http::verb::post && path == "/v1/impersonations") {
      const auto target = field(req.body(), "target");
      const auto id = "ses_" + std::to_string(book.next_session++);
      book.sessions[id] = target;
      const auto session = "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"state\":\"active\"}";
      push_user(target, "\"type\":\"notification\",\"notification\":{\"kind\":\"impersonation_started\",\"session\":\"" + id + "\"}}");
      push_dashboard("\"type\":\"dashboard\",\"op\":\"upsert\",\"session\":" + session + "}");
      res_.result(http::status::created);
      res_.body() = "{\"session\":" + session + ",\"token\":\"floor-token\"}";
    } else {
      res_.result(http::status::ok);
      res_.body() = R"({"allowed":true,"code":null,"subject":"floor","actor":null})";
    }
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&http_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return;
    read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

class listener : public std::enable_shared_from_this<listener> {
public:
  listener(asio::io_context& ioc, tcp::endpoint ep) : acceptor_(ioc) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void accept() { acceptor_.async_accept(beast::bind_front_handler(&listener::on_accept, shared_from_this())); }

private:
  void on_accept(beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<http_session>(std::move(s))->run();
    }
    accept();
  }
  tcp::acceptor acceptor_;
};

} // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--port") port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
  asio::io_context ioc(1);
  auto l = std::make_shared<listener>(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  l->accept();
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  std::cout << "listening on http://127.0.0.1:" << l->port() << "/" << std::endl;
  ioc.run();
  return 0;
}
