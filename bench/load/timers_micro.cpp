// `timers` runs bench/timers_bench (the real timer wheel on real threads, the per-actor delayed_send peer
// and a one-thread heap floor, in one process) and `micro` runs bench/domain_bench (Google Benchmark);
// both are read back from their output.
#include <cstdio>
#include <map>
#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "load/scenarios.hpp"

namespace bench {

namespace {

std::string run_capture(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) throw std::runtime_error(command + " failed (status " + std::to_string(rc) + "): " + out.substr(0, 300));
  return out;
}

struct timer_line {
  double p50 = 0, p99 = 0, p999 = 0, max = 0, missed = 0, duplicated = 0, after_end = 0, kb = 0;
};

std::map<std::string, timer_line> parse_timers(const std::string& text) {
  static const std::regex line(
      R"((.+?)\s+sessions=\d+\s+lateness p50=(-?\d+)us p99=(-?\d+)us p99\.9=(-?\d+)us max=(-?\d+)us\s+missed=(\d+) )"
      R"(duplicated=(\d+) fired_after_end=(\d+)\s+rss/session=(-?[\d.]+)KB)");
  std::map<std::string, timer_line> out;
  for (std::sregex_iterator it(text.begin(), text.end(), line), end; it != end; ++it) {
    const auto& m = *it;
    out[m[1]] = {std::stod(m[2]), std::stod(m[3]), std::stod(m[4]), std::stod(m[5]), std::stod(m[6]), std::stod(m[7]),
                 std::stod(m[8]), std::stod(m[9])};
  }
  return out;
}

} // namespace

void run_timers(context& c) {
  const std::size_t sessions = c.quick ? 20000 : 100000;
  const int spread = c.quick ? 1 : 5;
  std::map<std::string, std::vector<timer_line>> runs;
  for (int run = 0; run < c.runs; ++run) {
    c.say("timers: " + std::to_string(sessions) + " sessions over " + std::to_string(spread) + " s, run " +
          std::to_string(run + 1));
    // One process per design: RSS per session is only right for the first design a process runs.
    for (const char* design : {"wheel", "delayed_send", "heap"}) {
      const auto text = run_capture(c.paths.build + "/bench/timers_bench " + std::to_string(sessions) + " " +
                                    std::to_string(spread) + " 10 " + design + " 2>&1");
      for (auto& [name, t] : parse_timers(text)) runs[name].push_back(t);
    }
  }
  if (runs.empty()) throw std::runtime_error("timers_bench printed no result line");
  std::map<std::string, timer_line> med;
  for (auto& [name, v] : runs) {
    const auto pick = [&](double timer_line::*f) {
      std::vector<double> x;
      for (auto& t : v) x.push_back(t.*f);
      return median(x);
    };
    med[name] = {pick(&timer_line::p50), pick(&timer_line::p99), pick(&timer_line::p999), pick(&timer_line::max),
                 pick(&timer_line::missed), pick(&timer_line::duplicated), pick(&timer_line::after_end), pick(&timer_line::kb)};
  }
  const auto floor_it = med.find("heap thread (floor)");
  const timer_line floor = floor_it == med.end() ? timer_line{} : floor_it->second;
  const auto tag = " @" + std::to_string(sessions / 1000) + "k";
  for (const auto& name : {"wheel (actas)", "delayed_send (peer)", "heap thread (floor)"}) {
    if (!med.contains(name)) continue;
    const auto& t = med[name];
    const bool actas = std::string(name) == "wheel (actas)";
    row late{"timers", name, "lateness p50 / p99 / p99.9" + tag,
             num(t.p50 / 1e3, 3) + " / " + num(t.p99 / 1e3, 3) + " / " + num(t.p999 / 1e3, 3) + " ms",
             ratio(t.p99, floor.p99) + " (p99)"};
    row miss{"timers", name, "missed / duplicated / after end" + tag,
             num(t.missed, 0) + " / " + num(t.duplicated, 0) + " / " + num(t.after_end, 0)};
    row mem{"timers", name, "RSS/session" + tag, num(t.kb, 3) + " KB"};
    if (actas) {
      late.target = "p99 ≤ 1 ms, p99.9 ≤ 5 ms";
      late.verdict = verdict(t.p99 <= 1000 && t.p999 <= 5000);
      miss.target = "0 / 0 / 0";
      miss.verdict = verdict(t.missed == 0 && t.duplicated == 0 && t.after_end == 0);
      mem.target = "≤ 3 KB";
      mem.verdict = verdict(t.kb <= 3.0);
    }
    c.out->add(late);
    c.out->add(miss);
    c.out->add(mem);
  }
  c.out->note("timers: " + std::to_string(sessions) + " sessions with deadlines spread over " + std::to_string(spread) +
              " s, 10% ended early, in one process on real threads (bench/timers_bench); RSS per session counts the "
              "session actors too (the floor has none).");
}

void run_micro(context& c) {
  const auto text = run_capture(c.paths.build + "/bench/domain_bench --benchmark_format=json --benchmark_min_time=" +
                                (c.quick ? std::string("0.05") : std::string("0.5")) + " 2>/dev/null");
  const auto j = nlohmann::json::parse(text);
  for (const auto& b : j.at("benchmarks")) {
    const double t = b.at("real_time").get<double>();
    const auto unit = b.at("time_unit").get<std::string>();
    const double ns_per_op = unit == "ns" ? t : unit == "us" ? t * 1e3 : unit == "ms" ? t * 1e6 : t * 1e9;
    c.out->add({"micro", "actas domain", b.at("name").get<std::string>(), num(ns_per_op, 0) + " ns/op", "—", "", ""});
  }
}

} // namespace bench
