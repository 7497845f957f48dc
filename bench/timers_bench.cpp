// BENCH.md `timers`: N concurrent sessions, each with its own deadline, compressed into a few seconds,
// some ended early. Runs the real timer wheel on real threads and, in the same run, the peer design it
// replaced (one CAF delayed_send per actor). Prints lateness p50/p99/p99.9, missed, duplicated and RSS
// per session for both.
//
//   timers_bench [sessions=100000] [spread_seconds=5] [ended_early_percent=10] [design=all]
//
// design: wheel, delayed_send, heap or all. RSS per session is only right for the first design a process
// runs (memory a finished run freed stays in the process and is reused), so bench/run runs each design
// in a process of its own.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/timer_wheel.hpp"

namespace {

using namespace actas;
using clock_type = std::chrono::system_clock;
using session_timer = caf::typed_actor<caf::reacts_to<actors::timeout_atom, std::uint64_t>>;

struct results {
  explicit results(std::size_t n) : lateness_us(n), hits(n) {}
  std::vector<std::int64_t> lateness_us;
  std::vector<std::atomic<int>> hits;
};

domain::timestamp wall_now() { return std::chrono::time_point_cast<domain::duration>(clock_type::now()); }

long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 10, '\n');
  }
  return 0;
}

/// A stand-in session: records how late its deadline arrived.
session_timer::behavior_type session(session_timer::pointer, results* out, std::size_t index,
                                     domain::timestamp deadline) {
  return {[=](actors::timeout_atom, std::uint64_t) {
    out->lateness_us[index] = (wall_now() - deadline).count();
    out->hits[index].fetch_add(1, std::memory_order_relaxed);
  }};
}

struct plan {
  std::vector<domain::timestamp> deadlines;
  std::vector<bool> ended_early;
};

plan make_plan(std::size_t n, int spread_s, int early_percent) {
  std::mt19937_64 rng{42};
  std::uniform_int_distribution<std::int64_t> offset(0, spread_s * 1'000'000LL);
  std::uniform_int_distribution<int> percent(0, 99);
  plan p;
  auto base = wall_now() + std::chrono::seconds{2};
  for (std::size_t i = 0; i < n; ++i) {
    p.deadlines.push_back(base + domain::duration{offset(rng)});
    p.ended_early.push_back(percent(rng) < early_percent);
  }
  return p;
}

void report(const char* name, const plan& p, results& r, long rss_delta_kb) {
  std::vector<std::int64_t> late;
  std::size_t missed = 0, duplicated = 0, fired_after_end = 0;
  for (std::size_t i = 0; i < p.deadlines.size(); ++i) {
    int hits = r.hits[i].load();
    if (p.ended_early[i]) {
      fired_after_end += hits > 0;
      continue;
    }
    if (hits == 0)
      ++missed;
    if (hits > 1)
      ++duplicated;
    if (hits > 0)
      late.push_back(r.lateness_us[i]);
  }
  std::sort(late.begin(), late.end());
  auto pct = [&](double q) { return late.empty() ? 0 : late[std::min(late.size() - 1, std::size_t(q * late.size()))]; };
  std::printf("%-22s sessions=%zu  lateness p50=%lldus p99=%lldus p99.9=%lldus max=%lldus  missed=%zu duplicated=%zu "
              "fired_after_end=%zu  rss/session=%.2fKB\n",
              name, p.deadlines.size(), (long long)pct(0.5), (long long)pct(0.99), (long long)pct(0.999),
              (long long)(late.empty() ? 0 : late.back()), missed, duplicated, fired_after_end,
              double(rss_delta_kb) / double(p.deadlines.size()));
}

/// Ends the planned share of sessions early, waits past the last deadline, reports, and stops the rest.
void finish_run(const char* name, const plan& p, results& r, std::vector<session_timer>& sessions,
                long rss_delta_kb) {
  for (std::size_t i = 0; i < sessions.size(); ++i)
    if (p.ended_early[i])
      caf::anon_send_exit(sessions[i], caf::exit_reason::user_shutdown);
  auto last = *std::max_element(p.deadlines.begin(), p.deadlines.end());
  std::this_thread::sleep_until(clock_type::time_point{last} + std::chrono::seconds{1});
  report(name, p, r, rss_delta_kb);
  for (auto& s : sessions)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

/// The wheel: each session asks the wheel for its wake-up.
void run_wheel(const plan& p) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  results r{p.deadlines.size()};
  auto rss0 = rss_kb();
  actors::time_base times{wall_now(), sys.clock().now()};
  auto wheel = sys.spawn<caf::detached>(actors::timer_wheel, times);
  std::vector<session_timer> sessions;
  sessions.reserve(p.deadlines.size());
  for (std::size_t i = 0; i < p.deadlines.size(); ++i) {
    auto s = sys.spawn(session, &r, i, p.deadlines[i]);
    caf::anon_send(wheel, actors::schedule_atom::value, actors::timer_request{p.deadlines[i], 2}, s);
    sessions.push_back(s);
  }
  finish_run("wheel (actas)", p, r, sessions, rss_kb() - rss0);
  caf::anon_send_exit(wheel, caf::exit_reason::user_shutdown);
}

/// The peer: every session keeps its own CAF delayed_send.
void run_delayed_send(const plan& p) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  results r{p.deadlines.size()};
  auto rss0 = rss_kb();
  std::vector<session_timer> sessions;
  sessions.reserve(p.deadlines.size());
  for (std::size_t i = 0; i < p.deadlines.size(); ++i) {
    auto s = sys.spawn(session, &r, i, p.deadlines[i]);
    auto delay = std::chrono::duration_cast<caf::timespan>(p.deadlines[i] - wall_now());
    sys.clock().schedule_message(sys.clock().now() + delay,
                                 caf::actor_cast<caf::strong_actor_ptr>(s),
                                 caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                                           actors::timeout_atom::value, std::uint64_t{2}));
    sessions.push_back(s);
  }
  finish_run("delayed_send (peer)", p, r, sessions, rss_kb() - rss0);
}

/// The floor: one thread, a binary heap of (deadline, session), sleeping until the earliest deadline.
void run_heap_floor(const plan& p) {
  struct entry {
    domain::timestamp at;
    std::size_t index;
    bool operator>(const entry& o) const { return at > o.at; }
  };
  results r{p.deadlines.size()};
  auto rss0 = rss_kb();
  std::vector<std::atomic<char>> ended(p.deadlines.size());
  std::vector<entry> entries;
  entries.reserve(p.deadlines.size());
  for (std::size_t i = 0; i < p.deadlines.size(); ++i) entries.push_back({p.deadlines[i], i});
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap(std::greater<>{}, std::move(entries));
  const long rss_delta = rss_kb() - rss0;
  std::thread timer([&] {
    while (!heap.empty()) {
      std::this_thread::sleep_until(clock_type::time_point{heap.top().at});
      const auto now = wall_now();
      while (!heap.empty() && heap.top().at <= now) {
        const auto i = heap.top().index;
        heap.pop();
        if (ended[i].load(std::memory_order_relaxed)) continue;
        r.lateness_us[i] = (wall_now() - p.deadlines[i]).count();
        r.hits[i].fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  // Ending a session early only marks it; the heap skips it when its deadline comes.
  for (std::size_t i = 0; i < p.deadlines.size(); ++i)
    if (p.ended_early[i]) ended[i].store(1, std::memory_order_relaxed);
  timer.join();
  report("heap thread (floor)", p, r, rss_delta);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t n = argc > 1 ? std::stoul(argv[1]) : 100000;
  int spread = argc > 2 ? std::stoi(argv[2]) : 5;
  int early = argc > 3 ? std::stoi(argv[3]) : 10;
  const std::string design = argc > 4 ? argv[4] : "all";
  if (design != "all" && design != "wheel" && design != "delayed_send" && design != "heap") {
    std::fprintf(stderr, "timers_bench: design must be wheel, delayed_send, heap or all\n");
    return 2;
  }
  if (design == "all" || design == "wheel") run_wheel(make_plan(n, spread, early));
  if (design == "all" || design == "delayed_send") run_delayed_send(make_plan(n, spread, early));
  if (design == "all" || design == "heap") run_heap_floor(make_plan(n, spread, early));
}
