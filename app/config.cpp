#include "app/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include "app/address.hpp"
#include "app/service_keys.hpp"
#include "net/tls.hpp"

#ifndef ACTAS_VERSION
#define ACTAS_VERSION "0.0.0"
#endif

namespace actas::app {

namespace fs = std::filesystem;

std::string_view version() { return ACTAS_VERSION; }

namespace {

/// Thrown inside parse_config only; becomes parse_result{exit 2, message}.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& message) { throw config_error(message); }

/// Thrown for --help and --version: print `message` to stdout and exit 0.
struct early_exit {
  std::string message;
};

constexpr std::int64_t min_ttl_s = 60;
constexpr std::int64_t max_ttl_s = 30 * 24 * 3600;
constexpr std::int64_t max_worker_threads = 256;
constexpr std::int64_t max_io_threads = 64;
constexpr std::int64_t max_connections_limit = 100000;
// Below 2 s a loaded machine could miss a pong; above 1 h a dead socket holds its slot too long.
constexpr std::int64_t min_ws_idle_s = 2;
constexpr std::int64_t max_ws_idle_s = 3600;

const std::vector<std::string> toml_keys{
    "listen", "data", "database_url", "demo", "allowed_origins", "service_key_file", "metrics_key_file", "audit_signing_key_file", "tls_cert_file", "tls_key_file", "token_ttl_s", "token_idle_s",
    "worker_threads", "io_threads", "max_connections_per_ip", "ws_idle_timeout_s", "log_level", "log_format", "cluster", "forward"};
const std::vector<std::string> cluster_keys{"max_staleness_ms"};
// Below 1.5 s a node would fail closed between two follow rounds (one a second, plus the round's own
// reads); above 60 s a revoked token would work on a cut-off node for a minute.
constexpr std::int64_t min_staleness_ms = 1500;
constexpr std::int64_t max_staleness_ms = 60000;

const std::set<std::string, std::less<>> log_levels{"trace", "debug", "info", "warn", "error", "critical",
                                                     "off"};

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> unique(std::vector<std::string> items) {
  std::vector<std::string> out;
  for (auto& s : items)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  return out;
}

void check_range(std::int64_t value, std::int64_t lo, std::int64_t hi, const std::string& what) {
  if (value < lo || value > hi)
    fail(what + " is " + std::to_string(value) + "; it must be between " + std::to_string(lo) + " and " +
         std::to_string(hi));
}

/// Values the TOML file sets; everything else keeps its default.
struct file_values {
  std::optional<std::string> listen, data, database_url, service_key_file, metrics_key_file, audit_signing_key_file,
      tls_cert_file, tls_key_file, log_level, log_format;
  std::optional<bool> demo;
  std::optional<std::vector<std::string>> allowed_origins;
  std::optional<std::int64_t> token_ttl_s, token_idle_s, worker_threads, io_threads, max_connections_per_ip,
      ws_idle_timeout_s, max_staleness_ms;
  std::vector<domain::forward_rule> forward_rules;
};

/// SPEC §9 `[[forward.rules]]`: method, path, action, each rule checked (domain/forward_auth.hpp).
std::vector<domain::forward_rule> read_forward_rules(const toml::node& node, const std::string& path) {
  const auto where = "'forward' in config file '" + path + "'";
  if (!node.is_table()) fail(where + " must be a table ([forward] or [[forward.rules]])");
  const auto& forward = *node.as_table();
  for (const auto& [key, value] : forward) {
    (void)value;
    if (key.str() != "rules") fail("unknown key 'forward." + std::string(key.str()) + "' in config file '" + path + "' (known: forward.rules)");
  }
  std::vector<domain::forward_rule> rules;
  const auto* list = forward.get("rules");
  if (!list) return rules;
  if (!list->is_array()) fail("'forward.rules' in config file '" + path + "' must be an array of tables ([[forward.rules]])");
  if (list->as_array()->size() > domain::max_forward_rules)
    fail("'forward.rules' in config file '" + path + "' has more than " + std::to_string(domain::max_forward_rules) + " rules");
  for (const auto& item : *list->as_array()) {
    const auto at = "forward rule " + std::to_string(rules.size() + 1) + " in config file '" + path + "'";
    if (!item.is_table()) fail(at + " must be a table with method, path and action");
    domain::forward_rule rule;
    for (const auto& [key, value] : *item.as_table()) {
      const std::string name(key.str());
      if (name != "method" && name != "path" && name != "action") fail(at + " has the unknown key '" + name + "' (known: method, path, action)");
      if (!value.is_string()) fail(at + ": '" + name + "' must be a string");
      (name == "method" ? rule.method : name == "path" ? rule.path : rule.action) = value.as_string()->get();
    }
    if (rule.method.empty()) rule.method = "*";
    if (auto problem = domain::forward_rule_problem(rule)) fail(at + ": " + *problem);
    rules.push_back(std::move(rule));
  }
  return rules;
}

/// Resolves a path written in the config file against the file's folder.
std::string relative_to(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? p : (base / path).lexically_normal().string();
}

file_values read_toml(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail("config file '" + path + "' is a directory");
  {
    std::ifstream probe(path);
    if (!probe.is_open()) fail("cannot read config file '" + path + "': " + std::strerror(errno));
  }
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    fail("config file '" + path + "', line " + std::to_string(at.line) + ", column " +
         std::to_string(at.column) + ": " + std::string(e.description()));
  }
  const auto where = [&](std::string_view key) { return "'" + std::string(key) + "' in config file '" + path + "'"; };
  for (const auto& [key, node] : table) {
    (void)node;
    if (std::find(toml_keys.begin(), toml_keys.end(), key.str()) == toml_keys.end())
      fail("unknown key '" + std::string(key.str()) + "' in config file '" + path + "' (known keys: " +
           join(toml_keys, ", ") + ")");
  }
  const auto string_of = [&](std::string_view key) -> std::optional<std::string> {
    const auto* node = table.get(key);
    if (!node) return std::nullopt;
    if (!node->is_string()) fail(where(key) + " must be a string");
    return node->as_string()->get();
  };
  const auto int_of = [&](std::string_view key) -> std::optional<std::int64_t> {
    const auto* node = table.get(key);
    if (!node) return std::nullopt;
    if (!node->is_integer()) fail(where(key) + " must be an integer");
    return node->as_integer()->get();
  };
  const fs::path base = fs::path(path).parent_path();
  file_values v;
  v.listen = string_of("listen");
  if (auto d = string_of("data")) v.data = d->empty() ? *d : relative_to(base, *d);
  v.database_url = string_of("database_url");
  if (auto k = string_of("service_key_file")) v.service_key_file = k->empty() ? *k : relative_to(base, *k);
  if (auto k = string_of("metrics_key_file")) v.metrics_key_file = k->empty() ? *k : relative_to(base, *k);
  if (auto k = string_of("audit_signing_key_file"))
    v.audit_signing_key_file = k->empty() ? *k : relative_to(base, *k);
  if (auto k = string_of("tls_cert_file")) v.tls_cert_file = k->empty() ? *k : relative_to(base, *k);
  if (auto k = string_of("tls_key_file")) v.tls_key_file = k->empty() ? *k : relative_to(base, *k);
  v.log_level = string_of("log_level");
  v.log_format = string_of("log_format");
  if (const auto* node = table.get("demo")) {
    if (!node->is_boolean()) fail(where("demo") + " must be true or false");
    v.demo = node->as_boolean()->get();
  }
  if (const auto* node = table.get("allowed_origins")) {
    if (!node->is_array()) fail(where("allowed_origins") + " must be an array of strings");
    std::vector<std::string> origins;
    for (const auto& item : *node->as_array()) {
      if (!item.is_string()) fail(where("allowed_origins") + " must be an array of strings");
      origins.push_back(item.as_string()->get());
    }
    v.allowed_origins = std::move(origins);
  }
  v.token_ttl_s = int_of("token_ttl_s");
  v.token_idle_s = int_of("token_idle_s");
  v.worker_threads = int_of("worker_threads");
  v.io_threads = int_of("io_threads");
  v.max_connections_per_ip = int_of("max_connections_per_ip");
  v.ws_idle_timeout_s = int_of("ws_idle_timeout_s");
  if (const auto* node = table.get("forward")) v.forward_rules = read_forward_rules(*node, path);
  if (const auto* node = table.get("cluster")) {
    if (!node->is_table()) fail(where("cluster") + " must be a table ([cluster])");
    const auto& cluster = *node->as_table();
    for (const auto& [key, value] : cluster) {
      (void)value;
      if (std::find(cluster_keys.begin(), cluster_keys.end(), key.str()) == cluster_keys.end())
        fail("unknown key 'cluster." + std::string(key.str()) + "' in config file '" + path + "' (known: cluster." +
             join(cluster_keys, ", cluster.") + ")");
    }
    if (const auto* ms = cluster.get("max_staleness_ms")) {
      if (!ms->is_integer()) fail(where("cluster.max_staleness_ms") + " must be an integer");
      v.max_staleness_ms = ms->as_integer()->get();
    }
  }
  return v;
}

/// Values given on the command line.
struct flag_values {
  std::string listen, data, config, log_level, log_format;
  bool demo = false;
  std::vector<std::string> allowed_origins;
};

server_config build(const std::vector<std::string>& args, const env_lookup& env) {
  for (const auto& a : args)
    if (a.rfind("--service-key", 0) == 0)
      fail("the service key is never a command-line argument (it would show in `ps` and shell history); "
           "set ACTAS_SERVICE_KEY or ACTAS_SERVICE_KEY_FILE, or service_key_file in the --config file");

  flag_values f;
  CLI::App cli{"actas: impersonation and support-access session server", "actas"};
  cli.set_version_flag("--version", std::string(version()));
  auto* listen_opt = cli.add_option("--listen", f.listen, "HOST:PORT to serve on (default 127.0.0.1:8080)");
  auto* data_opt = cli.add_option("--data", f.data, "data folder holding actas.db (default ./data)");
  cli.add_flag("--demo", f.demo, "seed the demo realm once, print its logins; loopback only");
  auto* origin_opt = cli.add_option("--allowed-origin", f.allowed_origins,
                                    "http(s)://host[:port] a browser may connect from (repeatable)");
  auto* config_opt = cli.add_option("--config", f.config, "TOML configuration file");
  auto* format_opt = cli.add_option("--log-format", f.log_format, "text or json (one object a line; default text)");
  auto* level_opt = cli.add_option("--log-level", f.log_level,
                                   "trace, debug, info, warn, error, critical or off (default info)");
  cli.footer("To move a node onto PostgreSQL: actas migrate --help. "
             "Service keys come from ACTAS_SERVICE_KEY (comma-separated for rotation), "
             "ACTAS_SERVICE_KEY_FILE or service_key_file in the config file; never from a flag.");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    cli.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    throw early_exit{cli.help()};
  } catch (const CLI::CallForVersion& e) {
    throw early_exit{"actas " + std::string(e.what()) + "\n"};
  }

  server_config c;
  file_values file;
  const bool have_file = config_opt->count() > 0;
  if (have_file) {
    if (f.config.empty()) fail("--config needs a file name");
    file = read_toml(f.config);
  }

  // Layer by layer: defaults, then the file, then the environment, then flags.
  std::string listen = "127.0.0.1:8080";
  std::string listen_where = "the default listen address";
  if (file.listen) {
    listen = *file.listen;
    listen_where = "'listen' in config file '" + f.config + "'";
  }
  if (listen_opt->count()) {
    listen = f.listen;
    listen_where = "--listen";
  }
  // Port 0 asks for any free port (tests); the server reports the one it got.
  const auto hp = parse_host_port(listen, listen_where, true);
  c.listen_host = hp.host;
  c.listen_port = hp.port;

  // SPEC §10 TLS: both files or neither; loaded here once so a wrong pair refuses the start (and
  // check-config) with OpenSSL's reason instead of failing the first handshake.
  if (file.tls_cert_file.has_value() != file.tls_key_file.has_value())
    fail("config file '" + f.config + "' sets only one of tls_cert_file and tls_key_file; HTTPS needs both");
  if (file.tls_cert_file) {
    if (file.tls_cert_file->empty() || file.tls_key_file->empty())
      fail("'tls_cert_file' and 'tls_key_file' in config file '" + f.config + "' must not be empty");
    try {
      net::tls_certificate probe(*file.tls_cert_file, *file.tls_key_file);
    } catch (const std::exception& e) {
      fail(e.what());
    }
    c.tls_cert_file = *file.tls_cert_file;
    c.tls_key_file = *file.tls_key_file;
  }

  if (file.data) c.data_dir = *file.data;
  if (data_opt->count()) c.data_dir = f.data;
  if (c.data_dir.empty()) fail("the data folder must not be empty");

  std::string url_where;
  if (file.database_url) {
    c.database_url = *file.database_url;
    url_where = "'database_url' in config file '" + f.config + "'";
  }
  if (auto u = env("ACTAS_DATABASE_URL"); u && !u->empty()) {
    c.database_url = *u;
    url_where = "ACTAS_DATABASE_URL";
  }
  if (!c.database_url.empty() && !c.database_url.starts_with("postgresql://") &&
      !c.database_url.starts_with("postgres://"))
    fail(url_where + " must be a postgresql:// URL (SQLite needs none: it lives in the data folder)");

  if (file.demo) c.demo = *file.demo;
  if (f.demo) c.demo = true;

  std::vector<std::string> origins;
  std::string origins_where;
  if (file.allowed_origins) {
    origins = *file.allowed_origins;
    origins_where = "'allowed_origins' in config file '" + f.config + "'";
  }
  if (origin_opt->count()) {
    origins = f.allowed_origins;
    origins_where = "--allowed-origin";
  }
  for (const auto& o : origins) c.allowed_origins.push_back(normalize_origin(o, origins_where));
  // Without a list, the server's own origin; with port 0 that is known only once bound, so the list stays
  // empty and the server adds its own origin.
  if (c.allowed_origins.empty() && c.listen_port != 0) c.allowed_origins.push_back(listen_url(c));
  c.allowed_origins = unique(std::move(c.allowed_origins));

  const auto nonempty = [&](const char* name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && trim(*v).empty()) return std::nullopt;
    return v;
  };
  const auto env_keys = nonempty("ACTAS_SERVICE_KEY");
  const auto env_key_file = nonempty("ACTAS_SERVICE_KEY_FILE");
  if (env_keys && env_key_file)
    fail("both ACTAS_SERVICE_KEY and ACTAS_SERVICE_KEY_FILE are set; set only one");
  if (env_keys)
    c.service_keys = keys_from_list(*env_keys, "ACTAS_SERVICE_KEY");
  else if (env_key_file)
    c.service_keys = keys_from_file(trim(*env_key_file), "ACTAS_SERVICE_KEY_FILE");
  else if (file.service_key_file) {
    if (file.service_key_file->empty()) fail("'service_key_file' in config file '" + f.config + "' is empty");
    c.service_keys = keys_from_file(*file.service_key_file, "service_key_file in '" + f.config + "'");
  }
  c.service_keys = unique(std::move(c.service_keys));
  // SPEC §10: keys that read GET /metrics and nothing else (a scraper needs no user token).
  if (file.metrics_key_file) {
    if (file.metrics_key_file->empty()) fail("'metrics_key_file' in config file '" + f.config + "' is empty");
    c.metrics_keys = unique(keys_from_file(*file.metrics_key_file, "metrics_key_file in '" + f.config + "'"));
  }
  // SPEC §10: the Ed25519 seed that signs audit heads, 64 hex digits on one line (`openssl rand -hex 32`).
  if (file.audit_signing_key_file) {
    const auto where = "audit_signing_key_file in '" + f.config + "'";
    if (file.audit_signing_key_file->empty()) fail("'audit_signing_key_file' in config file '" + f.config + "' is empty");
    const auto keys = keys_from_file(*file.audit_signing_key_file, where);
    const auto is_hex = [](const std::string& k) {
      return k.size() == 64 && k.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    };
    if (keys.size() != 1 || !is_hex(keys.front()))
      fail("the file of " + where + " must hold one Ed25519 seed: 64 hex digits on one line (openssl rand -hex 32)");
    c.audit_signing_seed = keys.front();
  }

  c.forward_rules = std::move(file.forward_rules);

  const auto file_where = [&](const char* key) { return "'" + std::string(key) + "' in config file '" + f.config + "'"; };
  if (file.token_ttl_s) {
    check_range(*file.token_ttl_s, min_ttl_s, max_ttl_s, file_where("token_ttl_s"));
    c.token_ttl_s = *file.token_ttl_s;
  }
  if (file.token_idle_s) {
    check_range(*file.token_idle_s, min_ttl_s, max_ttl_s, file_where("token_idle_s"));
    c.token_idle_s = *file.token_idle_s;
  }
  if (c.token_idle_s > c.token_ttl_s)
    fail("token_idle_s (" + std::to_string(c.token_idle_s) + ") must not exceed token_ttl_s (" +
         std::to_string(c.token_ttl_s) + ")");
  if (file.worker_threads) {
    check_range(*file.worker_threads, 0, max_worker_threads, file_where("worker_threads"));
    c.worker_threads = static_cast<std::size_t>(*file.worker_threads);
  }
  if (file.io_threads) {
    check_range(*file.io_threads, 1, max_io_threads, file_where("io_threads"));
    c.io_threads = static_cast<std::size_t>(*file.io_threads);
  }
  if (file.max_connections_per_ip) {
    check_range(*file.max_connections_per_ip, 1, max_connections_limit, file_where("max_connections_per_ip"));
    c.max_connections_per_ip = static_cast<std::size_t>(*file.max_connections_per_ip);
  }
  if (file.ws_idle_timeout_s) {
    check_range(*file.ws_idle_timeout_s, min_ws_idle_s, max_ws_idle_s, file_where("ws_idle_timeout_s"));
    c.ws_idle_timeout_s = *file.ws_idle_timeout_s;
  }
  if (file.max_staleness_ms) {
    check_range(*file.max_staleness_ms, min_staleness_ms, max_staleness_ms, file_where("cluster.max_staleness_ms"));
    c.max_staleness_ms = *file.max_staleness_ms;
  }

  std::string level_where = "log level";
  if (file.log_level) {
    c.log_level = *file.log_level;
    level_where = file_where("log_level");
  }
  if (level_opt->count()) {
    c.log_level = f.log_level;
    level_where = "--log-level";
  }
  if (!log_levels.contains(c.log_level))
    fail(level_where + " '" + c.log_level + "' is not one of trace, debug, info, warn, error, critical, off");

  std::string format_where = "log format";
  if (file.log_format) {
    c.log_format = *file.log_format;
    format_where = file_where("log_format");
  }
  if (format_opt->count()) {
    c.log_format = f.log_format;
    format_where = "--log-format";
  }
  if (c.log_format != "text" && c.log_format != "json")
    fail(format_where + " '" + c.log_format + "' is not one of text, json");

  if (c.demo && !is_loopback_host(c.listen_host))
    fail("demo mode (--demo) listens on loopback only (127.0.0.0/8, ::1 or localhost), not on '" + c.listen_host +
         "': demo users all have the password \"demo\"");
  return c;
}

} // namespace

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

parse_result parse_config(const std::vector<std::string>& args, const env_lookup& env) {
  try {
    return {build(args, env), 0, {}};
  } catch (const early_exit& e) {
    return {std::nullopt, 0, e.message};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, 2, std::string(e.what()) + "\nRun with --help for more information."};
  } catch (const config_error& e) {
    return {std::nullopt, 2, e.what()};
  } catch (const std::invalid_argument& e) {  // from address.hpp
    return {std::nullopt, 2, e.what()};
  }
}

std::string db_path(const server_config& c) {
  return c.database_url.empty() ? (fs::path(c.data_dir) / "actas.db").string() : c.database_url;
}

std::string listen_url(const server_config& c) {
  return origin_of(c.tls_cert_file.empty() ? "http" : "https", c.listen_host, c.listen_port);
}

} // namespace actas::app
