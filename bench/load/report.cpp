#include "load/report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdint>

namespace bench {

namespace {

/// Display width in code points (the table holds a few non-ASCII signs: ×, µ, —, ≤, ≥).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string pad(const std::string& s, std::size_t w) { return s + std::string(w > width(s) ? w - width(s) : 0, ' '); }

} // namespace

std::string num(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string ratio(double value, double floor) {
  if (!(floor > 0)) return "—";
  return num(value / floor, 2) + "×";
}

void report::add(row r) { rows_.push_back(std::move(r)); }

std::string report::text() const {
  const std::vector<std::string> head{"scenario", "implementation", "metric", "value", "ratio", "target", "met?"};
  std::vector<std::size_t> w;
  for (const auto& h : head) w.push_back(width(h));
  const auto cells = [](const row& r) {
    return std::vector<std::string>{r.scenario, r.impl, r.metric, r.value, r.ratio, r.target, r.verdict};
  };
  for (const auto& r : rows_) {
    const auto c = cells(r);
    for (std::size_t i = 0; i < c.size(); ++i) w[i] = std::max(w[i], width(c[i]));
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& c) {
    for (std::size_t i = 0; i < c.size(); ++i) out += pad(c[i], w[i]) + (i + 1 < c.size() ? "  " : "");
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  };
  line(head);
  std::vector<std::string> rule;
  for (auto x : w) rule.push_back(std::string(x, '-'));
  line(rule);
  std::string last;
  for (const auto& r : rows_) {
    if (!last.empty() && r.scenario != last) out += "\n";
    last = r.scenario;
    line(cells(r));
  }
  if (!notes_.empty()) out += "\n";
  for (const auto& n : notes_) out += "* " + n + "\n";
  return out;
}

std::string report::markdown() const {
  std::string out = "| scenario | implementation | metric | value | ratio to floor | target | met? |\n"
                    "|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows_)
    out += "| " + r.scenario + " | " + r.impl + " | " + r.metric + " | " + r.value + " | " + r.ratio + " | " +
           r.target + " | " + r.verdict + " |\n";
  if (!notes_.empty()) out += "\n";
  for (const auto& n : notes_) out += "- " + n + "\n";
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace bench
