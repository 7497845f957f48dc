// Micro-benchmarks of the domain hot paths (Google Benchmark): the start rules, restricted-action
// matching and audit hashing. Speed is measured here, never asserted in tests (BENCH.md).
//
//   domain_bench [--benchmark_filter=…] [--benchmark_min_time=0.1]
#include <benchmark/benchmark.h>

#include "crypto/crypto.hpp"
#include "domain/audit.hpp"
#include "domain/restricted.hpp"
#include "domain/settings.hpp"
#include "domain/start_rules.hpp"
#include "tests/domain/fixture.hpp"

namespace {

using namespace actas;
using actas::testing::demo_directory;
using actas::testing::who;

/// A directory like the demo one with `extra` more learners in acme-eu (the registry's real size).
domain::directory sized_directory(int extra) {
  auto d = demo_directory();
  for (int i = 0; i < extra; ++i)
    d.put_user(actas::testing::make_user("learner" + std::to_string(i), domain::role::learner, "acme-eu", "acme"));
  return d;
}

/// The common case: an admin starts on a learner in scope, every rule passes (all 13 are checked).
void check_start_allowed(benchmark::State& state) {
  const auto dir = sized_directory(static_cast<int>(state.range(0)));
  domain::start_request req;
  req.caller = &who(dir, "adam");
  req.target_id = "u-ann";
  req.reason = "checking the learner's course view";
  for (auto _ : state) {
    auto v = domain::check_start(dir, req);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(check_start_allowed)->Arg(0)->Arg(10000);

/// A refusal late in the order (rule 9, out of scope): most rules still run.
void check_start_out_of_scope(benchmark::State& state) {
  const auto dir = demo_directory();
  domain::start_request req;
  req.caller = &who(dir, "adam");
  req.target_id = "u-bob";
  req.reason = "checking the learner's course view";
  for (auto _ : state) {
    auto v = domain::check_start(dir, req);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(check_start_out_of_scope);

/// The default restricted list against an allowed action (every pattern tried) and a restricted one.
void is_restricted_default_list(benchmark::State& state) {
  const auto patterns = domain::default_settings().impersonation.restricted_actions;
  const std::string action = state.range(0) ? "messages.thread.open" : "courses.42.view";
  for (auto _ : state) {
    bool r = domain::is_restricted(patterns, action);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(is_restricted_default_list)->ArgName("restricted")->Arg(0)->Arg(1);

domain::audit_event sample_event() {
  domain::audit_event e;
  e.chain = "acme";
  e.at = domain::timestamp{std::chrono::microseconds{1'763'700'000'000'000}};
  e.event = "impersonation.start";
  e.performed_by = "adam";
  e.active_account = "ann";
  e.session = "ses_3f2a9c0d1e4b5a6978877665544332211";
  e.portal = "acme-eu";
  e.result = domain::outcome::done;
  e.reason = "checking the learner's course view";
  e.ip = "127.0.0.1";
  return e;
}

void audit_canonical_json(benchmark::State& state) {
  const auto e = sample_event();
  for (auto _ : state) {
    auto s = domain::canonical_json(e);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(audit_canonical_json);

void audit_sha256(benchmark::State& state) {
  const auto text = domain::genesis_hash + domain::canonical_json(sample_event());
  for (auto _ : state) {
    auto h = crypto::sha256_hex(text);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(audit_sha256);

/// canonical_json + SHA-256 over the previous hash: what every audited decision pays before its write.
void audit_link(benchmark::State& state) {
  auto e = sample_event();
  std::int64_t seq = 0;
  std::string prev = domain::genesis_hash;
  const domain::hash_function sha256 = crypto::sha256_hex;
  for (auto _ : state) {
    domain::link(e, seq++, prev, sha256);
    prev = e.hash;
    benchmark::DoNotOptimize(prev);
  }
}
BENCHMARK(audit_link);

} // namespace

int main(int argc, char** argv) {
  crypto::init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
