// The TOML configuration file (app/config.cpp) through parse_config, the function main() calls: bad
// input must come back as exit code 2 with a message, never as an exception or a process exit. The file
// is written into a private temporary folder; relative paths in it resolve there.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "app/config.hpp"
#include "fuzz/check.hpp"

namespace {

const std::string& config_path() {
  static const std::string path = [] {
    char dir[] = "/tmp/actas-fuzz-config-XXXXXX";
    actas::fuzz::require(mkdtemp(dir) != nullptr, "cannot make a temporary folder");
    return std::string(dir) + "/actas.toml";
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(config_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  const auto r = actas::app::parse_config({"--config", config_path()}, no_env);
  if (r.config) {
    actas::fuzz::require(r.exit_code == 0, "a configuration came with an exit code");
    actas::fuzz::require(!r.config->data_dir.empty() && r.config->io_threads >= 1, "an accepted configuration is invalid");
  } else {
    actas::fuzz::require(r.exit_code == 2 && !r.message.empty(), "a refused configuration has no exit code 2 and message");
  }
  return 0;
}
