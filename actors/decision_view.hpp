#pragma once
/// The state a decision reads inside the writer's transaction (SPEC §6 "Concurrency"; STYLE.md
/// "Deciding"). A job runs on the writer's thread and never touches the registry's cache: it re-reads the
/// rows it decides on (users, settings) in its transaction and runs the same domain rules on them as the
/// fast check did on arrival. Realms and portals only ever grow (a portal never moves or changes realm),
/// so the ones a decision consults are copied when the request arrives.
#include <optional>
#include <vector>

#include "actors/portal_tree.hpp"
#include "domain/directory.hpp"
#include "domain/errc.hpp"
#include "store/database.hpp"

namespace actas::actors {

using domain::id;

/// The realms named (unknown ones and duplicates skipped) with all their portals.
portal_tree tree_of(const domain::directory& dir, const std::vector<id>& realm_ids);

/// `tree` as a directory holding the users `user_ids` (those that exist) and the settings overrides of
/// `settings_of`, both as `tx` reads them.
domain::directory read_in(store::transaction& tx, const portal_tree& tree, const std::vector<id>& user_ids,
                          const std::vector<id>& settings_of = {});

/// The caller of a change as the commit finds it: refused `unauthenticated` unless it still exists and is
/// active (a caller deactivated or deleted while its request was in flight no longer acts).
std::optional<domain::errc> caller_gone(const domain::directory& committed, const id& caller_id);

/// Runs a job's decision. When the database's last guard, a partial unique index, refuses a row the
/// decision wrote (another node committed the same place first), `on_duplicate` records the rule's
/// refusal; the error still leaves the job, so its savepoint rolls it back and nothing of it is written.
template <class Decide, class OnDuplicate>
void decide_guarded(Decide&& decide, OnDuplicate&& on_duplicate) {
  try {
    decide();
  } catch (const store::store_error& e) {
    if (e.kind() == store::failure::duplicate) on_duplicate();
    throw;
  }
}

} // namespace actas::actors
