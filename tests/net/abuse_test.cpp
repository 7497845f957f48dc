// Black-box abuse, the way an attacker works (OWASP WebSocket and session cheat sheets): hostile bytes in
// the request line, headers, JSON and frames, replayed tickets, slowloris, one address holding many
// sockets. Every case ends by checking that the server still serves a normal request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "server_fixture.hpp"

namespace actas::testing {
namespace {

using abuse_test = server_fixture;

/// A TCP connection to 127.0.0.1:`port` from the loopback address `from` (e.g. "127.0.0.2"), so a test
/// can play several client addresses. Closed when destroyed.
class raw_socket {
public:
  raw_socket(std::uint16_t port, const char* from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
  }
  ~raw_socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool connected() const { return connected_; }
  void send(const std::string& bytes) { (void)!::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  /// Everything until the server closes (or `timeout` without a byte).
  std::string read_all(std::chrono::milliseconds timeout = 5s) {
    std::string out;
    char buf[4096];
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

private:
  int fd_ = -1;
  bool connected_ = false;
};

unsigned status_of(const std::string& answer) {
  return answer.rfind("HTTP/1.1 ", 0) == 0 ? static_cast<unsigned>(std::stoi(answer.substr(9, 3))) : 0;
}

/// Sends `request` as raw bytes; the answer's status must be one of `allowed` (a refusal, not a silence).
void expect_refused(std::uint16_t port, const std::string& request, std::initializer_list<unsigned> allowed) {
  const auto out = raw_exchange(port, request, 5s);
  const auto status = status_of(out);
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), status), allowed.end())
    << request.substr(0, 80) << " → " << out.substr(0, 200);
}

void expect_still_serving(std::uint16_t port) {
  EXPECT_EQ(http(port, "GET", "/healthz", {}, {}, {}, 5s).status, 200u) << "the server stopped serving";
}

TEST_F(abuse_test, hostile_request_lines_are_refused_one_by_one) {
  const std::vector<std::string> targets{
    "/\x01\x02", "/%00", "/v1/impersonations/%ff", "/v1/impersonations/%", "/v1/me?%zz=1", "/v1/me?a=1&a=2",
    "/..%2f..%2fetc%2fpasswd", "//v1//me", "*", "http://evil.example/v1/me", "/" + std::string(20000, 'a'),
    "/v1/audit?limit=99999999999999999999999", "/\xed\xa0\x80", "/\xc0\xaf"};
  for (const auto& t : targets)
    expect_refused(port_, "GET " + t + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", {400, 401, 404});
  expect_still_serving(port_);
}

TEST_F(abuse_test, hostile_header_bytes_are_refused_one_by_one) {
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  const std::vector<std::string> headers{
    "Authorization: Bearer \xff\xfe\r\n", "Authorization: \x01\r\n", "Origin: \xff\r\n", "X-No-Colon\r\n",
    "X-Folded: a\r\n b\r\n", many, "Content-Length: -1\r\n", "Content-Length: 99999999999999999999\r\n",
    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "Host: y\r\n"};
  for (const auto& h : headers)
    expect_refused(port_, "GET /v1/me HTTP/1.1\r\nHost: x\r\n" + h + "Connection: close\r\n\r\n", {400, 401, 413});
  expect_still_serving(port_);
}

TEST_F(abuse_test, hostile_json_bodies_are_400_one_by_one) {
  const std::vector<std::string> bodies{
    R"({"username":"adam","password":"demo","x":123456789012345678901234567890})",
    R"({"username":1e999,"password":"demo"})",
    R"({"username":-0,"password":[]})",
    "{\"username\":\"\xff\",\"password\":\"demo\"}",
    "{\"username\":\"\\ud800\",\"password\":\"demo\"}",
    R"({"username":"adam","password":"demo"} trailing)",
    std::string("{\"username\":\"adam\",\"password\":\"demo\"") + '\0' + "}",
    std::string(40000, '{'),
    R"({"__proto__":{"admin":true}})",
    "null", "\"adam\"", "{}",
  };
  for (const auto& b : bodies) {
    auto r = post_text("/v1/login", b);
    EXPECT_EQ(r.status, 400u) << b.substr(0, 80) << " → " << r.text;
  }
  // Where numbers are read: out of range or not integers.
  const auto& sara = token("sara");
  for (const auto& d : {json(1e300), json(-1), json(0.5), json(std::int64_t{1} << 62)}) {
    auto r = post("/v1/support/grants", {{"request", "nope"}, {"portals", {"acme-eu"}}, {"duration_s", d}}, sara);
    EXPECT_TRUE(r.status == 400 || r.status == 404 || r.status == 409) << d << " → " << r.text;
  }
  expect_still_serving(port_);
}

TEST_F(abuse_test, a_replayed_ticket_opens_nothing_and_hostile_frames_cost_only_their_socket) {
  const auto t = ticket(token("ann"));
  ws_client first;
  ASSERT_EQ(first.connect(port_, "/v1/ws?ticket=" + t, origin()), 101u);
  ws_client replay;
  EXPECT_EQ(replay.connect(port_, "/v1/ws?ticket=" + t, origin()), 401u);
  ASSERT_TRUE(first.read_until("hello"));
  for (const std::string& frame : {std::string(40000, '['), std::string(R"({"type":"ping","type":"subscribe"})"),
                                  std::string(R"({"type":"subscribe","topic":"dashboard","x":1e999})")}) {
    first.send_text(frame);
    auto answer = first.read_until("error");
    ASSERT_TRUE(answer) << frame.substr(0, 60);
    EXPECT_EQ((*answer)["code"], "invalid_request");
  }
  first.send_text(R"({"type":"ping"})");
  EXPECT_TRUE(first.read_until("pong"));
  expect_still_serving(port_);
}

TEST_F(abuse_test, slowloris_sockets_do_not_keep_others_from_being_served) {
  std::vector<std::unique_ptr<raw_socket>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<raw_socket>(port_));
    ASSERT_TRUE(slow.back()->connected());
    // A request that never ends: headers trickle in and stop.
    slow.back()->send("POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nX-Slow: ");
  }
  expect_still_serving(port_);
  EXPECT_EQ(post("/v1/login", {{"username", "adam"}, {"password", "demo"}}).status, 200u);
}

TEST_F(abuse_test, one_address_holding_many_sockets_does_not_lock_out_another) {
  auto o = options();
  o.max_connections_per_ip = 8;
  auto& capped = extra_server(o);
  std::vector<std::unique_ptr<raw_socket>> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(std::make_unique<raw_socket>(capped.port(), "127.0.0.1"));
    ASSERT_TRUE(held.back()->connected());
  }
  // Accepted in order, so the ninth from the same address is closed without an answer.
  EXPECT_EQ(http(capped.port(), "GET", "/healthz", {}, {}, {}, 5s).status, 0u);
  // Another address is served.
  raw_socket other(capped.port(), "127.0.0.2");
  ASSERT_TRUE(other.connected());
  other.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(other.read_all()), 200u);
}

} // namespace
} // namespace actas::testing
