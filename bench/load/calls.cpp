#include "load/calls.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

namespace bench {

http_response call(loop& l, int port, const call_spec& c, ns timeout) {
  http_conn conn(l, "127.0.0.1", port);
  http_response out;
  bool done = false;
  out.error = "timed out";
  conn.request(c.method, c.path, c.body, c.bearer, [&](http_response& r) {
    out = std::move(r);
    done = true;
  });
  l.run_until([&] { return done; }, now_ns() + timeout);
  return out;
}

std::vector<http_response> call_all(loop& l, int port, const std::vector<call_spec>& calls, std::size_t concurrency,
                                    ns timeout) {
  std::vector<http_response> out(calls.size());
  for (auto& r : out) r.error = "timed out";
  std::vector<std::unique_ptr<http_conn>> conns;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, concurrency); ++i)
    conns.push_back(std::make_unique<http_conn>(l, "127.0.0.1", port));
  std::size_t next = 0, done = 0;
  std::function<void(std::size_t)> feed = [&](std::size_t k) {
    if (next >= calls.size()) return;
    const auto i = next++;
    const auto& c = calls[i];
    conns[k]->request(c.method, c.path, c.body, c.bearer, [&, i, k](http_response& r) {
      out[i] = std::move(r);
      ++done;
      feed(k);
    });
  };
  for (std::size_t k = 0; k < conns.size(); ++k) feed(k);
  l.run_until([&] { return done == calls.size(); }, now_ns() + timeout);
  return out;
}

ns samples::quantile(double q) {
  if (v_.empty()) return 0;
  if (!sorted_) {
    std::sort(v_.begin(), v_.end());
    sorted_ = true;
  }
  const auto i = std::min(v_.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v_.size())));
  return v_[i];
}

double samples::mean() const {
  if (v_.empty()) return 0;
  return static_cast<double>(std::accumulate(v_.begin(), v_.end(), ns{0})) / static_cast<double>(v_.size());
}

} // namespace bench
