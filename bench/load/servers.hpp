#pragma once
/// The implementations a scenario compares, started on 127.0.0.1 with a free port, and the accounts
/// the actas runs use (demo realm plus provisioned admin/learner pairs).
#include <memory>
#include <string>
#include <vector>

#include "load/loop.hpp"
#include "load/process.hpp"

namespace bench {

/// Where things are.
struct env_paths {
  std::string source;  ///< the repository
  std::string build;   ///< the CMake build folder (build/)
  std::string work;    ///< this run's scratch folder: data folders and logs
  /// `--engine postgresql`: the throwaway server's socket folder; empty on SQLite.
  std::string pg_host;
};

enum class impl { actas, beast_floor, epoll_floor, node_peer };
std::string_view impl_name(impl i);

/// The fixed service key the bench gives actas (ACTAS_SERVICE_KEY; never a flag).
extern const std::string service_key;

/// Admin/learner pairs: admin i may impersonate learner i, and no two pairs share a user, so starts in
/// different pairs never refuse each other (`actor_busy`, `target_busy`).
struct accounts {
  std::vector<std::string> admins, learners;
  /// Users whose tabs watch a dashboard that every pair's event reaches (the superadmin, adam and the
  /// first 64 provisioned admins).
  std::vector<std::string> watchers;
  /// A few users of every kind to open plain tabs with (the first 64 learners and 64 admins).
  std::vector<std::string> tab_users;
  /// False when POST /v1/users is missing: only the demo pairs exist.
  bool provisioned = false;
  std::string note;
};

/// A seeded actas data folder, made once per bench run and copied for every actas server.
class actas_template {
public:
  /// Seeds the demo realm and provisions `pairs` admin/learner pairs (through POST /v1/users); `notify`
  /// gives every start a pair of its own.
  actas_template(const env_paths& p, loop& l, std::size_t pairs);
  const accounts& users() const { return accounts_; }
  const std::string& folder() const { return folder_; }

private:
  std::string folder_;
  accounts accounts_;
};

/// A running implementation.
struct running {
  impl kind;
  std::unique_ptr<server_process> proc;
  int port() const { return proc->port(); }
  pid_t pid() const { return proc->pid(); }
  /// WebSocket authentication: tickets from POST /v1/ws/ticket (actas, the Node peer, and the Beast floor,
  /// which echoes the bearer as the ticket) or ?user= (the raw epoll floor).
  bool tickets() const { return kind != impl::epoll_floor; }
  /// Bearer tokens come from POST /v1/tokens (actas, the Node peer); the floors take user ids as they are.
  bool mints() const { return kind == impl::actas || kind == impl::node_peer; }
};

struct start_options {
  /// floor_epoll threads.
  int threads = 1;
};

/// Starts an implementation; actas on a fresh copy of the template, with the fsync counting shim.
running start(impl kind, const env_paths& p, const actas_template* tmpl, const std::string& tag,
              start_options o = {});

/// What authenticates user `u` on `r`: a token minted by POST /v1/tokens (actas, the peer), or the user
/// id itself (the floors, which take it as is). Throws when a mint fails.
std::vector<std::string> credentials(loop& l, const running& r, const std::vector<std::string>& users);

/// True when the tool exists and runs (node for the peer).
bool have_node();

} // namespace bench
