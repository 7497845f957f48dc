// `hold`: N authenticated WebSocket connections held idle. Server RSS per connection (after the
// connections settle) and server CPU per connect (from the first connect until all are authenticated,
// including actas's ticket request per connection). Target: ≤ 1.5× the minimal Beast floor and ≤ Node ws.
#include <map>

#include "load/fleet.hpp"
#include "load/scenarios.hpp"

namespace bench {

namespace {

struct hold_result {
  double rss_kb_per_conn = 0, cpu_us_per_connect = 0;
  std::size_t ok = 0, failed = 0;
  std::string error;
};

hold_result measure(context& c, impl kind, std::size_t n) {
  auto server = c.start(kind, "hold");
  std::vector<std::string> users;
  if (kind == impl::actas) {
    const auto& a = c.actas_users().users();
    users = a.tab_users;
  } else {
    for (int i = 0; i < 128; ++i) users.push_back("user" + std::to_string(i));
  }
  const auto creds = credentials(*c.l, server, users);
  {
    // Warm up every implementation alike (JIT, allocator pools, first-use paths), then measure from there.
    fleet warm(*c.l, fleet_plan{server.port(), server.tickets(), creds, std::min<std::size_t>(200, n), false, 4500, 64});
    warm.wait_ready(sec(60));
  }
  c.l->run_for(ms(300));
  const long rss0 = rss_kb(server.pid());
  const double cpu0 = cpu_seconds(server.pid());
  hold_result r;
  {
    fleet f(*c.l, fleet_plan{server.port(), server.tickets(), creds, n, false, 4500, 64});
    f.wait_ready(sec(180));
    const double cpu1 = cpu_seconds(server.pid());
    c.l->run_for(c.quick ? ms(500) : sec(2));
    const long rss1 = rss_kb(server.pid());
    r.ok = f.ready();
    r.failed = n - r.ok;
    r.error = f.first_error();
    if (r.ok > 0) {
      r.rss_kb_per_conn = static_cast<double>(rss1 - rss0) / static_cast<double>(r.ok);
      r.cpu_us_per_connect = (cpu1 - cpu0) * 1e6 / static_cast<double>(r.ok);
    }
  }
  server.proc->stop();
  return r;
}

} // namespace

void run_hold(context& c) {
  const std::vector<std::size_t> sizes = !c.connections.empty() ? c.connections
                                        : c.quick                  ? std::vector<std::size_t>{1000}
                                                                   : std::vector<std::size_t>{1000, 10000, 18000};
  const auto impls = c.wanted({impl::beast_floor, impl::node_peer, impl::actas});
  for (const auto n : sizes) {
    std::map<impl, hold_result> med;
    for (const auto kind : impls) {
      std::vector<double> rss, cpu;
      hold_result last;
      for (int run = 0; run < c.runs; ++run) {
        c.say("hold " + std::to_string(n) + " on " + std::string(impl_name(kind)) + ", run " + std::to_string(run + 1));
        last = measure(c, kind, n);
        if (last.failed) c.say("  " + std::to_string(last.failed) + " failed: " + last.error);
        rss.push_back(last.rss_kb_per_conn);
        cpu.push_back(last.cpu_us_per_connect);
      }
      last.rss_kb_per_conn = median(rss);
      last.cpu_us_per_connect = median(cpu);
      med[kind] = last;
    }
    const auto& floor = med[impl::beast_floor];
    const auto tag = " @" + std::to_string(n);
    for (const auto kind : impls) {
      const auto& r = med[kind];
      const bool is_actas = kind == impl::actas;
      const auto failed = r.failed ? " (" + std::to_string(r.failed) + " failed: " + r.error.substr(0, 80) + ")" : "";
      row mem{"hold", std::string(impl_name(kind)), "RSS/connection" + tag, num(r.rss_kb_per_conn, 2) + " KB" + failed,
              ratio(r.rss_kb_per_conn, floor.rss_kb_per_conn)};
      row cpu{"hold", std::string(impl_name(kind)), "CPU/connect" + tag, num(r.cpu_us_per_connect, 0) + " µs",
              ratio(r.cpu_us_per_connect, floor.cpu_us_per_connect)};
      if (is_actas) {
        const bool have_node = med.contains(impl::node_peer);
        const auto& node = med[impl::node_peer];
        mem.target = "≤ 1.5× floor" + std::string(have_node ? " and ≤ Node" : "");
        mem.verdict = r.failed ? "MISSED" : verdict(r.rss_kb_per_conn <= 1.5 * floor.rss_kb_per_conn &&
                                                    (!have_node || r.rss_kb_per_conn <= node.rss_kb_per_conn));
        cpu.target = mem.target;
        cpu.verdict = r.failed ? "MISSED" : verdict(r.cpu_us_per_connect <= 1.5 * floor.cpu_us_per_connect &&
                                                    (!have_node || r.cpu_us_per_connect <= node.cpu_us_per_connect));
        if (have_node) {
          mem.ratio += " (Node " + ratio(r.rss_kb_per_conn, node.rss_kb_per_conn) + ")";
          cpu.ratio += " (Node " + ratio(r.cpu_us_per_connect, node.cpu_us_per_connect) + ")";
        }
      }
      c.out->add(mem);
      c.out->add(cpu);
    }
  }
  c.out->note("hold: CPU per connect is the server's CPU from the first connect until all are authenticated, per "
              "connection: a POST /v1/ws/ticket on a keep-alive connection, then the upgrade (the Beast floor makes the "
              "same round trip but echoes the bearer as the ticket); RSS is VmRSS after the connections settled, minus "
              "before (after a warm-up of 200 connections, closed).");
}

} // namespace bench
