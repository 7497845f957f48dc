/// `actas`: reads the configuration, seeds the demo realm when asked, runs the core and serves the HTTP and
/// WebSocket API until SIGTERM or SIGINT (SIGHUP reloads the TLS certificate), then shuts down in order (STYLE.md): drain (SPEC §8), stop the I/O
/// threads, then the core. Exit codes: 0 normal, 1 failure while running, 2 refused configuration.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pthread.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/runtime.hpp"
#include "app/audit_cli.hpp"
#include "app/check_config.hpp"
#include "app/config.hpp"
#include "app/demo_seed.hpp"
#include "app/json_log.hpp"
#include "app/systemd_notify.hpp"
#include "app/migrate.hpp"
#include "crypto/crypto.hpp"
#include "crypto/signing.hpp"
#include "net/server.hpp"
#include "net/tls.hpp"
#include "store/database.hpp"

namespace {

using namespace actas;

domain::timestamp wall_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// How long a SIGTERM waits for requests in flight and WebSocket close handshakes.
constexpr std::chrono::milliseconds drain_budget{5000};

const char* signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "signal"; }

/// SIGHUP (SPEC §10): the TLS certificate and key are read again for the connections accepted from now on;
/// open ones keep theirs. A pair that does not load leaves the old one serving.
void reload_tls(net::tls_certificate* tls) {
  if (!tls) return spdlog::info("SIGHUP received; nothing to reload (no tls_cert_file)");
  app::notify_reloading();
  if (auto error = tls->reload())
    spdlog::error("SIGHUP: the TLS certificate was not reloaded, the previous one still serves: {}", *error);
  else
    spdlog::info("SIGHUP: TLS certificate reloaded from {}", tls->cert_file());
  app::notify_ready("serving again after a reload");
}

int run(const app::server_config& cfg, const sigset_t& stop_signals) {
  crypto::init();
  std::filesystem::create_directories(cfg.data_dir);
  const auto path = app::db_path(cfg);

  std::optional<app::seed_result> seed;
  if (cfg.demo) {
    store::database db(path);
    seed = app::seed_demo(db, wall_now());
    if (seed->seeded_now)
      spdlog::info("demo data seeded into {}", db.path());
    else
      spdlog::info("demo data already in {}; left as it is", db.path());
  }

  actors::runtime_config rc;
  rc.db_path = path;
  rc.worker_threads = cfg.worker_threads;
  rc.token_ttl_s = cfg.token_ttl_s;
  rc.token_idle_s = cfg.token_idle_s;
  rc.reserve_wal = true;
  rc.max_staleness = std::chrono::milliseconds{cfg.max_staleness_ms};
  // SPEC §10: one set of metrics for the node, fed by the writer's commits and the server's answers.
  const auto metrics = std::make_shared<net::node_metrics>();
  rc.on_commit = [metrics](std::chrono::duration<double> took, std::size_t jobs) { metrics->observe_commit(took, jobs); };
  // Readiness is shared: the server reports it and turns it to draining; the core's audit writer and chain
  // check may set the audit flags on it.
  const auto ready = std::make_shared<net::readiness>();
  actors::runtime core(rc);

  net::server_options so;
  so.host = cfg.listen_host;
  so.port = cfg.listen_port;
  so.max_connections_per_ip = cfg.max_connections_per_ip;
  so.io_threads = cfg.io_threads;
  so.ws_idle_timeout = std::chrono::seconds(cfg.ws_idle_timeout_s);
  so.allowed_origins = cfg.allowed_origins;
  so.service_keys = cfg.service_keys;
  so.forward_rules = cfg.forward_rules;
  // The writer knows whether the last commit failed; the chain check ran while the core was built.
  ready->set_audit_probe([&core] { return core.audit_writable(); });
  ready->set_chain_ok(core.broken_chains().empty());
  ready->set_stale_probe([&core] { return core.stale(); });
  so.ready = ready;
  so.idempotency = core.idempotency();
  so.metrics = metrics;
  so.metrics_keys = cfg.metrics_keys;
  so.cluster_lag = [&core] { return core.follow_lag_seconds(); };
  std::shared_ptr<net::tls_certificate> tls;
  if (!cfg.tls_cert_file.empty()) tls = std::make_shared<net::tls_certificate>(cfg.tls_cert_file, cfg.tls_key_file);
  so.tls = tls;
  if (!cfg.audit_signing_seed.empty())
    so.audit_signer = std::make_shared<const crypto::signing_key>(*crypto::signing_key::from_seed_hex(cfg.audit_signing_seed));
  // Declared after the core, so it is destroyed first: its connections still talk to live actors.
  net::server http(so, core.registry(), core.system());
  http.start();

  auto bound = cfg;
  bound.listen_port = http.port();
  const auto url = app::listen_url(bound);
  std::string origins;
  for (const auto& o : http.allowed_origins()) origins += (origins.empty() ? "" : ", ") + o;
  spdlog::info("actas {} started{}: database {}, {} service key(s), allowed origins {}", app::version(),
               cfg.demo ? " in demo mode" : "", store::redact(path), cfg.service_keys.size(), origins);
  if (cfg.service_keys.empty())
    spdlog::warn("no service key (ACTAS_SERVICE_KEY, ACTAS_SERVICE_KEY_FILE or service_key_file): "
                 "service calls will be refused");
  // First line of stdout, before the logins table: scripts and tests read the real port from it.
  std::cout << "listening on " << url << "/" << std::endl;
  if (seed) std::cout << app::format_logins(seed->logins, url) << std::flush;
  app::notify_ready("serving " + url);
  std::optional<app::watchdog> watchdog;
  watchdog.emplace([&core](std::chrono::milliseconds budget) { return core.answers_within(budget); });

  int sig = 0;
  while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) reload_tls(tls.get());
  // A second signal while shutting down takes its default action: Ctrl-C twice always stops.
  sigset_t stop_only = stop_signals;
  sigdelset(&stop_only, SIGHUP);
  pthread_sigmask(SIG_UNBLOCK, &stop_only, nullptr);
  spdlog::info("{} received, draining", signal_name(sig));
  // The watchdog goes first: from here on the core is meant to stop answering.
  watchdog.reset();
  app::notify_stopping();
  // SPEC §8: answer what is in flight and close every WebSocket 1012 within the drain budget, leaving the
  // rest of the 10 s for the core to stop.
  http.drain(drain_budget);
  http.stop();
  core.shutdown();
  spdlog::info("stopped");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args.front() == "migrate")
    return app::run_migrate({args.begin() + 1, args.end()}, app::process_env(), std::cout, std::cerr);
  if (!args.empty() && args.front() == "audit")
    return app::run_audit({args.begin() + 1, args.end()}, app::process_env(), std::cout, std::cerr);
  if (!args.empty() && args.front() == "check-config")
    return app::run_check_config({args.begin() + 1, args.end()}, app::process_env(), std::cout, std::cerr);
  const auto parsed = app::parse_config(args, app::process_env());
  if (!parsed.config) {
    if (parsed.exit_code == 0) {
      std::cout << parsed.message << std::flush;
      return 0;
    }
    std::cerr << "actas: " << parsed.message << "\n";
    return parsed.exit_code;
  }

  spdlog::set_default_logger(spdlog::stderr_color_mt("actas"));
  if (parsed.config->log_format == "json") spdlog::set_formatter(std::make_unique<app::json_log_formatter>());
  spdlog::set_level(spdlog::level::from_str(parsed.config->log_level));

  // Block the stop signals before any thread starts, so every thread inherits the mask and only
  // sigwait in this thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    return run(*parsed.config, stop_signals);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
