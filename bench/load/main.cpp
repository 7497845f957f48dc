// actas_bench: runs the BENCH.md scenarios against actas, its floors and its peer on 127.0.0.1 and prints
// one table. bench/run builds it and calls it; see docs/benchmarks.md.
//
//   actas_bench [--quick] [--source DIR] [--build DIR] [--skip actas|node|beast|epoll]… [--connections N,N…] [scenario…]
//   scenarios: hold notify fanout ops timers authorize micro (default: all)
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "load/postgresql.hpp"
#include "load/process.hpp"
#include "load/scenarios.hpp"

#ifndef ACTAS_SOURCE_DIR
#define ACTAS_SOURCE_DIR "."
#endif
#ifndef ACTAS_BUILD_DIR
#define ACTAS_BUILD_DIR "build"
#endif

namespace bench {

namespace {

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

} // namespace

const actas_template& context::actas_users() {
  if (!tmpl) {
    say("preparing the actas data folder (demo realm + provisioned admin/learner pairs)");
    // notify gives every start its own pair: rate × (warm-up + duration), with a margin.
    tmpl = std::make_unique<actas_template>(paths, *l, quick ? 2600 : 6500);
    if (!tmpl->users().note.empty()) out->note("actas accounts: " + tmpl->users().note);
  }
  return *tmpl;
}

running context::start(impl kind, const std::string& scenario, start_options o) {
  const auto tag = scenario + "-" + std::string(impl_name(kind)) + "-" + std::to_string(++started_);
  std::string safe;
  for (char ch : tag) safe += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-') ? ch : '_';
  // One server at a time: the data folders of earlier actas servers (stopped by now) can go; logs stay.
  for (const auto& d : data_folders_) std::filesystem::remove_all(d);
  data_folders_.clear();
  if (kind == impl::actas) data_folders_.push_back(paths.work + "/" + safe);
  return bench::start(kind, paths, kind == impl::actas ? &actas_users() : nullptr, safe, o);
}

bool context::skipped(impl i) const { return std::find(skip.begin(), skip.end(), i) != skip.end(); }

std::vector<impl> context::wanted(std::vector<impl> impls) const {
  std::erase_if(impls, [&](impl i) { return skipped(i) || (i == impl::node_peer && !node); });
  return impls;
}

void context::say(const std::string& line) const { std::cerr << "[bench] " << line << std::endl; }

} // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  install_signal_handlers();
  context c;
  c.paths.source = ACTAS_SOURCE_DIR;
  c.paths.build = ACTAS_BUILD_DIR;
  std::vector<std::string> wanted;
  std::string engine = "sqlite";
  const std::vector<std::string> all{"hold", "notify", "fanout", "ops", "timers", "authorize", "micro"};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") c.quick = true;
    else if (a == "--engine" && i + 1 < argc) {
      engine = argv[++i];
      if (engine != "sqlite" && engine != "postgresql") {
        std::cerr << "actas_bench: --engine takes sqlite or postgresql\n";
        return 2;
      }
    }
    else if (a == "--source" && i + 1 < argc) c.paths.source = argv[++i];
    else if (a == "--build" && i + 1 < argc) c.paths.build = argv[++i];
    else if (a == "--connections" && i + 1 < argc) {
      std::string list = argv[++i];
      for (std::size_t at = 0; at <= list.size();) {
        const auto comma = std::min(list.find(',', at), list.size());
        const auto n = std::stoul(list.substr(at, comma - at));
        if (n == 0 || n > 60000) {
          std::cerr << "actas_bench: --connections takes counts from 1 to 60000\n";
          return 2;
        }
        c.connections.push_back(n);
        at = comma + 1;
      }
    } else if (a == "--skip" && i + 1 < argc) {
      const std::string what = argv[++i];
      if (what == "actas") c.skip.push_back(impl::actas);
      else if (what == "node") c.skip.push_back(impl::node_peer);
      else if (what == "beast") c.skip.push_back(impl::beast_floor);
      else if (what == "epoll") c.skip.push_back(impl::epoll_floor);
      else {
        std::cerr << "actas_bench: --skip takes actas, node, beast or epoll\n";
        return 2;
      }
    }
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: actas_bench [--quick] [--engine sqlite|postgresql] [--source DIR] [--build DIR] [--skip actas|node|beast|epoll] [--connections N,N…] [scenario…]\nscenarios:";
      for (const auto& s : all) std::cout << " " << s;
      std::cout << "\n";
      return 0;
    } else if (std::find(all.begin(), all.end(), a) != all.end()) wanted.push_back(a);
    else {
      std::cerr << "actas_bench: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (wanted.empty()) wanted = all;
  c.runs = c.quick ? 1 : 3;
  c.paths.work = c.paths.build + "/bench-run";
  std::filesystem::remove_all(c.paths.work);
  std::filesystem::create_directories(c.paths.work);
  c.node = have_node() && std::filesystem::exists(c.paths.source + "/bench/peer/node_modules/ws");

  // SPEC §8 engines: on PostgreSQL the run gets a throwaway server of its own, stopped when the run ends.
  std::unique_ptr<throwaway_postgresql> pg;
  if (engine == "postgresql") {
    pg = std::make_unique<throwaway_postgresql>(c.paths.source);
    c.paths.pg_host = pg->host();
  }

  loop l;
  report out;
  c.l = &l;
  c.out = &out;
  if (!std::filesystem::exists(c.paths.build + "/app/actas") && !c.skipped(impl::actas)) {
    c.skip.push_back(impl::actas);
    out.note("actas left out: " + c.paths.build + "/app/actas is missing (it did not build)");
  }
  const auto load_at_start = loadavg();
  const auto started = std::chrono::steady_clock::now();
  out.note(engine == "postgresql"
               ? "engine: PostgreSQL 15 (a throwaway cluster on a Unix socket, fsync=on, synchronous_commit=on), one "
                 "database per actas server copied from the seeded template"
               : "engine: SQLite (WAL, synchronous=FULL)");
  if (!c.node) out.note("Node ws peer skipped: node or bench/peer/node_modules/ws is missing (npm install --prefix bench/peer)");
  int status = 0;
  for (const auto& s : wanted) {
    c.say("scenario " + s + (c.quick ? " (quick)" : ""));
    try {
      if (s == "hold") run_hold(c);
      if (s == "notify") run_notify(c);
      if (s == "fanout") run_fanout(c);
      if (s == "ops") run_ops(c);
      if (s == "timers") run_timers(c);
      if (s == "authorize") run_authorize(c);
      if (s == "micro") run_micro(c);
    } catch (const std::exception& e) {
      out.add({s, "—", "scenario failed", std::string("error: ") + e.what(), "—", "", "n/a"});
      c.say(s + " failed: " + e.what());
      status = 1;
    }
  }
  out.note("machine: " + std::to_string(std::thread::hardware_concurrency()) + " CPUs; load average (1/5/15 min) " +
           load_at_start + " at the start, " + loadavg() + " at the end (other work on the machine shares the cores); " +
           (c.quick ? "--quick, 1 run per figure" : "medians of 3 runs") + "; measured in " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()) +
           " s");
  std::cout << out.text() << std::flush;
  std::ofstream(c.paths.work + "/table.md") << out.markdown();
  c.say("table also in " + c.paths.work + "/table.md; server logs in " + c.paths.work);
  stop_all_children();
  return status;
}
