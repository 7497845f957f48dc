#pragma once
/// SPEC §8 `actas migrate`: everything a node keeps, copied from one database into an empty one on
/// another engine, then every audit chain verified there.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "domain/audit.hpp"
#include "store/database.hpp"

namespace actas::store {

struct copy_report {
  /// Rows copied per table, in copy order.
  std::vector<std::pair<std::string, std::int64_t>> rows;
  /// Every chain with its verdict on the target.
  std::vector<std::pair<std::string, domain::verify_result>> chains;
  bool chains_ok() const;
};

/// Copies `from` into `to` in one transaction on each side: `from` is held with its write lock so no
/// node changes it meanwhile; `to` commits only if every table copied, its row counts and chain heads
/// equal the source's, and every chain verifies in the copy (a broken chain is reported and nothing is
/// committed: chains_ok() is false). Throws std::runtime_error when `to` already holds any row (naming
/// the table) or anything fails; nothing is left in `to` then.
copy_report copy_database(database& from, database& to, const domain::hash_function& sha256);

} // namespace actas::store
