#pragma once
/// `actas check-config FILE` (issue 15): reads a configuration as the server would, without starting
/// anything, so an operator (or a deploy script) learns before a restart whether the node would refuse it.
#include <ostream>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace actas::app {

/// Runs the subcommand with `args` (after the word "check-config": exactly one file). A refused
/// configuration prints the very sentence the server prints ("actas: …") to `err` and returns 2; a valid
/// one prints what the server would listen on and store in to `out` and returns 0. The environment counts
/// as it does for the server (flags > environment > file).
int run_check_config(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out,
                     std::ostream& err);

} // namespace actas::app
