// `ops`: start+end pairs per second with 1, 8 and 64 admins in a closed loop (each admin starts on its
// own learner, ends as soon as the start is answered, and starts again). Every event is durable: the
// fsync calls of the server are counted by the preloaded shim, so rows per fsync is measured, not
// assumed. Targets: at 1 admin ≥ 40% of the raw fdatasync rate (pairs/s ÷ fdatasync/s); at 64 admins
// ≥ 50% of SQLite's batched rate at the same batch size (2 × pairs/s, one event per commit job, ÷ the
// SQLite probe's rows/s with that many rows per commit).
#include <algorithm>
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "load/calls.hpp"
#include "load/scenarios.hpp"
#include "load/postgresql.hpp"

namespace bench {

namespace {

struct ops_result {
  double pairs_per_s = 0, rows_per_fsync = 0, checkpoint_fsyncs = 0, commit_fsyncs = 0, cpu_us_per_pair = 0,
         sys_share = 0;
  std::size_t errors = 0;
  std::string error;
};

ops_result measure(context& c, std::size_t admins_n, ns duration) {
  auto server = c.start(impl::actas, "ops");
  loop& l = *c.l;
  const auto& a = c.actas_users().users();
  const std::vector<std::string> admins(a.admins.begin(), a.admins.begin() + static_cast<long>(admins_n));
  const auto tokens = credentials(l, server, admins);
  ops_result r;
  std::vector<std::unique_ptr<http_conn>> conns;
  for (std::size_t i = 0; i < admins_n; ++i) conns.push_back(std::make_unique<http_conn>(l, "127.0.0.1", server.port()));
  const std::string reason = "bench: checking the learner's course view";
  bool running = true, counting = false;
  std::size_t pairs = 0;
  std::function<void(std::size_t)> cycle = [&](std::size_t i) {
    if (!running) return;
    const auto body = nlohmann::json{{"target", a.learners[i]}, {"reason", reason}}.dump();
    conns[i]->request("POST", "/v1/impersonations", body, tokens[i], [&, i](http_response& s) {
      if (s.status != 201) {
        ++r.errors;
        r.error = "start: HTTP " + std::to_string(s.status) + " " + s.body.substr(0, 160) + s.error;
        return;  // this admin stops
      }
      const auto id = json_string(s.body, "session", "id");
      conns[i]->request("POST", "/v1/impersonations/" + id + "/end", "", tokens[i], [&, i](http_response& e) {
        if (e.status != 200) {
          ++r.errors;
          r.error = "end: HTTP " + std::to_string(e.status) + " " + e.body.substr(0, 160) + e.error;
          return;
        }
        pairs += counting;
        cycle(i);
      });
    });
  };
  for (std::size_t i = 0; i < admins_n; ++i) cycle(i);
  l.run_for(c.quick ? ms(300) : sec(1));
  counting = true;
  const auto f0 = server.proc->fsyncs();
  const auto cpu0 = cpu_split(server.pid());
  const ns t0 = now_ns();
  l.run_for(duration);
  const ns t1 = now_ns();
  counting = false;
  const auto f1 = server.proc->fsyncs();
  const auto cpu1 = cpu_split(server.pid());
  running = false;
  l.run_until([&] { for (auto& x : conns) if (x->pending()) return false; return true; }, now_ns() + sec(5));
  const double secs = static_cast<double>(t1 - t0) / 1e9;
  r.pairs_per_s = static_cast<double>(pairs) / secs;
  // A checkpoint syncs the WAL, copies pages, then syncs the database file: database-file syncs count
  // checkpoints, and the WAL syncs not explained by them are commits.
  const auto checkpoints = f1.other_calls - f0.other_calls;
  const auto wal = f1.wal_calls - f0.wal_calls;
  const auto commits = wal > checkpoints ? wal - checkpoints : wal;
  r.rows_per_fsync = commits ? 2.0 * static_cast<double>(pairs) / static_cast<double>(commits) : 0;
  r.checkpoint_fsyncs = static_cast<double>(checkpoints) / secs;
  r.commit_fsyncs = static_cast<double>(commits) / secs;
  if (pairs) r.cpu_us_per_pair = (cpu1.total() - cpu0.total()) * 1e6 / static_cast<double>(pairs);
  if (cpu1.total() > cpu0.total()) r.sys_share = (cpu1.sys - cpu0.sys) / (cpu1.total() - cpu0.total());
  for (auto& x : conns) x->close();
  server.proc->stop();
  return r;
}



// The engine's own commit rate at `batch` rows per commit: SQLite's, or PostgreSQL's on its server.
commit_probe_result engine_probe(const context& c, int batch, ns duration) {
  if (!c.paths.pg_host.empty()) return postgresql_probe(c.paths.pg_host, batch, duration);
  return sqlite_probe(c.paths.work, batch, duration);
}

} // namespace

void run_ops(context& c) {
  if (c.skipped(impl::actas)) return;
  const bool pg = !c.paths.pg_host.empty();
  const std::string engine = pg ? "PostgreSQL fsync=on" : "SQLite WAL FULL";
  const auto& users = c.actas_users().users();
  const ns duration = c.quick ? sec(2) : sec(5);
  std::vector<double> all_rates, all_p50;
  std::pair<int, double> sqlite_floor{0, 0};
  double single_commit = 0;
  for (const std::size_t n : {std::size_t{1}, std::size_t{8}, std::size_t{64}}) {
    const auto tag = " @" + std::to_string(n) + (n == 1 ? " admin" : " admins");
    if (n > users.admins.size()) {
      c.out->add({"ops", "actas", "pairs/s" + tag, "n/a (needs POST /v1/users for " + std::to_string(n) + " admin/learner pairs)",
                  "—", "", "n/a"});
      continue;
    }
    std::vector<double> rate, rows, ckpt, commit, cpu, fsyncs, sqlite_rows, sys, sqlite_single;
    ops_result last;
    for (int run = 0; run < c.runs; ++run) {
      // The disk is shared and noisy: the raw rate is measured right before each run.
      const auto probe = fsync_probe(c.paths.work, c.quick ? ms(500) : sec(1));
      fsyncs.push_back(probe.per_second);
      all_rates.push_back(probe.per_second);
      all_p50.push_back(static_cast<double>(probe.p50) / 1e3);
      c.say("ops with " + std::to_string(n) + " admins, run " + std::to_string(run + 1) + " (fdatasync " +
            num(probe.per_second, 0) + "/s just before)");
      last = measure(c, n, duration);
      if (n == 1)  // SQLite's own commit rate at one row per commit, next to the raw rate
        sqlite_single.push_back(engine_probe(c, 1, c.quick ? ms(500) : sec(1)).commits_per_second);
      if (n == 64) {
        // SQLite's batched rate at the batch size just measured, right after the run.
        // On PostgreSQL the fsyncs are the database server's, not the node's, so the shim cannot count the
        // node's batch; the floor is taken at 64 rows per commit (at most one job per admin waits).
        const int batch = pg ? 64 : std::max(1, static_cast<int>(std::lround(last.rows_per_fsync)));
        const auto sq = engine_probe(c, batch, c.quick ? ms(500) : sec(1));
        sqlite_rows.push_back(sq.rows_per_second);
      }
      if (last.errors) c.say("  " + std::to_string(last.errors) + " errors: " + last.error);
      rate.push_back(last.pairs_per_s);
      rows.push_back(last.rows_per_fsync);
      ckpt.push_back(last.checkpoint_fsyncs);
      commit.push_back(last.commit_fsyncs);
      cpu.push_back(last.cpu_us_per_pair);
      sys.push_back(last.sys_share);
    }
    const double pairs = median(rate), per_fsync = median(rows);
    const fsync_probe_result fs{median(fsyncs), 0, 0, 0};
    const std::string errors = last.errors ? " (" + std::to_string(last.errors) + " errors: " + last.error.substr(0, 80) + ")" : "";
    row r{"ops", "actas", "pairs/s" + tag, num(pairs, 0) + errors};
    if (n == 1) {
      single_commit = median(sqlite_single);
      r.ratio = ratio(pairs, fs.per_second) + " of fsync/s";
      r.target = "≥ 0.40× fdatasync/s (" + num(fs.per_second, 0) + ")";
      r.verdict = verdict(!last.errors && pairs >= 0.40 * fs.per_second);
    } else if (n == 64) {
      const int batch = pg ? 64 : std::max(1, static_cast<int>(std::lround(per_fsync)));
      const double sq = median(sqlite_rows);
      r.ratio = ratio(2 * pairs, sq) + (pg ? " of PostgreSQL" : " of SQLite");
      r.target = "2×pairs/s ≥ 0.50× " + std::string(pg ? "PostgreSQL" : "SQLite") + " @" + std::to_string(batch) +
                 " rows/commit (" + num(sq, 0) + " rows/s)";
      r.verdict = verdict(!last.errors && 2 * pairs >= 0.50 * sq);
      sqlite_floor = {batch, sq};
    } else {
      r.ratio = ratio(pairs, fs.per_second) + " of fsync/s";
    }
    c.out->add(r);
    if (!pg)
      c.out->add({"ops", "actas", "events per commit fsync" + tag,
                num(per_fsync, 2) + " (" + num(median(commit), 0) + " commit + " + num(median(ckpt), 0) +
                    " checkpoint fsyncs/s)", "—", "", ""});
    c.out->add({"ops", "actas", "server CPU/pair" + tag,
                num(median(cpu), 0) + " µs (" + num(100 * median(sys), 0) + "% in the kernel)", "—", "", ""});
  }
  if (!all_rates.empty())
    c.out->add({"ops", "floor", "raw pwrite+fdatasync (preallocated)",
                num(median(all_rates), 0) + "/s (median of " + std::to_string(all_rates.size()) + " probes, " +
                    num(*std::min_element(all_rates.begin(), all_rates.end()), 0) + "–" +
                    num(*std::max_element(all_rates.begin(), all_rates.end()), 0) + "/s; p50 " + num(median(all_p50), 0) + " µs)",
                "—", "", ""});
  if (single_commit > 0)
    c.out->add({"ops", "floor", engine + ", 1 row/commit", num(single_commit, 0) + " commits/s (probe right after each 1-admin run)",
                "—", "", ""});
  if (sqlite_floor.first > 0)
    c.out->add({"ops", "floor", engine + ", " + std::to_string(sqlite_floor.first) + " rows/commit",
                num(sqlite_floor.second, 0) + " rows/s (probe right after each 64-admin run)", "—", "", ""});
  c.out->note("ops durability: actas runs SQLite in WAL mode with synchronous=FULL (store/sqlite_engine.cpp); the bench counts "
              "the server's fdatasync/fsync calls with an LD_PRELOAD shim (bench/probes/fsync_count.cpp): syncs of the "
              "database file count checkpoints (each also syncs the WAL once), the other WAL syncs count commits; rows "
              "per fsync = events (one start or one end) per commit fsync. The raw floor overwrites a preallocated file "
              "(as a reused WAL does), so fdatasync flushes data only.");
  if (pg)
    c.out->note("ops on PostgreSQL: the commits are the database server's (fsync=on, synchronous_commit=on, a Unix "
                "socket); the floor inserts the same kind of rows with libpq, 1 and 64 per commit "
                "(bench/load/postgresql.cpp). Events per commit fsync are not counted there.");
}

} // namespace bench
