#pragma once
/// Set-up calls made before a measurement: one request and wait, or many with bounded concurrency.
#include <string>
#include <vector>

#include "load/http_client.hpp"

namespace bench {

struct call_spec {
  std::string method, path, body, bearer;
};

/// One request on a fresh connection; waits up to `timeout`.
http_response call(loop& l, int port, const call_spec& c, ns timeout = sec(30));

/// Many requests over `concurrency` keep-alive connections; answers in the order of `calls`.
std::vector<http_response> call_all(loop& l, int port, const std::vector<call_spec>& calls, std::size_t concurrency,
                                    ns timeout = sec(120));

/// Latency samples (ns) and their order statistics.
class samples {
public:
  void add(ns v) {
    v_.push_back(v);
    sorted_ = false;
  }
  std::size_t size() const { return v_.size(); }
  /// q in [0, 1]; 0 when empty.
  ns quantile(double q);
  double mean() const;

private:
  std::vector<ns> v_;
  bool sorted_ = false;
};

} // namespace bench
