// The raw floors (BENCH.md): a minimal epoll HTTP/1.1 keep-alive server and a raw TCP push, the least
// work that could answer a request or deliver a frame. No parsing beyond finding the end of a request, no
// JSON, no per-connection state but buffers.
//
//   any request                        -> 200 {"allowed":true,…}       (the `authorize` floor)
//   GET  /v1/ws…                       -> a fixed 101 answer and a `hello` frame; from then on every
//                                         frame received is answered with a `pong` frame, and the
//                                         connection is a dashboard socket
//   POST /v1/impersonations[/…/end]    -> the same pre-encoded dashboard frame written to every socket
//                                         (one write() each: the `fanout` raw TCP floor), then 201/200
//
// Usage: floor_epoll [--port 0] [--threads 1]; prints "listening on http://127.0.0.1:PORT/".
// Several threads share the port with SO_REUSEPORT; use them for plain HTTP only (pushes assume one).
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr std::size_t max_bytes = 64 * 1024;

struct conn {
  int fd = -1;
  bool ws = false;
  std::string in, out;
};

std::mutex ws_mutex;
std::vector<conn*> ws_conns;  // every upgraded connection (the dashboard)

std::string http_answer(int status, const char* reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string server_frame(const std::string& text) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  if (text.size() < 126) {
    f.push_back(static_cast<char>(text.size()));
  } else {
    f.push_back(126);
    f.push_back(static_cast<char>(text.size() >> 8));
    f.push_back(static_cast<char>(text.size() & 0xff));
  }
  return f + text;
}

const std::string allow = http_answer(200, "OK", R"({"allowed":true,"code":null,"subject":"floor","actor":null})");
const std::string created =
    http_answer(201, "Created", R"({"session":{"id":"ses_floor","state":"active"},"token":"floor-token"})");
const std::string ended = http_answer(200, "OK", R"({"session":{"id":"ses_floor","state":"ended"},"return_to":null})");
const std::string upgraded =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
const std::string hello = server_frame(R"({"type":"hello","seq":1})");
const std::string pong = server_frame(R"({"type":"pong"})");
const std::string upsert = server_frame(R"({"type":"dashboard","op":"upsert","session":{"id":"ses_floor"}})");
const std::string removed = server_frame(R"({"type":"dashboard","op":"remove","session":{"id":"ses_floor"}})");

class worker {
public:
  explicit worker(int listen_fd) : listen_(listen_fd), ep_(epoll_create1(0)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(ep_, EPOLL_CTL_ADD, listen_, &ev);
  }

  void run() {
    epoll_event events[256];
    while (true) {
      const int n = epoll_wait(ep_, events, 256, -1);
      for (int i = 0; i < n; ++i) {
        auto* c = static_cast<conn*>(events[i].data.ptr);
        if (!c) accept_all();
        else on_event(c, events[i].events);
      }
    }
  }

private:
  void accept_all() {
    while (true) {
      const int fd = accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto* c = new conn{fd, false, {}, {}};
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = c;
      epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  void send(conn* c, const std::string& bytes) {
    if (c->out.empty()) {
      const auto n = ::send(c->fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n == static_cast<ssize_t>(bytes.size())) return;
      c->out.assign(bytes, n > 0 ? static_cast<std::size_t>(n) : 0);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT;
      ev.data.ptr = c;
      epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
    } else {
      c->out += bytes;
    }
  }

  void drop(conn* c) {
    if (c->ws) {
      std::lock_guard lock(ws_mutex);
      std::erase(ws_conns, c);
    }
    epoll_ctl(ep_, EPOLL_CTL_DEL, c->fd, nullptr);
    ::close(c->fd);
    delete c;
  }

  void on_event(conn* c, std::uint32_t events) {
    if (events & EPOLLOUT) {
      const auto n = ::send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
      if (n > 0) c->out.erase(0, static_cast<std::size_t>(n));
      if (c->out.empty()) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
      }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buf[16384];
    const auto n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (n < 0 && errno == EAGAIN) return;
      return drop(c);
    }
    c->in.append(buf, static_cast<std::size_t>(n));
    if (c->in.size() > max_bytes * 2) return drop(c);
    c->ws ? frames(c) : requests(c);
  }

  void requests(conn* c) {
    while (!c->ws) {
      const auto end = c->in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::size_t length = 0;
      if (const auto cl = c->in.find("ontent-Length:"); cl != std::string::npos && cl < end)
        length = std::strtoul(c->in.c_str() + cl + 14, nullptr, 10);
      if (c->in.size() < end + 4 + length) return;
      const bool upgrade = c->in.compare(0, 11, "GET /v1/ws?") == 0;
      const bool start = c->in.compare(0, 23, "POST /v1/impersonations") == 0;
      const bool end_call = start && c->in.find("/end ") < c->in.find("\r\n");
      c->in.erase(0, end + 4 + length);
      if (upgrade) {
        c->ws = true;
        send(c, upgraded + hello);
        std::lock_guard lock(ws_mutex);
        ws_conns.push_back(c);
      } else if (start) {
        {
          const auto& frame = end_call ? removed : upsert;
          std::lock_guard lock(ws_mutex);
          for (auto* w : ws_conns) send(w, frame);
        }
        send(c, end_call ? ended : created);
      } else {
        send(c, allow);
      }
    }
    frames(c);
  }

  void frames(conn* c) {
    while (c->in.size() >= 2) {
      const auto* p = reinterpret_cast<const unsigned char*>(c->in.data());
      std::size_t len = p[1] & 0x7f, head = 2;
      if (len == 126) {
        if (c->in.size() < 4) return;
        len = (std::size_t(p[2]) << 8) | p[3];
        head = 4;
      } else if (len == 127) {
        return drop(c);  // the floor accepts no large frames
      }
      head += (p[1] & 0x80) ? 4 : 0;
      if (c->in.size() < head + len) return;
      const int opcode = p[0] & 0x0f;
      c->in.erase(0, head + len);
      if (opcode == 8) return drop(c);
      send(c, pong);
    }
  }

  int listen_;
  int ep_;
};

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4096) != 0) {
    std::perror("bind/listen");
    std::exit(1);
  }
  return fd;
}

} // namespace

int main(int argc, char** argv) {
  int port = 0, threads = 1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--port") port = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<int> fds{listen_on(port)};
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fds[0], reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  for (int t = 1; t < threads; ++t) fds.push_back(listen_on(port));
  std::printf("listening on http://127.0.0.1:%d/\n", port);
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([fd = fds[t]] { worker(fd).run(); });
  worker(fds[0]).run();
}
