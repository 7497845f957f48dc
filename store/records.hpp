#pragma once
/// What the store hands the registry at start: the snapshot of everything live.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/audit.hpp"
#include "domain/model.hpp"
#include "domain/session.hpp"
#include "domain/settings.hpp"
#include "domain/support.hpp"
#include "domain/time.hpp"
#include "domain/token.hpp"

namespace actas::store {

using domain::id;
using domain::timestamp;

// Tokens and audit filters are domain values; the store keeps and reads them.
using domain::audit_query;
using domain::token_kind;
using domain::token_kind_from_string;
using domain::token_record;

/// Everything the registry needs in memory, read once at start.
struct snapshot {
  std::vector<domain::realm> realms;
  std::vector<domain::portal> portals;        ///< parents before children
  std::vector<domain::user> users;            ///< tombstones included
  std::map<id, domain::settings_patch> settings;
  std::vector<domain::impersonation_session> active_sessions;
  std::vector<token_record> live_tokens;      ///< not revoked, not past expires_at at load time
  std::vector<domain::support_request> pending_requests;
  std::vector<domain::support_grant> active_grants;
  /// Where each chain's log stood when the snapshot was read (read first, in the same read transaction):
  /// a node following other nodes takes the changes after it.
  std::map<std::string, std::int64_t> chain_seq;
};

} // namespace actas::store
