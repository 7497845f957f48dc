#pragma once
/// Parsing a subcommand's arguments (`actas migrate …`, `actas audit …`) the same way everywhere: --help
/// prints its help to `out` (exit 0), a wrong argument says so on `err` after the subcommand's name (exit 2).
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace actas::app {

/// nullopt: parsed, go on; otherwise the exit code the subcommand ends with.
inline std::optional<int> parse_subcommand(CLI::App& cli, const std::vector<std::string>& args,
                                           const std::string& name, std::ostream& out, std::ostream& err) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    cli.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << cli.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << name << ": " << e.what() << "\n";
    return 2;
  }
  return std::nullopt;
}

} // namespace actas::app
