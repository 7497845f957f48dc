#include "net/metrics.hpp"

#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace actas::net {

namespace {

/// Seconds: from a cached answer (tens of µs) to the 10 s an answer may wait on the core.
const prometheus::Histogram::BucketBoundaries request_buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                               0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                               1,      2.5,     5,      10};
/// Seconds: an fsync on a fast disk (~0.1 ms) to a stalled one.
const prometheus::Histogram::BucketBoundaries commit_buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};
/// Jobs per transaction, up to the writer's batch limit (512).
const prometheus::Histogram::BucketBoundaries batch_buckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

} // namespace

struct node_metrics::impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& decisions =
    prometheus::BuildCounter()
      .Name("actas_decisions_total")
      .Help("Answered decisions by kind (authorize, impersonation_start, support_grant), outcome and rule code")
      .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sessions =
    prometheus::BuildGauge().Name("actas_sessions_active").Help("Impersonation sessions running on this node").Register(*registry);
  prometheus::Family<prometheus::Gauge>& grants =
    prometheus::BuildGauge().Name("actas_grants_active").Help("Support grants in effect on this node").Register(*registry);
  prometheus::Family<prometheus::Gauge>& ws_connections =
    prometheus::BuildGauge().Name("actas_ws_connections").Help("Open WebSocket connections").Register(*registry);
  prometheus::Family<prometheus::Counter>& ws_closed =
    prometheus::BuildCounter().Name("actas_ws_closed_total").Help("WebSocket connections closed, by close code").Register(*registry);
  prometheus::Family<prometheus::Counter>& http_requests =
    prometheus::BuildCounter().Name("actas_http_requests_total").Help("HTTP answers by route and status").Register(*registry);
  prometheus::Family<prometheus::Histogram>& http_duration =
    prometheus::BuildHistogram()
      .Name("actas_http_request_duration_seconds")
      .Help("From a request read to its answer handed to the socket")
      .Register(*registry);
  prometheus::Family<prometheus::Histogram>& commit_duration =
    prometheus::BuildHistogram().Name("actas_commit_duration_seconds").Help("Group commits, transaction and fsync").Register(*registry);
  prometheus::Family<prometheus::Histogram>& commit_batch =
    prometheus::BuildHistogram().Name("actas_commit_batch_size").Help("Jobs per group commit").Register(*registry);
  prometheus::Family<prometheus::Gauge>& audit_writable =
    prometheus::BuildGauge().Name("actas_audit_writable").Help("1 while the audit log can be written").Register(*registry);
  prometheus::Family<prometheus::Gauge>& node_ready =
    prometheus::BuildGauge().Name("actas_node_ready").Help("1 while /readyz answers 200").Register(*registry);
  prometheus::Family<prometheus::Gauge>& cluster_lag =
    prometheus::BuildGauge()
      .Name("actas_cluster_lag_seconds")
      .Help("Since this node's last completed round of following the other nodes (0 on a database of its own)")
      .Register(*registry);

  prometheus::Gauge& ws_open = ws_connections.Add({});
  prometheus::Histogram& duration = http_duration.Add({}, request_buckets);
  prometheus::Histogram& commit_seconds = commit_duration.Add({}, commit_buckets);
  prometheus::Histogram& commit_jobs = commit_batch.Add({}, batch_buckets);
};

node_metrics::node_metrics() : impl_(std::make_unique<impl>()) {}
node_metrics::~node_metrics() = default;

void node_metrics::count_request(std::string_view route, unsigned status, std::chrono::duration<double> took) {
  impl_->http_requests.Add({{"route", std::string(route)}, {"status", std::to_string(status)}}).Increment();
  impl_->duration.Observe(took.count());
}

void node_metrics::ws_opened() { impl_->ws_open.Increment(); }

void node_metrics::ws_closed(unsigned code) {
  impl_->ws_open.Decrement();
  impl_->ws_closed.Add({{"code", std::to_string(code)}}).Increment();
}

void node_metrics::count_decision(std::string_view kind, bool allowed, std::string_view code) {
  impl_->decisions
    .Add({{"kind", std::string(kind)}, {"outcome", allowed ? "allowed" : "denied"}, {"code", std::string(code)}})
    .Increment();
}

void node_metrics::observe_commit(std::chrono::duration<double> took, std::size_t jobs) {
  impl_->commit_seconds.Observe(took.count());
  impl_->commit_jobs.Observe(static_cast<double>(jobs));
}

std::string node_metrics::exposition(const state& now) const {
  impl_->sessions.Add({}).Set(static_cast<double>(now.sessions_active));
  impl_->grants.Add({}).Set(static_cast<double>(now.grants_active));
  impl_->audit_writable.Add({}).Set(now.audit_writable ? 1 : 0);
  impl_->node_ready.Add({}).Set(now.ready ? 1 : 0);
  impl_->cluster_lag.Add({}).Set(now.cluster_lag_seconds);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  return out.str();
}

} // namespace actas::net
