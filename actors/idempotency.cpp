#include "actors/idempotency.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace actas::actors {

namespace {

/// Expired answers forgotten per kept answer: more than arrive, so the table stays bounded by a day's keys.
constexpr int forget_per_write = 8;

using keeper_self = idempotency_actor::stateful_pointer<idempotency_state>;

domain::timestamp wall_now(keeper_self self) { return self->state.times.wall(self->clock().now()); }

} // namespace

idempotency_actor::behavior_type idempotency_keeper(keeper_self self, std::string db_path,
                                                    std::shared_ptr<store::writer> writer, time_base times) {
  self->state.db = std::make_unique<store::database>(db_path);
  self->state.writer = std::move(writer);
  self->state.times = times;
  return guarded_behavior<idempotency_actor::behavior_type>(
    "the idempotency keeper",
    [=](claim_atom, const idem_claim& c) -> caf::result<idem_ruling> {
      auto& st = self->state;
      const auto slot = std::make_pair(c.caller, c.key);
      const bool in_flight = st.in_flight.count(slot) > 0;
      std::optional<domain::idempotent_answer> stored;
      try {
        stored = st.db->idempotent_answer(c.caller, c.key);
      } catch (const std::exception& e) {
        // A failed read costs this request (net answers 503), never the keeper.
        spdlog::error("idempotency keeper: reading a kept answer failed: {}", e.what());
        return caf::make_error(caf::sec::runtime_error);
      }
      const auto verdict = domain::judge_idempotent_request(stored, in_flight, c.fingerprint, wall_now(self));
      if (verdict == domain::idempotency_verdict::replay)
        return idem_ruling{verdict, stored->status, stored->body};
      if (verdict == domain::idempotency_verdict::proceed) {
        if (st.in_flight.size() >= max_idempotent_in_flight)
          return idem_ruling{domain::idempotency_verdict::too_busy, 0, {}};
        st.in_flight.insert(slot);
      }
      return idem_ruling{verdict, 0, {}};
    },
    [=](settle_atom, const idem_answer& a) -> caf::result<bool> {
      auto& st = self->state;
      const auto slot = std::make_pair(a.claim.caller, a.claim.key);
      if (!domain::answer_is_kept(a.status)) {
        st.in_flight.erase(slot);
        return false;
      }
      auto at = wall_now(self);
      domain::idempotent_answer kept{a.claim.fingerprint, a.status, a.body, at};
      auto rp = self->make_response_promise<bool>();
      st.commits.submit(
        *st.writer, caf::actor_cast<idempotency_actor>(self),
        [caller = a.claim.caller, key = a.claim.key, kept, at](store::transaction& tx) {
          tx.put_idempotent_answer(caller, key, kept, at - domain::idempotency_window, forget_per_write);
        },
        [self, rp, slot](bool ok) mutable {
          // Kept or not, the claim ends: a retry then finds the answer, or (write failed) runs again.
          self->state.in_flight.erase(slot);
          rp.deliver(ok);
        });
      return rp;
    },
    [=](committed_atom, std::uint64_t n, bool ok) { self->state.commits.complete(n, ok); }
  );
}

} // namespace actas::actors
