// `notify`: impersonation starts over HTTP at a fixed rate; latency from the request being sent to the
// `impersonation_started` frame on the learner's socket, and to the `dashboard` upsert on the watchers'
// sockets. Every start has an admin and a learner of its own (an admin runs one impersonation at a
// time, a learner has one impersonator), provisioned through POST /v1/users; without provisioning the
// two demo pairs are reused, each start being ended as soon as it is answered. Target: p50 ≤ 2× (Beast floor p50 + one
// fsync p50, both measured in the same run); p99 ≤ 5 ms at 1000/s.
#include <map>
#include <memory>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "load/calls.hpp"
#include "load/scenarios.hpp"
#include "load/ws_group.hpp"

namespace bench {

namespace {

struct notify_result {
  samples learner, dashboard;
  std::size_t sent = 0, skipped = 0, errors = 0, lost = 0;
  double rate = 0;
  bool dashboard_refused = false;
  /// Too few pairs for a fresh one per start: each start was ended and its pair reused.
  bool cycled = false;
  std::string error;
};

struct pair_state {
  bool busy = false, frame_seen = false, end_done = false, recording = false;
  ns sent = 0;
  std::vector<char> dash_seen;
};

/// Pairs needed so that every start of a run gets an admin and a learner of its own.
std::size_t pairs_for(double rate, ns duration, ns warmup) {
  return static_cast<std::size_t>(rate * static_cast<double>(duration + warmup) / 1e9 * 1.05) + 16;
}

/// The target id in a dashboard frame's session ("target":"…").
std::string_view frame_target(std::string_view text) {
  constexpr std::string_view key = R"("target":")";
  const auto at = text.find(key);
  if (at == std::string_view::npos) return {};
  const auto from = at + key.size();
  const auto to = text.find('"', from);
  return to == std::string_view::npos ? std::string_view{} : text.substr(from, to - from);
}

notify_result measure(context& c, impl kind, double rate, ns duration, ns warmup) {
  auto server = c.start(kind, "notify");
  const std::size_t needed = pairs_for(rate, duration, warmup);
  std::vector<std::string> admins, learners, watchers{"sara", "adam"};
  if (kind == impl::actas) {
    const auto& a = c.actas_users().users();
    admins = a.admins;
    learners = a.learners;
  } else {
    for (std::size_t i = 0; i < needed; ++i) {
      admins.push_back("adm" + std::to_string(i));
      learners.push_back("lrn" + std::to_string(i));
    }
  }
  // Enough pairs: each start has its own and nothing is ended. Too few (no provisioning): each start is
  // ended as soon as it is answered and its pair is used again.
  const bool cycle = admins.size() < needed;
  const std::size_t pairs = std::min(needed, admins.size());
  admins.resize(pairs);
  learners.resize(pairs);
  loop& l = *c.l;
  const auto admin_creds = credentials(l, server, admins);
  const auto learner_creds = credentials(l, server, learners);
  const auto watcher_creds = credentials(l, server, watchers);
  std::unordered_map<std::string, std::size_t> pair_of;
  for (std::size_t i = 0; i < pairs; ++i) pair_of.emplace(learners[i], i);

  notify_result r;
  r.cycled = cycle;
  ws_group learner_tabs(l, {server.port(), server.tickets(), learner_creds, 0, pairs, false, 64, ""});
  ws_group dashboards(l, {server.port(), server.tickets(), watcher_creds, 0, watchers.size(), true, 16, ""});
  learner_tabs.start();
  dashboards.start();
  l.run_until([&] { return learner_tabs.setup_done() && dashboards.setup_done(); }, now_ns() + sec(60));
  if (learner_tabs.ok() < pairs) {
    r.error = "learner sockets: " + std::to_string(learner_tabs.ok()) + "/" + std::to_string(pairs) + " " +
              learner_tabs.first_error();
    return r;
  }
  l.run_for(ms(300));  // a refused subscription can arrive after the pong
  r.dashboard_refused = dashboards.ok() == 0 || dashboards.late_errors() > 0;
  if (r.dashboard_refused) r.error = dashboards.first_error();

  // Requests go over a pool of keep-alive connections; a request waiting behind another on its
  // connection counts that wait (it was due when it was queued: no coordinated omission).
  std::vector<std::unique_ptr<http_conn>> conns;
  for (std::size_t i = 0; i < std::min<std::size_t>(pairs, 64); ++i)
    conns.push_back(std::make_unique<http_conn>(l, "127.0.0.1", server.port()));
  std::vector<pair_state> st(pairs);
  for (auto& s : st) s.dash_seen.assign(watchers.size(), 0);
  std::vector<std::size_t> free_pairs;
  for (std::size_t i = pairs; i-- > 0;) free_pairs.push_back(i);
  std::size_t busy = 0;

  const auto release = [&](std::size_t i) {
    if (st[i].busy && st[i].frame_seen && st[i].end_done) {
      st[i].busy = false;
      --busy;
      if (cycle) free_pairs.push_back(i);
    }
  };
  learner_tabs.on_frame = [&](std::size_t i, std::string_view text, ns at) {
    if (!st[i].busy || st[i].frame_seen || text.find("impersonation_started") == std::string_view::npos) return;
    st[i].frame_seen = true;
    if (st[i].recording) r.learner.add(at - st[i].sent);
    release(i);
  };
  dashboards.on_frame = [&](std::size_t k, std::string_view text, ns at) {
    if (text.find(R"("op":"upsert")") == std::string_view::npos) return;
    const auto it = pair_of.find(std::string(frame_target(text)));
    if (it == pair_of.end()) return;
    auto& s = st[it->second];
    if (!s.busy || s.dash_seen[k]) return;
    s.dash_seen[k] = 1;
    if (s.recording) r.dashboard.add(at - s.sent);
  };

  const std::string reason = "bench: checking the learner's course view";
  const ns begin = now_ns();
  const ns record_from = begin + warmup;
  const ns end = record_from + duration;
  const auto fail = [&](std::size_t i, const http_response& res, const char* what) {
    ++r.errors;
    if (r.error.empty() || r.dashboard_refused)
      r.error = std::string(what) + ": " + (res.status ? "HTTP " + std::to_string(res.status) + " " + res.body.substr(0, 160) : res.error);
    // Back off before the pair is used again, so a refusing server is not hammered in a loop.
    l.at(now_ns() + ms(50), [&, i] {
      st[i].frame_seen = st[i].end_done = true;
      release(i);
    });
  };
  const auto send = [&](std::size_t i, ns due) {
    auto& s = st[i];
    s.busy = true;
    ++busy;
    s.frame_seen = s.end_done = false;
    std::fill(s.dash_seen.begin(), s.dash_seen.end(), 0);
    s.sent = due;
    s.recording = s.sent >= record_from;
    r.sent += s.recording;
    auto& conn = *conns[i % conns.size()];
    const auto body = nlohmann::json{{"target", learners[i]}, {"reason", reason}}.dump();
    conn.request("POST", "/v1/impersonations", body, admin_creds[i], [&, i](http_response& res) {
      if (res.status != 201) return fail(i, res, "start");
      if (!cycle) {
        st[i].end_done = true;
        return release(i);
      }
      const auto id = json_string(res.body, "session", "id");
      conns[i % conns.size()]->request("POST", "/v1/impersonations/" + id + "/end", "", admin_creds[i], [&, i](http_response& e) {
        if (e.status != 200) return fail(i, e, "end");
        st[i].end_done = true;
        release(i);
        // A start whose frame never comes must not hold its pair for ever.
        l.at(now_ns() + sec(2), [&, i, sent = st[i].sent] {
          if (st[i].busy && st[i].sent == sent && !st[i].frame_seen) {
            ++r.lost;
            st[i].frame_seen = true;
            release(i);
          }
        });
      });
    });
  };
  const ns interval = static_cast<ns>(1e9 / rate);
  ns next = begin;
  std::function<void()> tick = [&] {
    const ns now = now_ns();
    while (next <= now && next < end) {
      if (free_pairs.empty()) {
        r.skipped += next >= record_from;
      } else {
        const auto i = free_pairs.back();
        free_pairs.pop_back();
        send(i, next);
      }
      next += interval;
    }
    if (next < end) l.at(next, tick);
  };
  l.at(begin, tick);
  l.run_until([] { return false; }, end);
  l.run_until([&] { return busy == 0; }, now_ns() + sec(3));
  for (auto& s : st) r.lost += s.busy && s.end_done && !s.frame_seen;
  r.rate = static_cast<double>(r.sent) / (static_cast<double>(duration) / 1e9);
  l.clear_timers();
  learner_tabs.close_all();
  dashboards.close_all();
  for (auto& conn : conns) conn->close();
  server.proc->stop();
  return r;
}

} // namespace

void run_notify(context& c) {
  const std::vector<double> rates = c.quick ? std::vector<double>{50, 1000} : std::vector<double>{50, 200, 1000};
  const ns duration = c.quick ? sec(2) : sec(5);
  const ns warmup = c.quick ? ms(300) : sec(1);
  const auto impls = c.wanted({impl::beast_floor, impl::node_peer, impl::actas});
  std::vector<double> all_fsync_p50;
  for (const double rate : rates) {
    // The disk is shared and noisy: the fsync the target adds is measured next to this rate's runs.
    std::vector<double> fsync_p50;
    for (int run = 0; run < c.runs; ++run)
      fsync_p50.push_back(static_cast<double>(fsync_probe(c.paths.work, c.quick ? ms(400) : sec(1)).p50) / 1e6);
    const double fsync_p50_ms = median(fsync_p50);
    all_fsync_p50.insert(all_fsync_p50.end(), fsync_p50.begin(), fsync_p50.end());
    struct agg {
      double p50 = 0, p99 = 0, p999 = 0, d50 = 0, d99 = 0, achieved = 0;
      notify_result last;
    };
    std::map<impl, agg> med;
    for (const auto kind : impls) {
      std::vector<double> p50, p99, p999, d50, d99, achieved;
      agg a;
      for (int run = 0; run < c.runs; ++run) {
        c.say("notify " + num(rate, 0) + "/s on " + std::string(impl_name(kind)) + ", run " + std::to_string(run + 1));
        auto r = measure(c, kind, rate, duration, warmup);
        p50.push_back(r.learner.quantile(0.5) / 1e6);
        p99.push_back(r.learner.quantile(0.99) / 1e6);
        p999.push_back(r.learner.quantile(0.999) / 1e6);
        d50.push_back(r.dashboard.quantile(0.5) / 1e6);
        d99.push_back(r.dashboard.quantile(0.99) / 1e6);
        achieved.push_back(r.rate);
        if (r.errors || r.lost || r.skipped)
          c.say("  errors " + std::to_string(r.errors) + ", lost frames " + std::to_string(r.lost) + ", skipped (no free pair) " +
                std::to_string(r.skipped) + ": " + r.error);
        a.last = std::move(r);
      }
      a.p50 = median(p50), a.p99 = median(p99), a.p999 = median(p999), a.d50 = median(d50), a.d99 = median(d99);
      a.achieved = median(achieved);
      med[kind] = std::move(a);
    }
    const auto& floor = med[impl::beast_floor];
    const auto tag = " @" + num(rate, 0) + "/s";
    for (const auto kind : impls) {
      const auto& a = med[kind];
      const auto& last = a.last;
      const std::string name(impl_name(kind));
      if (last.learner.size() == 0) {
        c.out->add({"notify", name, "learner frame" + tag, "no samples: " + last.error.substr(0, 100), "—", "", "n/a"});
        continue;
      }
      std::string extra;
      if (a.achieved < 0.95 * rate) extra += " (sent " + num(a.achieved, 0) + "/s)";
      if (last.errors) extra += " (" + std::to_string(last.errors) + " errors)";
      if (last.lost) extra += " (" + std::to_string(last.lost) + " frames lost)";
      if (last.cycled) extra += " (cycled: start+end per pair)";
      row p50{"notify", name, "learner p50" + tag, num(a.p50, 2) + " ms" + extra, ratio(a.p50, floor.p50)};
      row p99{"notify", name, "learner p99 / p99.9" + tag, num(a.p99, 2) + " / " + num(a.p999, 2) + " ms",
              ratio(a.p99, floor.p99)};
      if (kind == impl::actas) {
        const double limit = 2 * (floor.p50 + fsync_p50_ms);
        // Without provisioning only two pairs exist, too few to offer the rate: no verdict then.
        const bool too_few_pairs = !c.actas_users().users().provisioned && a.achieved < 0.95 * rate;
        p50.target = "≤ 2×(floor " + num(floor.p50, 2) + " + fsync " + num(fsync_p50_ms, 2) + ") = " + num(limit, 2) + " ms";
        p50.verdict = too_few_pairs ? "n/a" : last.errors ? "MISSED" : verdict(a.p50 <= limit);
        if (rate >= 1000) {
          p99.target = "≤ 5 ms at 1000/s";
          p99.verdict = too_few_pairs ? "n/a" : verdict(a.p99 <= 5.0 && !last.errors && a.achieved >= 0.95 * rate);
        }
        if (too_few_pairs) p50.value += " (too few pairs: needs POST /v1/users)";
      }
      c.out->add(p50);
      c.out->add(p99);
      if (last.dashboard_refused) {
        c.out->add({"notify", name, "dashboard p50 / p99" + tag, "n/a (needs the dashboard subscription)", "—", "", "n/a"});
      } else {
        c.out->add({"notify", name, "dashboard p50 / p99" + tag, num(a.d50, 2) + " / " + num(a.d99, 2) + " ms",
                    ratio(a.d50, floor.d50)});
      }
    }
  }
  c.out->note("notify: fdatasync p50 measured next to each rate (median " + num(median(all_fsync_p50) * 1000, 0) +
              " µs over the run); every start has a fresh admin/learner pair and nothing is ended during the run "
              "(unless marked \"cycled\"); the floor and the peer write nothing. Latency counts from the moment a start "
              "was due, including any wait for a keep-alive connection of the 64.");
}

} // namespace bench
