#pragma once
// Three actas nodes on one PostgreSQL (a schema of their own on the throwaway server) behind a real
// nginx running dist/nginx-actas.conf, as docs/deploy.md describes. Clients reach the nodes only through
// nginx, as browsers behind a load balancer do; the test reaches one node directly only to kill it.
#include <atomic>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/race/two_nodes.hpp"

#ifndef ACTAS_SOURCE_DIR
#error "ACTAS_SOURCE_DIR must name the source tree (for dist/nginx-actas.conf)"
#endif

namespace actas::testing {

inline std::string replace_all(std::string text, const std::string& word, const std::string& by) {
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + by.size()))
    text.replace(at, word.size(), by);
  return text;
}

/// Debian's nginx with the repository's configuration, in front of `nodes`.
struct load_balancer {
  explicit load_balancer(const std::vector<std::uint16_t>& nodes) {
    std::ifstream in(std::string(ACTAS_SOURCE_DIR) + "/dist/nginx-actas.conf");
    std::stringstream conf;
    conf << in.rdbuf();
    std::string upstreams;
    for (auto p : nodes) upstreams += "    server 127.0.0.1:" + std::to_string(p) + " max_fails=1 fail_timeout=2s;\n";
    const auto run = dir.path().string();
    std::filesystem::permissions(dir.path(), std::filesystem::perms::all);  // nginx's workers are not root
    auto text = replace_all(conf.str(), "@RUN@", run);
    text = replace_all(text, "@LISTEN@", "127.0.0.1:" + std::to_string(port));
    text = replace_all(text, "@UPSTREAMS@\n", upstreams);
    std::ofstream(dir.path() / "nginx.conf") << text;
    nginx = std::make_unique<process>(
      std::vector<std::string>{"-p", run, "-c", run + "/nginx.conf", "-e", run + "/error.log"},
      std::vector<std::string>{}, "/usr/sbin/nginx");
    up = eventually([&] { return http(port, "GET", "/livez", {}, {}, {}, std::chrono::seconds{2}).status == 200; },
                    std::chrono::seconds{30});
  }
  ~load_balancer() {
    // QUIT: nginx's graceful stop (its workers go too); a KILL of the master would leave them behind.
    nginx->signal(SIGQUIT);
    if (!nginx->wait_exit(std::chrono::seconds{10})) nginx->signal(SIGKILL);
  }
  std::string error_log() const {
    std::ifstream in(dir.path() / "error.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  temp_dir dir;
  std::uint16_t port = free_port();
  std::unique_ptr<process> nginx;
  bool up = false;
};

/// Three demo nodes on one fresh schema and nginx in front of them. A thread reads the nodes' output
/// while the test runs, so that a node that logs a lot never blocks on a full pipe.
class cluster_test : public ::testing::Test {
public:
  static constexpr int node_count = 3;

  /// The shared database the nodes use: a fresh schema of the suite's throwaway server.
  virtual std::string make_database() { return fresh_postgresql_schema(); }

  void SetUp() override {
    ASSERT_TRUE(on_postgresql()) << "this suite runs only against the throwaway PostgreSQL server";
    url = make_database();
    ASSERT_FALSE(url.empty());
    std::vector<std::uint16_t> ports;
    for (int i = 0; i < node_count; ++i) {
      nodes.push_back(std::make_unique<node>(url));
      ASSERT_NE(nodes.back()->port, 0) << nodes.back()->server.err_text;
      ports.push_back(nodes.back()->port);
    }
    lb = std::make_unique<load_balancer>(ports);
    ASSERT_TRUE(lb->up) << "nginx did not answer /livez through the nodes:\n" << lb->error_log();
    port = lb->port;
    pumper = std::thread([this] {
      while (!stop_pumping)
        for (auto& n : nodes) n->server.pump_until([] { return false; }, std::chrono::milliseconds{50});
    });
  }

  void TearDown() override {
    stop_pumping = true;
    if (pumper.joinable()) pumper.join();
    if (HasFailure())
      for (std::size_t i = 0; i < nodes.size(); ++i)
        std::cerr << "--- node " << i << " said:\n" << nodes[i]->server.err_text.substr(0, 200000) << "\n";
    lb.reset();
    nodes.clear();
  }

  /// A token of `user` (password login through nginx).
  std::string login_lb(const std::string& user) { return login(port, user); }

  std::string url;
  std::vector<std::unique_ptr<node>> nodes;
  std::unique_ptr<load_balancer> lb;
  std::uint16_t port = 0;
  std::atomic<bool> stop_pumping{false};
  std::thread pumper;
};

/// One browser tab behind the load balancer: it opens its socket through nginx (a ticket bought through
/// whichever node nginx picks), keeps the id of the last notification it got, and when its socket drops
/// it reconnects with `resume=` that id, as the web console does.
class roaming_tab {
public:
  roaming_tab(std::uint16_t lb_port, std::string token, std::string resume_after)
      : port_(lb_port), token_(std::move(token)), last_(std::move(resume_after)) {
    thread_ = std::thread([this] { run(); });
  }
  ~roaming_tab() { stop(); }

  /// Asks the tab to stop: its socket is shut down, which ends the read it is blocked in.
  void ask_to_stop() {
    stop_ = true;
    std::lock_guard lock(mutex_);
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  void stop() {
    ask_to_stop();
    if (thread_.joinable()) thread_.join();
  }

  /// The notification ids received so far, over every connection, in arrival order.
  std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }
  int connections() const { return connections_; }
  /// The close codes of the connections that ended (0: no close frame: the peer vanished or a read timed out).
  std::vector<int> close_codes() const {
    std::lock_guard lock(mutex_);
    return close_codes_;
  }

private:
  void run() {
    while (!stop_) {
      auto t = http(port_, "POST", "/v1/ws/ticket", {}, token_, {}, std::chrono::seconds{5});
      if (t.status != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        continue;
      }
      std::string target = "/v1/ws?ticket=" + t.body.value("ticket", "");
      if (!last_.empty()) target += "&resume=" + last_;
      ws_client ws;
      if (ws.connect(port_, target, std::nullopt, std::chrono::seconds{5}) != 101) {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        if (stop_) break;
        fd_ = ws.native_handle();
      }
      // Attached once its hello came: from then on every notification reaches it.
      auto hello = ws.read(std::chrono::seconds{10});
      if (!hello || hello->value("type", "") != "hello") {
        forget_socket();
        continue;
      }
      ++connections_;
      // A read that times out (a minute without a frame) closes the client's socket: the tab then
      // reconnects and resumes, as it does after any drop.
      while (!stop_) {
        auto f = ws.read(std::chrono::seconds{60});
        if (!f) {
          std::lock_guard lock(mutex_);
          if (!stop_) close_codes_.push_back(ws.close_code().value_or(0));
          break;
        }
        if (f->value("type", "") != "notification") continue;
        std::lock_guard lock(mutex_);
        last_ = (*f)["notification"].value("id", "");
        ids_.push_back(last_);
      }
      forget_socket();
    }
  }

  /// Called before the connection's socket is closed, so that ask_to_stop never shuts down a reused number.
  void forget_socket() {
    std::lock_guard lock(mutex_);
    fd_ = -1;
  }

  std::uint16_t port_;
  int fd_ = -1;
  std::string token_;
  std::string last_;
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
  std::vector<int> close_codes_;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Tabs that stop together: each waits up to one read for its stop, so all are asked before any is joined.
struct tab_group {
  std::vector<std::unique_ptr<roaming_tab>> tabs;
  ~tab_group() {
    for (auto& t : tabs) t->ask_to_stop();
    tabs.clear();
  }
};

/// `user`'s notification ids after `after` (all when empty), in inbox order, as the database has them.
inline std::vector<std::string> inbox_after(const std::string& url, const std::string& user, const std::string& after) {
  std::vector<std::string> out;
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, ("SELECT notification_id FROM notifications WHERE user_id = '" + user +
                             "' ORDER BY created_at, notification_id").c_str());
    bool past = after.empty();
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
      for (int i = 0; i < PQntuples(r); ++i) {
        std::string id = PQgetvalue(r, i, 0);
        if (past) out.push_back(id);
        if (id == after) past = true;
      }
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

} // namespace actas::testing
