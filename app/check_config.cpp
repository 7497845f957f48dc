#include "app/check_config.hpp"

#include "store/connection.hpp"

namespace actas::app {

int run_check_config(const std::vector<std::string>& args, const env_lookup& env, std::ostream& out,
                     std::ostream& err) {
  if (args.size() != 1 || args.front().empty() || args.front().starts_with("-")) {
    err << "actas: usage: actas check-config FILE\n";
    return 2;
  }
  const auto parsed = parse_config({"--config", args.front()}, env);
  if (!parsed.config) {
    // The same line main() prints when the server refuses to start.
    err << "actas: " << parsed.message << "\n";
    return 2;
  }
  const auto& c = *parsed.config;
  out << "actas: " << args.front() << " is a valid configuration: listen " << listen_url(c) << ", database "
      << store::redact(db_path(c)) << ", " << c.service_keys.size() << " service key(s)\n";
  return 0;
}

} // namespace actas::app
