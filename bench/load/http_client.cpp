#include "load/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace bench {

namespace {

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

} // namespace

void http_conn::request(std::string_view method, std::string_view path, std::string_view body,
                        std::string_view bearer, callback cb) {
  std::string r;
  r.reserve(160 + body.size() + bearer.size());
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_).append(":")
      .append(std::to_string(port_)).append("\r\n");
  if (!bearer.empty()) r.append("Authorization: Bearer ").append(bearer).append("\r\n");
  if (!body.empty())
    r.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n");
  else if (method == "POST")
    r.append("Content-Length: 0\r\n");
  r.append("\r\n").append(body);
  queue_.push_back(item{std::move(r), std::move(cb)});
  if (!in_flight_) send_head();
}

void http_conn::send_head() {
  if (queue_.empty() || in_flight_) return;
  if (!is_open()) {
    up_ = false;
    if (!connect(host_, port_, source_)) return;
  }
  in_flight_ = true;
  sent_ = now_ns();
  write(queue_.front().bytes);
}

void http_conn::on_connected() { up_ = true; }

bool http_conn::parse(http_response& r) {
  const auto head_end = in_.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string_view head(in_.data(), head_end);
  // "HTTP/1.1 200 OK"
  const auto sp = head.find(' ');
  r.status = sp == std::string_view::npos ? 0 : std::atoi(std::string(head.substr(sp + 1, 3)).c_str());
  long length = -1;
  bool chunked = false;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    const auto next = head.find("\r\n", pos + 2);
    auto line = head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    if (iequals_prefix(line, "content-length:")) length = std::atol(std::string(trim(line.substr(15))).c_str());
    if (iequals_prefix(line, "transfer-encoding:") && trim(line.substr(18)).find("chunked") != std::string_view::npos)
      chunked = true;
    pos = next;
  }
  std::size_t at = head_end + 4;
  if (chunked) {
    std::string body;
    while (true) {
      const auto eol = in_.find("\r\n", at);
      if (eol == std::string::npos) return false;
      const auto size = std::strtoul(in_.substr(at, eol - at).c_str(), nullptr, 16);
      if (in_.size() < eol + 2 + size + 2) return false;
      body.append(in_, eol + 2, size);
      at = eol + 2 + size + 2;
      if (size == 0) break;
    }
    r.body = std::move(body);
  } else {
    const auto n = static_cast<std::size_t>(std::max(0L, length));
    if (in_.size() < at + n) return false;
    r.body.assign(in_, at, n);
    at += n;
  }
  in_.erase(0, at);
  return true;
}

void http_conn::on_readable() {
  while (in_flight_) {
    http_response r;
    if (!parse(r)) return;
    r.sent = sent_;
    r.received = now_ns();
    in_flight_ = false;
    auto cb = std::move(queue_.front().cb);
    queue_.pop_front();
    cb(r);
    if (!is_open()) return;
    send_head();
  }
}

void http_conn::on_closed(const std::string& why) {
  up_ = false;
  if (!in_flight_) return;  // an idle keep-alive connection closed: reconnect on the next request
  in_flight_ = false;
  // The request in flight is lost; the ones behind it go on a new connection.
  http_response r;
  r.error = why;
  r.sent = sent_;
  auto cb = std::move(queue_.front().cb);
  queue_.pop_front();
  cb(r);
  send_head();
}

std::string json_string(const std::string& body, const char* key) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

std::string json_string(const std::string& body, const char* outer, const char* key) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains(outer) || !j[outer].is_object()) return {};
  const auto& o = j[outer];
  if (!o.contains(key) || !o[key].is_string()) return {};
  return o[key].get<std::string>();
}

} // namespace bench
