#pragma once
/// The BENCH.md scenarios. Each runs every implementation in turn (a fresh server per measurement),
/// takes the median of `runs` runs, and adds its rows to the report.
#include <map>
#include <memory>
#include <optional>
#include <vector>
#include <string>

#include "load/probes.hpp"
#include "load/report.hpp"
#include "load/servers.hpp"

namespace bench {

struct context {
  env_paths paths;
  bool quick = false;
  /// Runs per measurement (the median is reported): 3, or 1 with --quick.
  int runs = 3;
  bool node = true;
  /// --connections: overrides the connection counts of hold and fanout.
  std::vector<std::size_t> connections;
  /// Implementations left out with --skip (for trying the bench while one is broken).
  std::vector<impl> skip;
  bool skipped(impl i) const;
  /// `impls` without the skipped ones (and without the Node peer when node is missing).
  std::vector<impl> wanted(std::vector<impl> impls) const;
  loop* l = nullptr;
  report* out = nullptr;
  /// Made on first use (the scenarios that need actas).
  std::unique_ptr<actas_template> tmpl;

  const actas_template& actas_users();
  /// A fresh server, its log named after the scenario, the implementation and a counter.
  running start(impl kind, const std::string& scenario, start_options o = {});
  /// Prints progress to stderr (the table goes to stdout).
  void say(const std::string& line) const;

private:
  int started_ = 0;
  std::vector<std::string> data_folders_;
};

void run_hold(context& c);
void run_notify(context& c);
void run_fanout(context& c);
void run_ops(context& c);
void run_timers(context& c);
void run_authorize(context& c);
void run_micro(context& c);

} // namespace bench
