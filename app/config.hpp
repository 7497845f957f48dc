#pragma once
/// Server configuration from a TOML file, the environment and command-line flags (SPEC §7), validated up
/// front so a wrong setting refuses the start with one clear sentence instead of failing later.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/forward_auth.hpp"

namespace actas::app {

/// The version `--version` prints (the CMake project version).
std::string_view version();

/// Everything `actas` needs to start. Defaults are SPEC §7's "no configuration" server.
struct server_config {
  std::string listen_host = "127.0.0.1";
  /// 0: any free port (the server prints the one it got).
  std::uint16_t listen_port = 8080;
  std::string data_dir = "./data";
  /// SPEC §8: a `postgresql://` URL selects the PostgreSQL engine; empty keeps SQLite in data_dir. Never
  /// from a flag (it may carry a password); never logged with its password.
  std::string database_url;
  /// Seed the demo realm once and refuse non-loopback listen addresses.
  bool demo = false;
  /// Origins a WebSocket upgrade may come from, normalised (lowercase, no default port). Defaults to the
  /// listen address's own http origin (left empty for port 0: the server adds its bound origin).
  std::vector<std::string> allowed_origins;
  /// Every key valid at once (rotation). Never from the command line; never logged.
  std::vector<std::string> service_keys;
  /// Keys of metrics_key_file: they may read GET /metrics (SPEC §10), nothing else.
  std::vector<std::string> metrics_keys;
  /// The Ed25519 seed of audit_signing_key_file (64 hex digits), empty without one: it signs the head of
  /// every GET /v1/audit/verify answer and every `actas audit export` (SPEC §10).
  std::string audit_signing_seed;
  /// SPEC §10 TLS: PEM certificate chain and private key; both set: HTTPS and WSS only (reloaded on
  /// SIGHUP), both empty: plain HTTP.
  std::string tls_cert_file, tls_key_file;
  /// SPEC §9 `[[forward.rules]]` for GET /v1/auth/forward; empty: every request asks `http.<method>`.
  std::vector<domain::forward_rule> forward_rules;
  /// User token lifetime and idle timeout (SPEC §6: 12 h and 1 h).
  std::int64_t token_ttl_s = 12 * 3600;
  std::int64_t token_idle_s = 3600;
  /// Actor worker threads; 0 = one per hardware thread.
  std::size_t worker_threads = 0;
  /// Threads running the sockets (HTTP and WebSocket I/O).
  std::size_t io_threads = 2;
  std::size_t max_connections_per_ip = 256;
  /// [cluster] max_staleness_ms (SPEC §8 "Fail closed"): on a shared database, how long a node may go
  /// without having followed the others before it refuses impersonation and grant tokens.
  std::int64_t max_staleness_ms = 2000;
  /// A silent WebSocket is pinged after half of this and dropped after all of it.
  std::int64_t ws_idle_timeout_s = 300;
  /// spdlog level name: trace, debug, info, warn, error, critical, off.
  std::string log_level = "info";
  /// SPEC §10 Logs: "text" (spdlog's colour-free lines) or "json" (one object a line, app/json_log.hpp).
  std::string log_format = "text";
};

/// Reads one environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (getenv).
env_lookup process_env();

/// What parse_config decided: run with `config`, or stop with `exit_code` after printing `message`
/// (to stdout for --help and --version with code 0, to stderr otherwise with code 2).
struct parse_result {
  std::optional<server_config> config;
  int exit_code = 0;
  std::string message;
};

/// Reads flags (`args` without the program name), the environment and the --config file, in the
/// precedence flags > environment > file > defaults, and validates the result. Reads only the files it is
/// told about (the TOML file and a service key file); has no other side effects.
parse_result parse_config(const std::vector<std::string>& args, const env_lookup& env);

/// Where the database is: database_url when set, else the SQLite file under the data folder.
std::string db_path(const server_config& c);

/// "http://HOST:PORT" of the listen address ("https://" with TLS; IPv6 in brackets), for the startup line
/// and the default allowed origin.
std::string listen_url(const server_config& c);

} // namespace actas::app
