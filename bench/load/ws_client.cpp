#include "load/ws_client.hpp"

#include <cstdlib>
#include <cstring>

namespace bench {

bool ws_conn::open(const std::string& host, int port, const std::string& path, const std::string& source) {
  upgraded_ = false;
  reported_ = false;
  // The server checks the key's form, not its value; no Origin header (not a browser).
  request_ = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n";
  return connect(host, port, source);
}

void ws_conn::on_connected() {
  write(request_);
  request_.clear();
  request_.shrink_to_fit();
}

void ws_conn::send_text(std::string_view text) { send_frame(1, text); }

void ws_conn::send_frame(int opcode, std::string_view payload) {
  std::string f;
  f.reserve(payload.size() + 14);
  f.push_back(static_cast<char>(0x80 | opcode));
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff));
  }
  const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  write(f);
}

void ws_conn::on_readable() {
  const ns at = now_ns();
  if (!upgraded_) {
    const auto end = in_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    const bool ok = in_.compare(0, 12, "HTTP/1.1 101") == 0;
    if (!ok) {
      const auto status = in_.size() >= 12 ? in_.substr(9, 3) : std::string("???");
      reported_ = true;
      close();
      if (on_state) on_state(*this, false, "upgrade refused with HTTP " + status);
      return;
    }
    in_.erase(0, end + 4);
    upgraded_ = true;
    reported_ = true;
    if (on_state) on_state(*this, true, {});
    if (!is_open()) return;
  }
  std::size_t at_byte = 0;
  while (true) {
    const auto avail = in_.size() - at_byte;
    if (avail < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(in_.data() + at_byte);
    const int opcode = p[0] & 0x0f;
    std::uint64_t len = p[1] & 0x7f;
    std::size_t head = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (std::uint64_t(p[2]) << 8) | p[3];
      head = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      head = 10;
    }
    if (p[1] & 0x80) head += 4;  // servers do not mask; tolerate it anyway by skipping the key
    if (avail < head + len) break;
    std::string_view payload(in_.data() + at_byte + head, static_cast<std::size_t>(len));
    at_byte += head + static_cast<std::size_t>(len);
    if (opcode <= 2) {  // text, binary or a continuation
      if (on_frame) on_frame(*this, payload, at);
    } else if (opcode == 9) {
      send_frame(10, payload);
    } else if (opcode == 8) {
      in_.clear();
      close();
      if (on_state) on_state(*this, false, "closed by the server with a close frame");
      return;
    }
    if (!is_open()) return;
  }
  in_.erase(0, at_byte);
}

void ws_conn::on_closed(const std::string& why) {
  if (on_state && (upgraded_ || !reported_)) on_state(*this, false, why);
  reported_ = true;
}

} // namespace bench
