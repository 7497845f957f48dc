#pragma once
/// `actas migrate --to postgresql://… [--data DIR]` (SPEC §8): copies a stopped node's SQLite database into
/// an empty PostgreSQL database and verifies every chain there.
#include <ostream>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace actas::app {

/// Runs the subcommand with `args` (after the word "migrate"). Prints what it copied and each chain's
/// verdict to `out`, errors to `err`. Returns the exit code: 0 copied and verified, 1 failed (the target
/// is left empty), 2 wrong usage.
int run_migrate(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err);

} // namespace actas::app
