#include "load/ws_group.hpp"

namespace bench {

ws_group::ws_group(loop& l, ws_group_plan plan) : loop_(l), plan_(std::move(plan)), state_(plan_.count, state::idle) {
  conns_.reserve(plan_.count);
  for (std::size_t i = 0; i < plan_.count; ++i) {
    auto c = std::make_unique<ws_conn>(loop_);
    c->tag = i;
    c->on_state = [this](ws_conn& w, bool ok, const std::string& why) { on_state(w.tag, ok, why); };
    c->on_frame = [this](ws_conn& w, std::string_view text, ns at) { frame(w.tag, text, at); };
    conns_.push_back(std::move(c));
  }
  if (plan_.tickets)
    for (int i = 0; i < 4; ++i)
      ticketers_.push_back(std::make_unique<http_conn>(loop_, "127.0.0.1", plan_.port, plan_.source));
}

void ws_group::start() { fill(); }

bool ws_group::is_ready(std::size_t i) const { return state_[i] == state::ready; }

void ws_group::close_all() {
  for (auto& c : conns_) c->close();
  for (auto& t : ticketers_) t->close();
}

void ws_group::fill() {
  while (active_ < plan_.in_flight && next_ < plan_.count) open(next_++);
  if (!reported_ && setup_done()) {
    reported_ = true;
    if (on_setup_done) on_setup_done();
  }
}

void ws_group::open(std::size_t i) {
  ++active_;
  const auto& cred = plan_.creds[(plan_.first + i) % plan_.creds.size()];
  if (!plan_.tickets) {
    state_[i] = state::opening;
    conns_[i]->open("127.0.0.1", plan_.port, "/v1/ws?user=" + cred, plan_.source);
    return;
  }
  state_[i] = state::ticket;
  ticketers_[i % ticketers_.size()]->request("POST", "/v1/ws/ticket", "", cred, [this, i](http_response& r) {
    const auto ticket = r.status == 200 ? json_string(r.body, "ticket") : std::string();
    if (ticket.empty())
      return finish(i, state::failed,
                    "ticket: " + (r.status ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : r.error));
    state_[i] = state::opening;
    conns_[i]->open("127.0.0.1", plan_.port, "/v1/ws?ticket=" + ticket, plan_.source);
  });
}

void ws_group::finish(std::size_t i, state s, const std::string& why) {
  state_[i] = s;
  if (s == state::ready) ++ok_;
  if (s == state::refused) ++refused_;
  if (s == state::failed) {
    ++failed_;
    if (first_error_.empty()) first_error_ = why;
  }
  --active_;
  fill();
}

void ws_group::on_state(std::size_t i, bool ok, const std::string& why) {
  if (ok) return;  // upgraded: the hello frame comes next
  const auto s = state_[i];
  if (s == state::opening || s == state::subscribing || s == state::ticket) return finish(i, state::failed, why);
  if (s == state::ready) {
    state_[i] = state::dropped;
    --ok_;
    ++dropped_;
    if (first_error_.empty()) first_error_ = "dropped after set-up: " + why;
  }
}

void ws_group::frame(std::size_t i, std::string_view text, ns at) {
  switch (state_[i]) {
  case state::opening:
    if (!plan_.subscribe) return finish(i, state::ready, {});
    state_[i] = state::subscribing;
    conns_[i]->send_text(R"({"type":"subscribe","topic":"dashboard"})");
    conns_[i]->send_text(R"({"type":"ping"})");
    return;
  case state::subscribing:
    if (text.find(R"("type":"error")") != std::string_view::npos) {
      if (first_error_.empty()) first_error_ = "subscribe refused: " + std::string(text.substr(0, 200));
      return finish(i, state::refused, {});
    }
    if (text.find(R"("type":"pong")") != std::string_view::npos) return finish(i, state::ready, {});
    return;
  case state::ready:
    if (plan_.subscribe && text.find(R"("type":"error")") != std::string_view::npos) {
      if (late_errors_++ == 0 && first_error_.empty()) first_error_ = "subscribe refused: " + std::string(text.substr(0, 200));
      return;
    }
    if (on_frame) on_frame(i, text, at);
    return;
  default:
    return;
  }
}

} // namespace bench
