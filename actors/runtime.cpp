#include "actors/runtime.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/clock_keeper.hpp"
#include "actors/dashboard.hpp"
#include "actors/idempotency.hpp"
#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "actors/timer_wheel.hpp"
#include "crypto/crypto.hpp"
#include "store/pg_doorbell.hpp"

namespace actas::actors {

namespace {

caf::actor_system_config make_config(const runtime_config& cfg) {
  caf::actor_system_config sys_cfg;
  if (cfg.worker_threads > 0)
    sys_cfg.set("scheduler.max-threads", cfg.worker_threads);
  // Work stealing's idle workers poll with a 50 µs sleep, up to 500 times after every burst of work: under
  // a steady trickle of requests that is tens of thousands of nanosleep calls a second, which made up most
  // of the server's (kernel) CPU. Work sharing's idle workers wait on a condition variable instead.
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  return sys_cfg;
}

} // namespace

struct runtime::impl {
  explicit impl(const runtime_config& cfg) : sys_cfg(make_config(cfg)), sys(sys_cfg) {
    crypto::init();
    writer = store::make_group_writer(cfg.db_path, 512, cfg.reserve_wal, cfg.on_commit);
    auto reader = std::make_shared<store::database>(cfg.db_path);
    // Not simply the system clock: one set back while the node was down would lengthen every deadline.
    times = time_base{node_start_time(*reader), sys.clock().now()};
    clock_keeper = spawn_clock_keeper(sys, writer, times);
    // Detached: the wheel gets a thread of its own, so deadlines never queue behind session work.
    timers = sys.spawn<caf::detached>(timer_wheel, times);
    registry_deps deps;
    deps.writer = writer;
    deps.reader = reader;
    deps.timers = timers;
    deps.audit_reader = sys.spawn<caf::detached>(actors::reader, cfg.db_path);
    deps.dashboard = sys.spawn(actors::dashboard, 0);
    hub = deps.dashboard;
    deps.times = times;
    deps.token_ttl_s = cfg.token_ttl_s;
    deps.token_idle_s = cfg.token_idle_s;
    // Several nodes share a PostgreSQL database; a SQLite file has one node.
    if (store::is_postgresql_url(cfg.db_path))
      deps.follow_every = std::chrono::milliseconds{1000};
    deps.max_staleness = cfg.max_staleness;
    followed_at = deps.followed_at;
    // The snapshot is as fresh as the moment its read began (what commits after it, the follow poll takes).
    followed_at->store(std::chrono::duration_cast<std::chrono::milliseconds>(sys.clock().now().time_since_epoch()).count());
    shared_database = deps.follow_every.count() > 0;
    max_staleness = cfg.max_staleness;
    auto snap = reader->load_snapshot(times.wall_origin);
    spdlog::info("loaded {} realms, {} portals, {} users, {} active sessions, {} live tokens", snap.realms.size(),
                 snap.portals.size(), snap.users.size(), snap.active_sessions.size(), snap.live_tokens.size());
    audit_reader = deps.audit_reader;
    registry = sys.spawn(actors::registry, std::move(deps), std::move(snap));
    if (shared_database)
      doorbell = std::make_unique<store::pg_doorbell>(cfg.db_path, [r = registry] { caf::anon_send(r, ring_atom::value); });
    idempotency = sys.spawn(actors::idempotency_keeper, cfg.db_path, writer, times);
  }

  void shutdown() {
    if (stopped)
      return;
    stopped = true;
    doorbell.reset();
    // Sessions and user actors are linked to the registry and exit with it; the wheel exits on its own
    // (its armed delayed_send would otherwise keep the system waiting). Then the writer drains its queue.
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(timers, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(audit_reader, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(idempotency, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(clock_keeper, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
    keep_anchor(*writer, times, sys.clock().now());
    writer->stop();
  }

  caf::actor_system_config sys_cfg;
  caf::actor_system sys;
  std::shared_ptr<store::writer> writer;
  timer_actor timers;
  reader_actor audit_reader;
  dashboard_actor hub;
  registry_actor registry;
  idempotency_actor idempotency;
  caf::actor clock_keeper;
  time_base times;
  bool stopped = false;
  std::shared_ptr<std::atomic<std::int64_t>> followed_at;
  /// Shared database: rings the registry when any node commits (store/pg_doorbell.hpp).
  std::unique_ptr<store::pg_doorbell> doorbell;
  bool shared_database = false;
  std::chrono::milliseconds max_staleness{2000};
};

runtime::runtime(const runtime_config& cfg) : impl_(std::make_unique<impl>(cfg)) {}

bool runtime::stale() const {
  return impl_->shared_database && follow_lag_ms() > impl_->max_staleness.count();
}

std::int64_t runtime::follow_lag_ms() const {
  const auto now_ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(impl_->sys.clock().now().time_since_epoch()).count();
  return now_ms - impl_->followed_at->load();
}

double runtime::follow_lag_seconds() const {
  if (!impl_->shared_database)
    return 0;
  return std::max<double>(0, static_cast<double>(follow_lag_ms()) / 1000.0);
}

runtime::~runtime() {
  if (impl_)
    impl_->shutdown();
}

registry_actor runtime::registry() const { return impl_->registry; }

bool runtime::answers_within(std::chrono::milliseconds budget) {
  if (impl_->stopped || !impl_->registry)
    return false;
  // The cheapest question the registry answers; a registry stuck in a handler (or a writer it waits on)
  // does not answer it in time.
  caf::scoped_actor self{impl_->sys};
  bool answered = false;
  self->request(impl_->registry, budget, metrics_atom::value, caller_ref{"", true, ""})
    .receive([&](const counts_reply&) { answered = true; }, [&](const caf::error&) { answered = false; });
  return answered;
}

idempotency_actor runtime::idempotency() const { return impl_->idempotency; }

caf::actor_system& runtime::system() { return impl_->sys; }

bool runtime::audit_writable() const { return impl_->writer->stats().audit_writable; }

std::vector<store::chain_fault> runtime::broken_chains() const { return impl_->writer->broken_chains(); }

void runtime::shutdown() { impl_->shutdown(); }

} // namespace actas::actors
