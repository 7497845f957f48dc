// `authorize`: POST /v1/authorize {action} as fast as possible over 50 and 1000 keep-alive connections.
// (a) plain user tokens, against the minimal epoll HTTP floor in the same run: requests/s ≥ 85% of it.
// (b) impersonation tokens, every decision an audit event made durable: requests/s ≥ 50% of SQLite's
// batched rate at the batch size measured (decisions per WAL fsync, counted by the shim).
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "load/calls.hpp"
#include "load/scenarios.hpp"

namespace bench {

namespace {

struct authorize_result {
  double per_s = 0, p50_ms = 0, p99_ms = 0, cpu_us = 0, rows_per_fsync = 0;
  /// (b): SQLite's batched rate at rows_per_fsync rows per commit, probed right after the run.
  double sqlite_rows_per_s = 0;
  std::size_t errors = 0;
  bool missing = false;  ///< the server has no POST /v1/authorize (404)
  std::string error;
};

/// Tokens to send with: plain user tokens, or impersonation tokens from starts (mode b).
std::vector<std::string> tokens_for(context& c, const running& server, bool impersonating, std::string& error) {
  loop& l = *c.l;
  if (server.kind == impl::node_peer) return credentials(l, server, {"user0", "user1", "user2", "user3"});
  if (server.kind != impl::actas) return {"floor-token"};
  const auto& a = c.actas_users().users();
  if (!impersonating) return credentials(l, server, a.tab_users);
  // 64 running impersonations; the connections share their tokens.
  const std::vector<std::string> admins(a.admins.begin(), a.admins.begin() + static_cast<long>(std::min<std::size_t>(64, a.admins.size())));
  const auto admin_tokens = credentials(l, server, admins);
  std::vector<call_spec> starts;
  for (std::size_t i = 0; i < admins.size(); ++i)
    starts.push_back({"POST", "/v1/impersonations",
                      nlohmann::json{{"target", a.learners[i]}, {"reason", "bench: checking the learner's course view"}}.dump(),
                      admin_tokens[i]});
  std::vector<std::string> out;
  for (const auto& res : call_all(l, server.port(), starts, 8)) {
    auto t = res.status == 201 ? json_string(res.body, "token") : std::string();
    if (t.empty()) error = "start: HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 160) + res.error;
    else out.push_back(std::move(t));
  }
  return out;
}

authorize_result measure(context& c, impl kind, std::size_t conns_n, bool impersonating, ns duration) {
  auto server = c.start(kind, "authorize", start_options{2});
  loop& l = *c.l;
  authorize_result r;
  const auto tokens = tokens_for(c, server, impersonating, r.error);
  if (tokens.empty()) return r;
  const std::string body = R"({"action":"courses.view"})";
  const auto probe = call(l, server.port(), {"POST", "/v1/authorize", body, tokens.front()});
  if (probe.status == 404 || probe.status == 405) {
    r.missing = true;
    r.error = "HTTP " + std::to_string(probe.status);
    server.proc->stop();
    return r;
  }
  std::vector<std::unique_ptr<http_conn>> conns;
  for (std::size_t i = 0; i < conns_n; ++i) conns.push_back(std::make_unique<http_conn>(l, "127.0.0.1", server.port()));
  bool running = true, counting = false;
  std::size_t done = 0;
  samples lat;
  std::function<void(std::size_t)> next = [&](std::size_t i) {
    if (!running) return;
    conns[i]->request("POST", "/v1/authorize", body, tokens[i % tokens.size()], [&, i](http_response& res) {
      if (res.status != 200) {
        ++r.errors;
        r.error = "HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 160) + res.error;
      } else if (counting) {
        ++done;
        lat.add(res.received - res.sent);
      }
      next(i);
    });
  };
  for (std::size_t i = 0; i < conns_n; ++i) next(i);
  l.run_for(c.quick ? ms(300) : sec(1));
  counting = true;
  const auto f0 = server.proc->fsyncs();
  const double cpu0 = cpu_seconds(server.pid());
  const ns t0 = now_ns();
  l.run_for(duration);
  const ns t1 = now_ns();
  counting = false;
  const auto f1 = server.proc->fsyncs();
  const double cpu1 = cpu_seconds(server.pid());
  running = false;
  l.run_until([&] { for (auto& x : conns) if (x->pending()) return false; return true; }, now_ns() + sec(5));
  const double secs = static_cast<double>(t1 - t0) / 1e9;
  r.per_s = static_cast<double>(done) / secs;
  r.p50_ms = static_cast<double>(lat.quantile(0.5)) / 1e6;
  r.p99_ms = static_cast<double>(lat.quantile(0.99)) / 1e6;
  if (done) r.cpu_us = (cpu1 - cpu0) * 1e6 / static_cast<double>(done);
  const auto checkpoints = f1.other_calls - f0.other_calls;
  const auto wal = f1.wal_calls - f0.wal_calls;
  if (const auto commits = wal > checkpoints ? wal - checkpoints : wal)
    r.rows_per_fsync = static_cast<double>(done) / static_cast<double>(commits);
  for (auto& x : conns) x->close();
  server.proc->stop();
  if (impersonating && r.rows_per_fsync > 0)
    r.sqlite_rows_per_s = sqlite_probe(c.paths.work, std::max(1, static_cast<int>(std::lround(r.rows_per_fsync))),
                                       c.quick ? ms(500) : sec(1)).rows_per_second;
  return r;
}

authorize_result median_of(context& c, impl kind, std::size_t n, bool imp, ns duration) {
  std::vector<double> rate, p50, p99, cpu, rows, sqlite;
  authorize_result last;
  for (int run = 0; run < c.runs; ++run) {
    c.say("authorize " + std::string(imp ? "(b) impersonation" : "(a) user") + " tokens, " + std::to_string(n) +
          " connections, " + std::string(impl_name(kind)) + ", run " + std::to_string(run + 1));
    last = measure(c, kind, n, imp, duration);
    if (last.missing) return last;
    if (last.errors) c.say("  " + std::to_string(last.errors) + " errors: " + last.error);
    rate.push_back(last.per_s), p50.push_back(last.p50_ms), p99.push_back(last.p99_ms), cpu.push_back(last.cpu_us);
    rows.push_back(last.rows_per_fsync);
    sqlite.push_back(last.sqlite_rows_per_s);
  }
  last.per_s = median(rate), last.p50_ms = median(p50), last.p99_ms = median(p99), last.cpu_us = median(cpu);
  last.rows_per_fsync = median(rows);
  last.sqlite_rows_per_s = median(sqlite);
  return last;
}

std::string describe(const authorize_result& r) {
  return num(r.per_s, 0) + "/s, p50 " + num(r.p50_ms, 2) + " ms, p99 " + num(r.p99_ms, 2) + " ms, CPU " + num(r.cpu_us, 1) +
         " µs/req" + (r.errors ? " (" + std::to_string(r.errors) + " errors: " + r.error.substr(0, 60) + ")" : "");
}

} // namespace

void run_authorize(context& c) {
  const ns duration = c.quick ? sec(2) : sec(5);
  for (const std::size_t n : {std::size_t{50}, std::size_t{1000}}) {
    const auto tag = " @" + std::to_string(n) + " conns";
    const auto floor = median_of(c, impl::epoll_floor, n, false, duration);
    c.out->add({"authorize", "raw epoll floor", "(a) requests" + tag, describe(floor), "1.00×", "", ""});
    if (c.node && !c.skipped(impl::node_peer)) {
      const auto node = median_of(c, impl::node_peer, n, false, duration);
      c.out->add({"authorize", "Node ws peer", "(a) requests" + tag, describe(node), ratio(node.per_s, floor.per_s), "", ""});
    }
    if (c.skipped(impl::actas)) continue;
    const auto plain = median_of(c, impl::actas, n, false, duration);
    if (plain.missing) {
      c.out->add({"authorize", "actas", "(a) user tokens" + tag, "n/a (needs POST /v1/authorize: " + plain.error + ")", "—",
                  "≥ 0.85× floor", "n/a"});
      c.out->add({"authorize", "actas", "(b) impersonation tokens" + tag, "n/a (needs POST /v1/authorize)", "—",
                  "≥ 0.50× SQLite batched", "n/a"});
      continue;
    }
    c.out->add({"authorize", "actas", "(a) user tokens" + tag, describe(plain), ratio(plain.per_s, floor.per_s),
                "≥ 0.85× floor", verdict(!plain.errors && plain.per_s >= 0.85 * floor.per_s)});
    const auto imp = median_of(c, impl::actas, n, true, duration);
    if (imp.per_s <= 0) {
      c.out->add({"authorize", "actas", "(b) impersonation tokens" + tag, "no result: " + imp.error.substr(0, 100), "—",
                  "≥ 0.50× SQLite batched", "n/a"});
      continue;
    }
    const int batch = std::max(1, static_cast<int>(std::lround(imp.rows_per_fsync)));
    const double sq = imp.sqlite_rows_per_s;
    c.out->add({"authorize", "actas", "(b) impersonation tokens" + tag,
                describe(imp) + ", " + num(imp.rows_per_fsync, 1) + " decisions/fsync", ratio(imp.per_s, sq) + " of SQLite",
                "≥ 0.50× SQLite @" + std::to_string(batch) + " rows/commit (" + num(sq, 0) + "/s)",
                verdict(!imp.errors && imp.per_s >= 0.50 * sq)});
  }
  c.out->note("authorize: one load generator process (single thread, epoll) drives every server, so a very fast floor may "
              "be limited by the generator; the floor runs 2 threads (SO_REUSEPORT), actas its default threads.");
}

} // namespace bench
