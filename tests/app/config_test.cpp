#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "app/address.hpp"

namespace fs = std::filesystem;
using namespace actas::app;

namespace {

const std::string key_a(40, 'a');
const std::string key_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string key_c = "cccccccccccccccccccccccccccccccc";  // exactly 32

class config_test : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "actas_config_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  parse_result parse(std::vector<std::string> args) {
    return parse_config(args, [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    });
  }

  server_config ok(std::vector<std::string> args) {
    auto r = parse(std::move(args));
    EXPECT_TRUE(r.config.has_value()) << r.message;
    return r.config.value_or(server_config{});
  }

  /// Refused with exit code 2 and a message containing `needle`.
  void refused(std::vector<std::string> args, const std::string& needle) {
    auto r = parse(args);
    EXPECT_FALSE(r.config.has_value()) << "accepted: " << ::testing::PrintToString(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.message.find(needle), std::string::npos) << "message: " << r.message;
  }

  fs::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(config_test, defaults_serve_loopback_8080_under_data) {
  const auto c = ok({});
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_FALSE(c.demo);
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"http://127.0.0.1:8080"});
  EXPECT_TRUE(c.service_keys.empty());
  EXPECT_EQ(c.token_ttl_s, 43200);
  EXPECT_EQ(c.token_idle_s, 3600);
  EXPECT_EQ(c.worker_threads, 0u);
  EXPECT_EQ(c.io_threads, 2u);
  EXPECT_EQ(c.max_connections_per_ip, 256u);
  EXPECT_EQ(c.ws_idle_timeout_s, 300);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(db_path(c), "./data/actas.db");
}

TEST_F(config_test, flags_set_listen_data_origins_and_level) {
  const auto c = ok({"--listen", "10.1.2.3:9000", "--data=/srv/actas", "--allowed-origin", "https://LMS.example.com",
                     "--allowed-origin", "http://lms.example.com:80", "--allowed-origin", "https://lms.example.com:443",
                     "--log-level", "debug"});
  EXPECT_EQ(c.listen_host, "10.1.2.3");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.data_dir, "/srv/actas");
  // Normalised as browsers send Origin: lowercase, default port dropped, duplicates removed.
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://lms.example.com", "http://lms.example.com"}));
  EXPECT_EQ(c.log_level, "debug");
}

TEST_F(config_test, default_origin_follows_the_listen_address) {
  EXPECT_EQ(ok({"--listen", "0.0.0.0:9000"}).allowed_origins, std::vector<std::string>{"http://0.0.0.0:9000"});
  EXPECT_EQ(ok({"--listen", "[::1]:8443"}).allowed_origins, std::vector<std::string>{"http://[::1]:8443"});
  EXPECT_EQ(ok({"--listen", "Example.COM:80"}).allowed_origins, std::vector<std::string>{"http://example.com"});
  EXPECT_EQ(ok({"--listen", "[::1]:8443"}).listen_host, "::1");
}

TEST_F(config_test, port_zero_means_any_free_port_and_leaves_the_origin_to_the_server) {
  const auto c = ok({"--listen", "127.0.0.1:0"});
  EXPECT_EQ(c.listen_port, 0);
  // The real port is known only once bound: the server adds its own origin then.
  EXPECT_TRUE(c.allowed_origins.empty());
  EXPECT_EQ(ok({"--listen", "127.0.0.1:0", "--allowed-origin", "http://a.example"}).allowed_origins,
            std::vector<std::string>{"http://a.example"});
  refused({"--listen", "127.0.0.1:-1"}, "not a number");
}

TEST_F(config_test, file_values_apply_and_flags_win) {
  write("keys", key_a + "\n");
  const auto file = write("actas.toml", R"(
listen = "127.0.0.1:7000"
data = "state"
demo = true
allowed_origins = ["https://a.example", "https://b.example:8443"]
service_key_file = "keys"
token_ttl_s = 7200
token_idle_s = 600
worker_threads = 4
io_threads = 3
max_connections_per_ip = 32
ws_idle_timeout_s = 45
log_level = "warn"
)");
  auto c = ok({"--config", file});
  EXPECT_EQ(c.listen_port, 7000);
  EXPECT_EQ(c.data_dir, (dir_ / "state").string());  // relative to the file's folder
  EXPECT_TRUE(c.demo);
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example:8443"}));
  EXPECT_EQ(c.service_keys, std::vector<std::string>{key_a});
  EXPECT_EQ(c.token_ttl_s, 7200);
  EXPECT_EQ(c.token_idle_s, 600);
  EXPECT_EQ(c.worker_threads, 4u);
  EXPECT_EQ(c.io_threads, 3u);
  EXPECT_EQ(c.max_connections_per_ip, 32u);
  EXPECT_EQ(c.ws_idle_timeout_s, 45);
  EXPECT_EQ(c.log_level, "warn");

  c = ok({"--config", file, "--listen", "localhost:7001", "--data", "here", "--allowed-origin", "http://c.example",
          "--log-level", "error"});
  EXPECT_EQ(c.listen_host, "localhost");
  EXPECT_EQ(c.listen_port, 7001);
  EXPECT_EQ(c.data_dir, "here");
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"http://c.example"});
  EXPECT_EQ(c.log_level, "error");
}

TEST_F(config_test, service_keys_from_env_for_rotation) {
  env_["ACTAS_SERVICE_KEY"] = " " + key_a + " , " + key_b + ",," + key_a + "\n";
  EXPECT_EQ(ok({}).service_keys, (std::vector<std::string>{key_a, key_b}));
}

TEST_F(config_test, service_keys_from_env_file_ignore_blank_lines) {
  env_["ACTAS_SERVICE_KEY_FILE"] = write("keys", "\n" + key_a + "\r\n\n  " + key_c + "  \n\n");
  EXPECT_EQ(ok({}).service_keys, (std::vector<std::string>{key_a, key_c}));
}

TEST_F(config_test, environment_beats_the_file_key) {
  write("keys", key_a + "\n");
  const auto file = write("actas.toml", "service_key_file = \"keys\"\n");
  env_["ACTAS_SERVICE_KEY"] = key_b;
  EXPECT_EQ(ok({"--config", file}).service_keys, std::vector<std::string>{key_b});
  env_["ACTAS_SERVICE_KEY"] = "";  // set but empty counts as unset
  EXPECT_EQ(ok({"--config", file}).service_keys, std::vector<std::string>{key_a});
}

TEST_F(config_test, service_key_errors_never_echo_the_key) {
  env_["ACTAS_SERVICE_KEY"] = "short-secret-value";
  refused({}, "at least 32");
  EXPECT_EQ(parse({}).message.find("short-secret-value"), std::string::npos);
  env_["ACTAS_SERVICE_KEY"] = key_a + "," + std::string(31, 'x');
  refused({}, "service key 2 of ACTAS_SERVICE_KEY");
  env_["ACTAS_SERVICE_KEY"] = std::string(20, 'k') + " " + std::string(20, 'k');
  refused({}, "space");
  env_["ACTAS_SERVICE_KEY"] = ",,";
  refused({}, "holds no key");
  env_["ACTAS_SERVICE_KEY_FILE"] = "/nope";
  refused({}, "only one");
}

TEST_F(config_test, metrics_keys_come_from_their_own_file_and_are_not_service_keys) {
  write("scrapers", key_b + "\n\n" + key_c + "\n");
  env_["ACTAS_SERVICE_KEY"] = key_a;
  const auto c = ok({"--config", write("actas.toml", "metrics_key_file = \"scrapers\"\n")});
  EXPECT_EQ(c.metrics_keys, (std::vector<std::string>{key_b, key_c}));
  EXPECT_EQ(c.service_keys, std::vector<std::string>{key_a});
  EXPECT_TRUE(ok({}).metrics_keys.empty());
  refused({"--config", write("absent.toml", "metrics_key_file = \"absent\"\n")}, "metrics_key_file in");
  refused({"--config", write("empty.toml", "metrics_key_file = \"\"\n")}, "'metrics_key_file'");
}

TEST_F(config_test, unreadable_or_empty_key_file_refuses) {
  env_["ACTAS_SERVICE_KEY_FILE"] = (dir_ / "missing").string();
  refused({}, "cannot read service key file");
  env_["ACTAS_SERVICE_KEY_FILE"] = write("empty", "\n  \n");
  refused({}, "holds no key");
  env_["ACTAS_SERVICE_KEY_FILE"] = dir_.string();
  refused({}, "is a directory");
  env_.clear();
  refused({"--config", write("actas.toml", "service_key_file = \"absent\"\n")}, "cannot read service key file");
}

TEST_F(config_test, a_key_file_larger_than_64_kib_or_a_device_is_refused_without_reading_it_whole) {
  // Two valid keys padded with blank lines past the limit: refused for its size, not read on.
  env_["ACTAS_SERVICE_KEY_FILE"] = write("huge", key_a + "\n" + key_b + "\n" + std::string(64 * 1024, '\n'));
  refused({}, "larger than 64 KiB");
  // A device that never ends (a wrong path) answers the same, at once.
  env_["ACTAS_SERVICE_KEY_FILE"] = "/dev/zero";
  refused({}, "larger than 64 KiB");
  // Just under the limit, the keys are read.
  env_["ACTAS_SERVICE_KEY_FILE"] = write("padded", key_a + "\n" + key_b + std::string(60 * 1024, '\n'));
  EXPECT_EQ(ok({}).service_keys, (std::vector<std::string>{key_a, key_b}));
}

TEST_F(config_test, service_key_is_never_a_flag) {
  refused({"--service-key", key_a}, "never a command-line argument");
  refused({"--service-key=" + key_a}, "never a command-line argument");
  EXPECT_EQ(parse({"--service-key", key_a}).message.find(key_a), std::string::npos);
  const auto help = parse({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.message.find("--listen"), std::string::npos);
  EXPECT_EQ(help.message.find("--service-key"), std::string::npos);
}

TEST_F(config_test, version_prints_and_exits_zero) {
  const auto r = parse({"--version"});
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.message.find(std::string(version())), std::string::npos);
}

TEST_F(config_test, bad_listen_addresses_refuse) {
  refused({"--listen", "127.0.0.1"}, "HOST:PORT");
  refused({"--listen", "127.0.0.1:"}, "no port");
  refused({"--listen", "127.0.0.1:65536"}, "out of range");
  refused({"--listen", "127.0.0.1:http"}, "not a number");
  refused({"--listen", ":8080"}, "no host");
  refused({"--listen", "::1:8080"}, "brackets");
  refused({"--listen", "[::1]8080"}, "after ']'");
  refused({"--listen", "[nothost]:8080"}, "not an IPv6");
  refused({"--listen", "999.1.1.1:80"}, "neither");
  refused({"--listen", "bad_host!:80"}, "neither");
  refused({"--listen", "a..b:80"}, "neither");
  refused({"--listen", ""}, "--listen");
}

TEST_F(config_test, bad_origins_refuse) {
  for (const auto* o : {"lms.example.com", "ftp://lms.example.com", "http://lms.example.com/", "http://x.example/app",
                        "http://user@x.example", "http://x.example?q=1", "http://x.example#f", "http://x.example:0",
                        "http://", "*", "http://[::1", "http://x.example:99999"})
    refused({"--allowed-origin", o}, "--allowed-origin");
  refused({"--config", write("o.toml", "allowed_origins = [\"https://ok.example\", \"https://bad.example/x\"]\n")},
          "allowed_origins");
}

TEST_F(config_test, unknown_toml_key_refuses) {
  refused({"--config", write("u.toml", "listen = \"127.0.0.1:8080\"\nservice_key = \"x\"\n")},
          "unknown key 'service_key'");
  refused({"--config", write("t.toml", "[server]\nlisten = \"127.0.0.1:8080\"\n")}, "unknown key 'server'");
}

TEST_F(config_test, wrong_toml_types_refuse) {
  refused({"--config", write("a.toml", "listen = 8080\n")}, "'listen' in config file");
  refused({"--config", write("b.toml", "demo = \"yes\"\n")}, "true or false");
  refused({"--config", write("c.toml", "allowed_origins = \"http://x.example\"\n")}, "array of strings");
  refused({"--config", write("d.toml", "allowed_origins = [1]\n")}, "array of strings");
  refused({"--config", write("e.toml", "token_ttl_s = \"3600\"\n")}, "must be an integer");
  refused({"--config", write("f.toml", "worker_threads = 1.5\n")}, "must be an integer");
  refused({"--config", write("g.toml", "listen = \n")}, "line 1");
  refused({"--config", (dir_ / "missing.toml").string()}, "cannot read config file");
}

TEST_F(config_test, the_cluster_table_sets_the_staleness_bound_and_refuses_what_it_does_not_know) {
  EXPECT_EQ(ok({}).max_staleness_ms, 2000);  // SPEC §8's default
  EXPECT_EQ(ok({"--config", write("s.toml", "[cluster]\nmax_staleness_ms = 5000\n")}).max_staleness_ms, 5000);
  EXPECT_EQ(ok({"--config", write("d.toml", "cluster.max_staleness_ms = 1500\n")}).max_staleness_ms, 1500);
  refused({"--config", write("u.toml", "[cluster]\nstaleness = 5\n")}, "unknown key 'cluster.staleness'");
  refused({"--config", write("l.toml", "[cluster]\nmax_staleness_ms = 1000\n")}, "between 1500 and 60000");
  refused({"--config", write("t.toml", "[cluster]\nmax_staleness_ms = \"2s\"\n")}, "must be an integer");
  refused({"--config", write("c.toml", "cluster = 3\n")}, "must be a table");
}

TEST_F(config_test, forward_rules_are_read_in_order_and_a_rule_that_cannot_work_refuses_the_start) {
  EXPECT_TRUE(ok({}).forward_rules.empty());
  const auto c = ok({"--config", write("f.toml", "[[forward.rules]]\nmethod = \"GET\"\npath = \"/admin/**\"\naction = \"admin.view\"\n"
                                                  "[[forward.rules]]\npath = \"/courses/*/grades\"\naction = \"grades.any\"\n")});
  ASSERT_EQ(c.forward_rules.size(), 2u);
  EXPECT_EQ(c.forward_rules[0].action, "admin.view");
  EXPECT_EQ(c.forward_rules[1].method, "*");  // no method: any
  refused({"--config", write("m.toml", "[[forward.rules]]\nmethod = \"get\"\npath = \"/a\"\naction = \"a.b\"\n")},
          "forward rule 1 in config file");
  refused({"--config", write("p.toml", "[[forward.rules]]\npath = \"a/**\"\naction = \"a.b\"\n")}, "must start with '/'");
  refused({"--config", write("g.toml", "[[forward.rules]]\npath = \"/a**\"\naction = \"a.b\"\n")}, "whole segment");
  refused({"--config", write("a.toml", "[[forward.rules]]\npath = \"/a\"\naction = \"not valid\"\n")},
          "not a valid action name");
  refused({"--config", write("k.toml", "[[forward.rules]]\npath = \"/a\"\naction = \"a.b\"\nallow = true\n")},
          "unknown key 'allow'");
  refused({"--config", write("u.toml", "[forward]\nrule = 1\n")}, "unknown key 'forward.rule'");
  refused({"--config", write("t.toml", "[forward]\nrules = 3\n")}, "array of tables");
}

TEST_F(config_test, numbers_out_of_bounds_refuse) {
  refused({"--config", write("a.toml", "token_ttl_s = 10\n")}, "token_ttl_s");
  refused({"--config", write("b.toml", "token_ttl_s = 99999999\n")}, "between 60 and 2592000");
  refused({"--config", write("c.toml", "token_idle_s = 50000\n")}, "must not exceed token_ttl_s");
  refused({"--config", write("d.toml", "token_idle_s = -5\n")}, "token_idle_s");
  refused({"--config", write("e.toml", "worker_threads = -1\n")}, "worker_threads");
  refused({"--config", write("f.toml", "worker_threads = 100000\n")}, "worker_threads");
  refused({"--config", write("g0.toml", "io_threads = 0\n")}, "'io_threads' in config file");
  refused({"--config", write("g1.toml", "io_threads = 65\n")}, "'io_threads' in config file");
  refused({"--config", write("g.toml", "max_connections_per_ip = 0\n")}, "max_connections_per_ip");
  refused({"--config", write("h.toml", "log_level = \"loud\"\n")}, "log_level");
  refused({"--config", write("i.toml", "ws_idle_timeout_s = 1\n")}, "'ws_idle_timeout_s' in config file");
  refused({"--config", write("j.toml", "ws_idle_timeout_s = 3601\n")}, "between 2 and 3600");
  refused({"--log-level", "verbose"}, "--log-level");
}

TEST_F(config_test, demo_accepts_only_loopback) {
  EXPECT_TRUE(ok({"--demo"}).demo);
  for (const auto* l : {"127.0.0.1:8080", "127.3.2.1:9000", "localhost:8080", "[::1]:8080"})
    EXPECT_TRUE(ok({"--demo", "--listen", l}).demo) << l;
  refused({"--demo", "--listen", "0.0.0.0:8080"}, "loopback only");
  refused({"--demo", "--listen", "[::]:8080"}, "loopback only");
  refused({"--demo", "--listen", "192.168.1.20:8080"}, "loopback only");
  refused({"--demo", "--listen", "example.com:8080"}, "loopback only");
  refused({"--config", write("d.toml", "demo = true\nlisten = \"0.0.0.0:8080\"\n")}, "loopback only");
}

TEST_F(config_test, unknown_flags_refuse) {
  refused({"--frobnicate"}, "--help");
  refused({"--listen"}, "--listen");
}

TEST(address_test, loopback_hosts) {
  for (const auto* h : {"127.0.0.1", "127.255.0.9", "::1", "[::1]", "localhost", "LocalHost", "::ffff:127.0.0.1",
                        "0:0:0:0:0:0:0:1"})
    EXPECT_TRUE(is_loopback_host(h)) << h;
  for (const auto* h : {"0.0.0.0", "::", "128.0.0.1", "10.0.0.1", "example.com", "localhost.example.com", ""})
    EXPECT_FALSE(is_loopback_host(h)) << h;
}

TEST(address_test, origins_normalise_like_browsers) {
  EXPECT_EQ(normalize_origin("HTTP://Example.COM:8080", "x"), "http://example.com:8080");
  EXPECT_EQ(normalize_origin("https://example.com:443", "x"), "https://example.com");
  EXPECT_EQ(normalize_origin("http://[::1]:3000", "x"), "http://[::1]:3000");
  EXPECT_EQ(normalize_origin("http://127.0.0.1", "x"), "http://127.0.0.1");
  EXPECT_THROW(normalize_origin("http://example.com/", "x"), std::invalid_argument);
}

} // namespace
