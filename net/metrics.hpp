#pragma once
/// The metrics of one node (SPEC §10), kept in prometheus-cpp's registry (Debian prometheus-cpp-dev) and
/// served by GET /metrics through its text serializer on the existing Beast server: no exposer thread of
/// its own. Counters and histograms move as things happen (any thread); the gauges that describe state
/// (sessions, grants, readiness, cluster lag) are read at each scrape instead of being kept in step.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace actas::net {

class node_metrics {
public:
  node_metrics();
  ~node_metrics();
  node_metrics(const node_metrics&) = delete;
  node_metrics& operator=(const node_metrics&) = delete;

  /// One HTTP answer. `route` is the route's pattern ("GET /v1/impersonations/{id}"), never the raw path,
  /// so the label set stays bounded whatever clients send.
  void count_request(std::string_view route, unsigned status, std::chrono::duration<double> took);
  /// A WebSocket opened; one closed with `code` (1000, 1008, 1012, …; 1006 when it just went away).
  void ws_opened();
  void ws_closed(unsigned code);
  /// One answered decision: `kind` authorize | impersonation_start | support_grant, `code` the rule code
  /// of a refusal ("" when allowed).
  void count_decision(std::string_view kind, bool allowed, std::string_view code);
  /// One group commit: how long its transaction took and how many jobs it carried.
  void observe_commit(std::chrono::duration<double> took, std::size_t jobs);

  /// What the node is at the moment of a scrape.
  struct state {
    std::uint64_t sessions_active = 0;
    std::uint64_t grants_active = 0;
    bool audit_writable = true;
    bool ready = true;
    double cluster_lag_seconds = 0;
  };
  /// The Prometheus text exposition (format 0.0.4) of every metric, with `now` as the state gauges.
  std::string exposition(const state& now) const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The Content-Type of exposition().
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

} // namespace actas::net
