#pragma once
/// Store-internal: the schema as a list of versioned steps, applied through PRAGMA user_version.
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace actas::store {

/// One schema step: its statements run in one transaction that also sets user_version to `version`.
struct migration {
  int version;
  std::vector<std::string_view> statements;
};

/// Every step in version order (version i+1 at index i). New tables (support grants, preferences…) come
/// as new steps at the end; a released step is never edited.
const std::vector<migration>& migrations();

/// Brings the connection's file up to the latest version. Throws when the file was written by a newer
/// build (a user_version above ours), rather than guessing at a schema it does not know.
void migrate(sqlite3* db, const std::string& path);

} // namespace actas::store
