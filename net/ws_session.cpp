#include "net/ws_session.hpp"

#include <chrono>
#include <deque>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "net/codec.hpp"
#include "net/socket_proxy.hpp"

namespace actas::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

namespace {

/// How long a tab that overflowed its queue (or is being closed) gets to take its last write and the
/// close handshake before the connection is dropped.
constexpr auto close_grace = 5s;

domain::timestamp wall_now() {
  return std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
}

/// `Stream` is beast::tcp_stream (ws://) or beast::ssl_stream over it (wss://); nothing else differs.
template <class Stream>
class ws_session : public live_sink, public std::enable_shared_from_this<ws_session<Stream>> {
  using std::enable_shared_from_this<ws_session>::shared_from_this;
  using std::enable_shared_from_this<ws_session>::weak_from_this;

public:
  ws_session(Stream stream, http::request<http::string_body> req, actors::principal who,
             std::string resume_after, connection_limit::slot slot, std::shared_ptr<const server_state> state)
      : executor_(stream.get_executor()), ws_(std::move(stream)), req_(std::move(req)), who_(std::move(who)),
        resume_after_(std::move(resume_after)),
        slot_(std::move(slot)), state_(std::move(state)), busy_(state_->busy->acquire()) {}

  ~ws_session() override {
    // SPEC §10 actas_ws_closed_total{code}: the code this side closed with, else the peer's, else 1006
    // (the connection just went away).
    if (counted_) {
      const auto peer = static_cast<unsigned>(ws_.reason().code);
      state_->sv->metrics->ws_closed(close_ ? static_cast<unsigned>(close_->code) : peer != 0 ? peer : 1006u);
    }
    if (proxy_) {
      state_->proxies->remove(proxy_);
      caf::anon_send_exit(proxy_, caf::exit_reason::user_shutdown);
    }
  }

  /// Runs on the connection's strand (called from the HTTP session's handler).
  void run() {
    // The WebSocket's own timeouts replace the TCP stream's: handshake 30 s, then pings at half the idle
    // timeout and the connection dropped when a whole idle timeout passes without a byte from the client.
    beast::get_lowest_layer(ws_).expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = state_->ws_idle_timeout;
    ws_.set_option(timeouts);
    ws_.read_message_max(max_frame_bytes);
    ws_.async_accept(req_, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  /// From the proxy, on an actor thread: hop onto the strand.
  void deliver(actors::live_event ev) override {
    asio::post(executor_, [self = shared_from_this(), ev = std::move(ev)]() mutable { self->on_event(std::move(ev)); });
  }

private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    req_ = {};
    auto& sv = *state_->sv;
    sv.metrics->ws_opened();
    counted_ = true;
    proxy_ = spawn_socket_proxy(*sv.system, weak_from_this(), state_->open);
    state_->proxies->add(proxy_);
    // The registry routes the tab: `hello` first, then the banners that apply to it.
    if (resume_after_.empty())
      caf::anon_send(sv.registry, actors::attach_atom::value, proxy_, who_.token_hash);
    else
      caf::anon_send(sv.registry, actors::attach_atom::value, proxy_, who_.token_hash, resume_after_);
    read();
    // Accepted while the server drains (after it asked every known socket to close): close at once.
    if (state_->ready->draining()) close_after_queue(restart_close_code, "service restart");
  }

  void read() { ws_.async_read(in_, beast::bind_front_handler(&ws_session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    // Frames over 64 KiB end here after Beast has closed with 1009; a peer's close or a dead
    // connection ends here too. Either way nothing more is written.
    if (ec) {
      gone_ = true;
      drop_queue();
      return;
    }
    const auto text = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    // Errors never escape (STYLE.md): a frame whose handling throws costs this socket (1011), nothing more.
    try {
      on_frame(text);
    } catch (const std::exception& e) {
      spdlog::error("a WebSocket of {}: handling a frame failed: {}", who_.user_id, e.what());
      return close_after_queue(static_cast<std::uint16_t>(websocket::close_code::internal_error), "internal error");
    }
    read();
  }

  void on_frame(const std::string& text) {
    auto frame = decode_client_frame(text);
    if (auto* e = std::get_if<decode_error>(&frame)) {
      send({{"type", "error"}, {"code", "invalid_request"}, {"message", e->message}});
    } else if (std::holds_alternative<ping_frame>(std::get<client_frame>(frame))) {
      send({{"type", "pong"}});
    } else if (std::get<subscribe_frame>(std::get<client_frame>(frame)).topic == "dashboard") {
      // The registry decides: a snapshot then live `dashboard` frames, or an error frame (forbidden).
      caf::anon_send(state_->sv->registry, actors::subscribe_atom::value, proxy_, who_.token_hash);
    } else {
      send({{"type", "error"}, {"code", "invalid_request"}, {"message", "the only topic is 'dashboard'"}});
    }
  }

  void on_event(actors::live_event ev) {
    if (auto* close = std::get_if<actors::socket_close>(&ev)) return close_after_queue(close->code, close->why);
    if (gone_ || closing_) return;
    if (auto* row = std::get_if<actors::dashboard_update>(&ev); row && row->encoded) {
      auto& shared = *row->encoded;
      std::call_once(shared.once, [&] {
        if (auto frame = encode_frame(ev, wall_now())) shared.text = dump(*frame);
      });
      if (!shared.text.empty()) enqueue(shared.text);
      return;
    }
    if (auto frame = encode_frame(ev, wall_now())) send(*frame);
  }

  void send(const json& frame) { enqueue(dump(frame)); }

  /// Numbers and queues a frame (`object`: a JSON object without `seq`); a tab that cannot keep up is
  /// closed 1013 without slowing anyone.
  void enqueue(std::string_view object) {
    if (gone_ || closing_) return;
    if (out_.size() >= max_queued_frames) {
      spdlog::warn("a WebSocket of {} fell {} frames behind; closing it", who_.user_id, out_.size());
      drop_queue();
      return close_after_queue(static_cast<std::uint16_t>(websocket::close_code::try_again_later), "too slow");
    }
    // `seq` goes first: {"seq":N, then the object's members ("{}" has none).
    std::string text = "{\"seq\":" + std::to_string(++seq_);
    if (object.size() > 2) text += ',';
    text.append(object.substr(1));
    out_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void write_next() {
    if (gone_) return;
    if (out_.empty()) {
      if (close_ && !close_started_) {
        close_started_ = true;
        ws_.async_close(*close_, [self = shared_from_this()](beast::error_code) { self->gone_ = true; });
      }
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(out_.front()), beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      gone_ = true;
      out_.clear();
      return;
    }
    out_.pop_front();
    write_next();
  }

  /// Forgets the queued frames, except the one being written: its buffer must live until the write ends.
  void drop_queue() {
    if (writing_ && !out_.empty())
      out_.erase(out_.begin() + 1, out_.end());
    else
      out_.clear();
  }

  /// Sends what is queued (e.g. `session_ended`), then closes with `code`.
  void close_after_queue(std::uint16_t code, const std::string& why) {
    if (closing_ || gone_) return;
    closing_ = true;
    close_ = websocket::close_reason(static_cast<websocket::close_code>(code), why);
    // A peer that stops reading cannot hold the connection open for ever. (Not the stream's own expiry:
    // Beast forbids changing it while a read and a write are both pending, as they are here.)
    close_timer_.expires_after(close_grace);
    close_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->gone_) return;
      self->gone_ = true;
      beast::get_lowest_layer(self->ws_).close();  // the pending read and write end with an error
    });
    if (!writing_) write_next();
  }

  asio::any_io_executor executor_;
  websocket::stream<Stream> ws_;
  asio::steady_timer close_timer_{executor_};
  http::request<http::string_body> req_;
  actors::principal who_;
  std::string resume_after_;
  connection_limit::slot slot_;
  std::shared_ptr<const server_state> state_;
  /// An open socket keeps a drain waiting until its close handshake is done (or the drain gives up).
  in_flight::hold busy_;
  actors::socket_actor proxy_;
  beast::flat_buffer in_;
  std::deque<std::string> out_;
  std::int64_t seq_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool close_started_ = false;
  bool counted_ = false;  ///< opened in actas_ws_connections; closed in the destructor
  bool gone_ = false;
  std::optional<websocket::close_reason> close_;
};

} // namespace

void run_ws_session(beast::tcp_stream stream, http::request<http::string_body> req, actors::principal who,
                    std::string resume_after, connection_limit::slot slot, std::shared_ptr<const server_state> state) {
  std::make_shared<ws_session<beast::tcp_stream>>(std::move(stream), std::move(req), std::move(who),
                                                  std::move(resume_after), std::move(slot), std::move(state))
    ->run();
}

void run_ws_session(beast::ssl_stream<beast::tcp_stream> stream, http::request<http::string_body> req,
                    actors::principal who, std::string resume_after, connection_limit::slot slot,
                    std::shared_ptr<const server_state> state) {
  std::make_shared<ws_session<beast::ssl_stream<beast::tcp_stream>>>(
    std::move(stream), std::move(req), std::move(who), std::move(resume_after), std::move(slot), std::move(state))
    ->run();
}

} // namespace actas::net
