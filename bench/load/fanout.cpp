// `fanout`: one dashboard event to N watching sockets (held by several worker processes). The event is an
// impersonation start (then its end, a second event), sent over HTTP by the driver; the time is from the
// request being sent until the last socket has the frame. Server CPU per delivery is the server's CPU
// over all events divided by the frames delivered. Targets: ≤ 1.25× the raw TCP floor; CPU per delivery
// ≤ Node ws.
#include <map>

#include <nlohmann/json.hpp>

#include "load/calls.hpp"
#include "load/fleet.hpp"
#include "load/scenarios.hpp"

namespace bench {

namespace {

struct fanout_result {
  double last_ms = 0, cpu_us_per_delivery = 0;
  std::size_t ready = 0, incomplete = 0;
  bool refused = false;
  std::string error;
};

fanout_result measure(context& c, impl kind, std::size_t n, int events) {
  auto server = c.start(kind, "fanout");
  loop& l = *c.l;
  std::vector<std::string> watchers;
  std::string admin = "adm0", learner = "lrn0";
  if (kind == impl::actas) {
    const auto& a = c.actas_users().users();
    watchers = a.watchers;
    admin = a.admins.front();
    learner = a.learners.front();
  } else {
    for (int i = 0; i < 64; ++i) watchers.push_back("watcher" + std::to_string(i));
  }
  const auto creds = credentials(l, server, watchers);
  const auto admin_token = credentials(l, server, {admin}).front();
  fanout_result r;
  fleet f(l, fleet_plan{server.port(), server.tickets(), creds, n, true, 4500, 64});
  f.wait_ready(sec(180));
  r.ready = f.ready();
  r.error = f.first_error();
  if (f.refused() > 0 || r.ready == 0) {
    r.refused = f.refused() > 0;
    return r;
  }
  http_conn trigger(l, "127.0.0.1", server.port());
  samples lat;
  std::size_t delivered = 0;
  l.run_for(ms(200));
  const double cpu0 = cpu_seconds(server.pid());
  const std::string reason = "bench: checking the learner's course view";
  std::string session;
  bool failed = false;
  for (int e = 0; e < events && !failed; ++e) {
    // The start: an upsert to every watcher.
    for (int half = 0; half < 2; ++half) {
      const int id = 2 * e + half;
      f.arm(id, half == 0 ? R"("op":"upsert")" : R"("op":"remove")");
      http_response res;
      bool answered = false;
      const ns t0 = now_ns();
      const auto path = half == 0 ? std::string("/v1/impersonations") : "/v1/impersonations/" + session + "/end";
      const auto body = half == 0 ? nlohmann::json{{"target", learner}, {"reason", reason}}.dump() : std::string();
      trigger.request("POST", path, body, admin_token, [&](http_response& x) {
        res = std::move(x);
        answered = true;
      });
      const auto got = f.wait(id, sec(20));
      l.run_until([&] { return answered; }, now_ns() + sec(10));
      if (res.status != (half == 0 ? 201 : 200)) {
        r.error = "trigger: HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 160) + res.error;
        ++r.incomplete;
        failed = true;
        break;
      }
      if (half == 0) session = json_string(res.body, "session", "id");
      if (got.count == 0 && got.late_errors > 0) {
        r.refused = true;
        r.error = f.first_error();
        failed = true;
        break;
      }
      delivered += got.count;
      if (got.count < r.ready) ++r.incomplete;
      if (got.count > 0) lat.add(got.last - t0);
    }
  }
  const double cpu1 = cpu_seconds(server.pid());
  r.last_ms = static_cast<double>(lat.quantile(0.5)) / 1e6;
  if (delivered) r.cpu_us_per_delivery = (cpu1 - cpu0) * 1e6 / static_cast<double>(delivered);
  trigger.close();
  return r;
}

} // namespace

void run_fanout(context& c) {
  const std::vector<std::size_t> sizes = !c.connections.empty() ? c.connections
                                        : c.quick                  ? std::vector<std::size_t>{1000}
                                                                   : std::vector<std::size_t>{1000, 9000, 18000};
  const int events = c.quick ? 3 : 5;
  const auto impls = c.wanted({impl::epoll_floor, impl::beast_floor, impl::node_peer, impl::actas});
  for (const auto n : sizes) {
    std::map<impl, fanout_result> med;
    for (const auto kind : impls) {
      std::vector<double> last, cpu;
      fanout_result keep;
      for (int run = 0; run < c.runs; ++run) {
        c.say("fanout " + std::to_string(n) + " on " + std::string(impl_name(kind)) + ", run " + std::to_string(run + 1));
        keep = measure(c, kind, n, events);
        if (keep.refused) {
          c.say("  dashboard subscription refused: " + keep.error);
          break;
        }
        if (keep.incomplete || keep.ready < n) c.say("  ready " + std::to_string(keep.ready) + "/" + std::to_string(n) +
                                                    ", incomplete events " + std::to_string(keep.incomplete) + ": " + keep.error);
        last.push_back(keep.last_ms);
        cpu.push_back(keep.cpu_us_per_delivery);
      }
      keep.last_ms = median(last);
      keep.cpu_us_per_delivery = median(cpu);
      med[kind] = keep;
    }
    const auto& raw = med[impl::epoll_floor];
    const auto tag = " @" + std::to_string(n);
    for (const auto kind : impls) {
      const auto& r = med[kind];
      const std::string name(impl_name(kind));
      if (r.refused || r.ready == 0) {
        const auto why = r.refused ? "n/a (needs the dashboard subscription)" : "n/a (no socket set up: " + r.error.substr(0, 80) + ")";
        c.out->add({"fanout", name, "last socket has it" + tag, why, "—", kind == impl::actas ? "≤ 1.25× raw TCP" : "", "n/a"});
        c.out->add({"fanout", name, "CPU/delivery" + tag, why, "—", kind == impl::actas ? "≤ Node" : "", "n/a"});
        continue;
      }
      std::string extra = r.ready < n ? " (" + std::to_string(r.ready) + " sockets)" : "";
      if (r.incomplete) extra += " (" + std::to_string(r.incomplete) + " events incomplete)";
      row last{"fanout", name, "last socket has it" + tag, num(r.last_ms, 1) + " ms" + extra, ratio(r.last_ms, raw.last_ms)};
      row cpu{"fanout", name, "CPU/delivery" + tag, num(r.cpu_us_per_delivery, 2) + " µs",
              ratio(r.cpu_us_per_delivery, raw.cpu_us_per_delivery)};
      if (kind == impl::actas) {
        last.target = "≤ 1.25× raw TCP";
        last.verdict = verdict(!r.incomplete && r.ready == n && r.last_ms <= 1.25 * raw.last_ms);
        cpu.target = "≤ Node";
        if (med.contains(impl::node_peer) && med[impl::node_peer].cpu_us_per_delivery > 0)
          cpu.verdict = verdict(r.cpu_us_per_delivery <= med[impl::node_peer].cpu_us_per_delivery);
        else
          cpu.verdict = "n/a";
      }
      c.out->add(last);
      c.out->add(cpu);
    }
  }
  c.out->note("fanout: median over " + std::to_string(2 * events) + " events per run (an impersonation start and its end); "
              "CPU per delivery includes the server's handling of the triggering HTTP request.");
}

} // namespace bench
