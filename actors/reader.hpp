#pragma once
/// The audit reader: its own SQLite connection, spawned detached so a walk over a long chain never
/// stalls the registry's decisions. Callers have already been authorised by the registry.
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "store/database.hpp"

namespace actas::actors {

struct reader_state {
  std::unique_ptr<store::database> db;
  static inline const char* name = "audit_reader";
};

reader_actor::behavior_type reader(reader_actor::stateful_pointer<reader_state> self, std::string db_path);

} // namespace actas::actors
