#pragma once
/// Every audit chain checked before the node serves (SPEC §5, issue 12): from where the last check got
/// to (a stored checkpoint) up to the head row written with each event, so a start reads only what was
/// added since, and a chain whose newest events were deleted is caught (its head is ahead of its rows).
#include <cstdint>
#include <string>
#include <vector>

#include "domain/audit.hpp"

namespace actas::store {

class database;

/// A chain that failed its check: audited changes on it are refused until an operator repairs it.
struct chain_fault {
  std::string chain;
  std::int64_t first_bad_seq = 0;
  std::string problem;
};

/// Verifies each chain of `db` from its checkpoint to its head and moves the checkpoints of the chains
/// that verified to their heads (one write transaction). Returns the chains that did not verify, each
/// already logged at critical level with its first bad seq. Throws like the store on a SQLite error.
std::vector<chain_fault> check_chains(database& db, const domain::hash_function& sha256);

} // namespace actas::store
