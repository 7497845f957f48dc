#include "app/migrate.hpp"

#include <filesystem>

#include <CLI/CLI.hpp>

#include "app/subcommand.hpp"

#include "crypto/crypto.hpp"
#include "store/copy.hpp"

namespace actas::app {

int run_migrate(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out, std::ostream& err) {
  std::string to, data = "./data";
  CLI::App cli{"actas migrate: copy a stopped node's SQLite database into an empty PostgreSQL database",
               "actas migrate"};
  cli.add_option("--to", to, "postgresql://user@host:port/db (default: ACTAS_DATABASE_URL)");
  cli.add_option("--data", data, "data folder holding actas.db (default ./data)");
  cli.footer("Stop the node first: the copy holds the SQLite write lock while it runs. A password belongs in "
             "ACTAS_DATABASE_URL, ~/.pgpass or PGPASSWORD, never in --to (it would show in `ps`): one there is "
             "refused.");
  if (auto done = parse_subcommand(cli, args, "actas migrate", out, err)) return *done;
  // SPEC §8: a password never on the command line (it would show in `ps` and the shell's history).
  if (!to.empty() && store::redact(to) != to) {
    err << "actas migrate: --to must not carry a password; put it in ACTAS_DATABASE_URL (and leave out --to), "
           "~/.pgpass or PGPASSWORD\n";
    return 2;
  }
  if (to.empty()) to = env("ACTAS_DATABASE_URL").value_or("");
  if (!store::is_postgresql_url(to)) {
    err << "actas migrate: --to (or ACTAS_DATABASE_URL) must be a postgresql:// URL\n";
    return 2;
  }
  const auto file = (std::filesystem::path(data) / "actas.db").string();
  if (!std::filesystem::is_regular_file(file)) {
    err << "actas migrate: no SQLite database at " << file << " (use --data to name the data folder)\n";
    return 2;
  }
  try {
    crypto::init();
    store::database from(file);
    store::database into(to);
    const domain::hash_function sha256 = [](std::string_view b) { return crypto::sha256_hex(b); };
    const auto report = store::copy_database(from, into, sha256);
    out << "copied " << file << " into " << into.path() << ":\n";
    for (const auto& [table, n] : report.rows) out << "  " << table << ": " << n << " rows\n";
    for (const auto& [chain, r] : report.chains) {
      out << "  chain " << chain << ": " << r.events << " events, ";
      if (r.ok) out << "verified, head " << r.head << "\n";
      else out << "BROKEN at seq " << r.first_bad_seq.value_or(0) << ": " << r.problem << "\n";
    }
    if (!report.chains_ok()) {
      err << "actas migrate: a chain does not verify (the copy is exact, so the source's is broken too); "
             "nothing was committed to the target\n";
      return 1;
    }
    out << "done: every chain verified on the target\n";
    return 0;
  } catch (const std::exception& e) {
    err << "actas migrate: " << e.what() << "\n";
    return 1;
  }
}

} // namespace actas::app
