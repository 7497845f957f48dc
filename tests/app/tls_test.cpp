// SPEC §10 TLS (issue 15 item 3): with tls_cert_file and tls_key_file the binary serves HTTPS and WSS on its
// listen address, speaks TLS 1.2 and 1.3 only, and on SIGHUP swaps in the files' new pair for new
// connections while the open ones (a kept-alive HTTPS connection, a WSS tab) go on. Certificates come from
// throwaway CAs made here with the openssl command; curl and `openssl s_client` are the outside clients, a
// Beast client over OpenSSL holds the connections that must survive the reload.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "tests/app/shell.hpp"
#include "tests/net/process.hpp"
#include "tests/store/temp_dir.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A throwaway certificate authority and the server certificates it signs (P-256, valid two days, the
/// server's for IP 127.0.0.1 only).
class test_ca {
public:
  test_ca(fs::path dir, const std::string& name) : dir_(std::move(dir)), name_(name) {
    must("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" + name +
         " -keyout " + key().string() + " -out " + pem().string());
  }
  fs::path pem() const { return dir_ / (name_ + "-ca.pem"); }

  /// Writes a server certificate and its key for 127.0.0.1 to `cert` and `key_out`.
  void issue(const fs::path& cert, const fs::path& key_out) const {
    const auto csr = dir_ / (name_ + "-server.csr");
    const auto ext = dir_ / (name_ + "-server.ext");
    std::ofstream(ext) << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    must("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 -keyout " +
         key_out.string() + " -out " + csr.string());
    must("openssl x509 -req -days 2 -in " + csr.string() + " -CA " + pem().string() + " -CAkey " + key().string() +
         " -CAcreateserial -extfile " + ext.string() + " -out " + cert.string());
  }

private:
  fs::path key() const { return dir_ / (name_ + "-ca.key"); }
  static void must(const std::string& command) {
    const auto [rc, out] = actas::testing::run_shell(command);
    if (rc != 0) throw std::runtime_error(command + " failed: " + out);
  }
  fs::path dir_;
  std::string name_;
};

/// curl over HTTPS trusting only `ca`: {curl's exit code, HTTP status, body}.
struct curl_result {
  int exit_code = -1;
  std::string status, body, output;
};
curl_result curl(std::uint16_t port, const fs::path& ca, const std::string& path, const std::string& options = {}) {
  const auto body = fs::temp_directory_path() / ("actas-tls-curl-" + std::to_string(getpid()));
  const auto [rc, out] = actas::testing::run_shell("curl -sS --max-time 10 --cacert " + ca.string() + " " + options + " -o " + body.string() +
                             " -w '%{http_code}' https://127.0.0.1:" + std::to_string(port) + path);
  curl_result r{rc, {}, {}, out};
  // -w prints the status last; an error message (with -sS) comes before it.
  r.status = out.size() >= 3 ? out.substr(out.size() - 3) : out;
  std::ifstream in(body);
  r.body.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(body);
  return r;
}

/// One TLS connection that trusts only `ca` and checks the server is 127.0.0.1; every step bounded.
class tls_connection {
public:
  tls_connection(std::uint16_t port, const fs::path& ca) : ctx_(ssl::context::tls_client), stream_(ioc_, ctx_) {
    ctx_.load_verify_file(ca.string());
    stream_.set_verify_mode(ssl::verify_peer);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream_.native_handle()), "127.0.0.1");
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_after(10s);
    tcp.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                      [this](beast::error_code e) { ec_ = e; });
    finish();
    if (ec_) return;
    tcp.expires_after(10s);
    stream_.async_handshake(ssl::stream_base::client, [this](beast::error_code e) { ec_ = e; });
    finish();
  }
  /// Why connecting or the last request failed; empty when all went well.
  std::string error() const { return ec_ ? ec_.message() : std::string(); }

  /// A request on this (kept-alive) connection: the status, 0 on failure.
  unsigned request(http::verb method, const std::string& target, const std::string& body = {},
                   const std::string& bearer = {}, json* answer = nullptr) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(10s);
    http::async_write(stream_, req, [this](beast::error_code e, std::size_t) { ec_ = e; });
    finish();
    if (ec_) return 0;
    http::response<http::string_body> res;
    beast::get_lowest_layer(stream_).expires_after(10s);
    http::async_read(stream_, buffer_, res, [this](beast::error_code e, std::size_t) { ec_ = e; });
    finish();
    if (ec_) return 0;
    if (answer) *answer = json::parse(res.body(), nullptr, false);
    return res.result_int();
  }

  /// Upgrades this connection to a WebSocket (WSS) at `target` with `origin`; true once accepted.
  bool upgrade(const std::string& target, const std::string& origin) {
    ws_.emplace(std::move(stream_));
    ws_->set_option(websocket::stream_base::decorator([origin](websocket::request_type& r) {
      r.set(http::field::origin, origin);
    }));
    beast::get_lowest_layer(*ws_).expires_after(10s);
    ws_->async_handshake("127.0.0.1", target, [this](beast::error_code e) { ec_ = e; });
    finish();
    if (ec_) return false;
    beast::get_lowest_layer(*ws_).expires_never();
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    return true;
  }
  /// The next text frame of the WebSocket, as JSON (null after 10 s or on close).
  json read_frame() {
    beast::flat_buffer in;
    asio::steady_timer limit(ioc_, 10s);
    limit.async_wait([this](beast::error_code e) {
      if (!e) beast::get_lowest_layer(*ws_).cancel();
    });
    ws_->async_read(in, [this, &limit](beast::error_code e, std::size_t) {
      ec_ = e;
      limit.cancel();
    });
    finish();
    if (ec_) return nullptr;
    return json::parse(beast::buffers_to_string(in.data()), nullptr, false);
  }
  bool send_frame(const std::string& text) {
    ws_->async_write(asio::buffer(text), [this](beast::error_code e, std::size_t) { ec_ = e; });
    finish();
    return !ec_;
  }

private:
  void finish() {
    ioc_.run();
    ioc_.restart();
  }
  asio::io_context ioc_;
  ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

class tls_test : public ::testing::Test {
protected:
  void SetUp() override {
    first_ca_.emplace(dir_.path(), "first");
    second_ca_.emplace(dir_.path(), "second");
    first_ca_->issue(cert_, key_);
    std::ofstream(config_) << "tls_cert_file = \"" << cert_.string() << "\"\ntls_key_file = \"" << key_.string()
                           << "\"\n";
  }

  /// Starts `actas --demo` with the TLS configuration on a free port.
  void start() {
    actas_.emplace(std::vector<std::string>{"--demo", "--config", config_.string(), "--data",
                                            (dir_.path() / "data").string(), "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(actas_->wait_for_stdout("listening on https://127.0.0.1:")) << actas_->out_text << actas_->err_text;
    port_ = *actas::testing::listening_port(*actas_);
  }

  /// Puts a pair issued by `ca` where the configuration points, as a renewal tool would: written beside,
  /// then renamed over the old files.
  void replace_pair(const test_ca& ca) {
    const auto new_cert = dir_.path() / "new-cert.pem", new_key = dir_.path() / "new-key.pem";
    ca.issue(new_cert, new_key);
    fs::rename(new_key, key_);
    fs::rename(new_cert, cert_);
  }

  /// Waits (bounded) until stderr shows `needle`: the server has handled the signal.
  bool log_shows(const std::string& needle) {
    return actas_->pump_until([&] { return actas_->err_text.find(needle) != std::string::npos; }, 30s);
  }

  std::string login(tls_connection& c, const std::string& user) {
    json answer;
    EXPECT_EQ(c.request(http::verb::post, "/v1/login", json{{"username", user}, {"password", "demo"}}.dump(), {},
                        &answer),
              200u)
      << c.error();
    return answer.value("token", "");
  }

  /// A WSS tab of `user` that has received its `hello`.
  std::unique_ptr<tls_connection> open_tab(const std::string& user) {
    auto c = std::make_unique<tls_connection>(port_, first_ca_->pem());
    const auto token = login(*c, user);
    json answer;
    EXPECT_EQ(c->request(http::verb::post, "/v1/ws/ticket", {}, token, &answer), 200u) << answer.dump();
    const auto ticket = answer.value("ticket", "");
    EXPECT_TRUE(c->upgrade("/v1/ws?ticket=" + ticket, "https://127.0.0.1:" + std::to_string(port_))) << c->error();
    const auto hello = c->read_frame();
    EXPECT_EQ(hello.value("type", ""), "hello") << hello.dump();
    return c;
  }

  actas::testing::temp_dir dir_;
  fs::path cert_ = dir_.path() / "cert.pem", key_ = dir_.path() / "key.pem", config_ = dir_.path() / "actas.toml";
  std::optional<test_ca> first_ca_, second_ca_;
  std::optional<actas::testing::process> actas_;
  std::uint16_t port_ = 0;
};

TEST_F(tls_test, https_and_wss_are_served_with_the_configured_certificate_and_plain_http_is_not) {
  start();
  const auto live = curl(port_, first_ca_->pem(), "/livez");
  EXPECT_EQ(live.exit_code, 0) << live.output;
  EXPECT_EQ(live.status, "200");
  EXPECT_EQ(json::parse(live.body, nullptr, false).value("ok", false), true) << live.body;

  // A browser tab over WSS gets its hello, and its origin is the https one.
  auto tab = open_tab("ann");
  EXPECT_TRUE(tab->send_frame(R"({"type":"ping"})"));
  EXPECT_EQ(tab->read_frame().value("type", ""), "pong");

  // Another CA's client refuses the server; a plain-HTTP client gets no answer.
  const auto distrusted = curl(port_, second_ca_->pem(), "/livez");
  EXPECT_EQ(distrusted.exit_code, 60) << distrusted.output;  // 60: peer certificate cannot be authenticated
  const auto [rc, out] = actas::testing::run_shell("curl -sS --max-time 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
                             std::to_string(port_) + "/livez");
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("000"), std::string::npos) << out;
}

TEST_F(tls_test, only_tls_1_2_and_1_3_are_spoken) {
  start();
  for (const auto* version : {"--tlsv1.2 --tls-max 1.2", "--tlsv1.3 --tls-max 1.3"}) {
    const auto r = curl(port_, first_ca_->pem(), "/livez", version);
    EXPECT_EQ(r.status, "200") << version << ": " << r.output;
  }
  // An old client that offers only TLS 1.0 or 1.1 (allowed on its side by security level 0, as an old
  // library would) is refused in the handshake.
  for (const auto* old : {"-tls1", "-tls1_1"}) {
    const auto [rc, out] = actas::testing::run_shell("openssl s_client -connect 127.0.0.1:" + std::to_string(port_) + " " + old +
                               " -cipher 'DEFAULT:@SECLEVEL=0' -CAfile " + first_ca_->pem().string() + " </dev/null");
    EXPECT_NE(rc, 0) << old << " was accepted:\n" << out;
    // The server answers with the protocol_version alert and no cipher is agreed.
    EXPECT_NE(out.find("alert protocol version"), std::string::npos) << old << ":\n" << out;
    EXPECT_NE(out.find("Cipher is (NONE)"), std::string::npos) << old << ":\n" << out;
  }
}

TEST_F(tls_test, sighup_swaps_the_certificate_for_new_connections_and_drops_no_open_one) {
  start();
  auto tab = open_tab("ann");
  tls_connection kept(port_, first_ca_->pem());
  ASSERT_EQ(kept.request(http::verb::get, "/livez"), 200u) << kept.error();

  replace_pair(*second_ca_);
  actas_->signal(SIGHUP);
  ASSERT_TRUE(log_shows("TLS certificate reloaded")) << actas_->err_text;

  // New connections get the new certificate…
  const auto renewed = curl(port_, second_ca_->pem(), "/livez");
  EXPECT_EQ(renewed.status, "200") << renewed.output;
  EXPECT_EQ(curl(port_, first_ca_->pem(), "/livez").exit_code, 60);
  // …while the connections made before go on: the kept-alive one answers, the tab still talks.
  EXPECT_EQ(kept.request(http::verb::get, "/livez"), 200u) << kept.error();
  EXPECT_TRUE(tab->send_frame(R"({"type":"ping"})"));
  EXPECT_EQ(tab->read_frame().value("type", ""), "pong");
  // And the node is still up and ready.
  EXPECT_EQ(curl(port_, second_ca_->pem(), "/readyz").status, "200");
}

TEST_F(tls_test, a_pair_that_does_not_load_on_sighup_leaves_the_old_one_serving) {
  start();
  std::ofstream(key_, std::ios::trunc) << "not a key\n";
  actas_->signal(SIGHUP);
  ASSERT_TRUE(log_shows("was not reloaded")) << actas_->err_text;
  EXPECT_NE(actas_->err_text.find(key_.string()), std::string::npos) << actas_->err_text;
  const auto still = curl(port_, first_ca_->pem(), "/livez");
  EXPECT_EQ(still.status, "200") << still.output;
}

TEST_F(tls_test, a_key_that_is_not_the_certificates_is_refused_before_serving) {
  const auto other_cert = dir_.path() / "other-cert.pem", other_key = dir_.path() / "other-key.pem";
  second_ca_->issue(other_cert, other_key);
  std::ofstream(config_, std::ios::trunc) << "tls_cert_file = \"" << cert_.string() << "\"\ntls_key_file = \""
                                          << other_key.string() << "\"\n";
  actas::testing::process checked({"check-config", config_.string()});
  const auto status = checked.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  EXPECT_NE(checked.err_text.find("is not the key of the certificate"), std::string::npos) << checked.err_text;

  std::ofstream(config_, std::ios::trunc) << "tls_cert_file = \"" << cert_.string() << "\"\n";
  actas::testing::process half({"--config", config_.string(), "--data", (dir_.path() / "data").string()});
  const auto half_status = half.wait_exit();
  ASSERT_TRUE(half_status);
  EXPECT_EQ(WEXITSTATUS(*half_status), 2);
  EXPECT_NE(half.err_text.find("only one of tls_cert_file and tls_key_file"), std::string::npos) << half.err_text;
}

} // namespace
