#pragma once
/// The comparison table: one row per (scenario, implementation, metric), with the ratio to the floor
/// and whether the BENCH.md target is met.
#include <optional>
#include <string>
#include <vector>

namespace bench {

struct row {
  std::string scenario, impl, metric, value;
  std::string ratio = "—";   ///< to the floor named in the target, e.g. "1.31×"
  std::string target = "";   ///< the BENCH.md target, short
  std::string verdict = "";  ///< "met", "MISSED", "n/a" or "" (no target for this row)
};

/// "12.3" with `digits` decimals.
std::string num(double v, int digits = 1);
/// "1.31×" (or "—" when the floor is not positive).
std::string ratio(double value, double floor);
inline std::string verdict(bool met) { return met ? "met" : "MISSED"; }

class report {
public:
  void add(row r);
  /// A line printed under the table (durability mode, run counts, what was n/a and why).
  void note(std::string line) { notes_.push_back(std::move(line)); }
  /// The aligned text table, then the notes.
  std::string text() const;
  /// The same as a Markdown table.
  std::string markdown() const;
  const std::vector<row>& rows() const { return rows_; }

private:
  std::vector<row> rows_;
  std::vector<std::string> notes_;
};

/// Median of the values (0 when empty).
double median(std::vector<double> v);

} // namespace bench
