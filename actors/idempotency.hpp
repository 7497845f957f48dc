#pragma once
/// The idempotency keeper (SPEC §6 Retries): which requests with a key are in flight, and the first answer
/// to each key, kept durably for 24 h. It never decides a rule of the product; it only keeps a retry from
/// acting twice.
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "actors/commit_book.hpp"
#include "actors/interfaces.hpp"
#include "actors/time_base.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

namespace actas::actors {

struct idempotency_state {
  std::unique_ptr<store::database> db;  ///< its own connection: reads never wait for the registry
  std::shared_ptr<store::writer> writer;
  time_base times;
  commit_book commits;
  std::set<std::pair<std::string, std::string>> in_flight;  ///< (caller, key)
  static inline const char* name = "idempotency";
};

/// At most this many keyed requests in flight at once (beyond: 429 rate_limited).
inline constexpr std::size_t max_idempotent_in_flight = 10000;

idempotency_actor::behavior_type idempotency_keeper(idempotency_actor::stateful_pointer<idempotency_state> self,
                                                    std::string db_path, std::shared_ptr<store::writer> writer,
                                                    time_base times);

} // namespace actas::actors
