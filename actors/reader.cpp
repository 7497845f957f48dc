#include "actors/reader.hpp"
#include "actors/guarded.hpp"

#include <caf/all.hpp>

#include "crypto/crypto.hpp"

namespace actas::actors {

reader_actor::behavior_type reader(reader_actor::stateful_pointer<reader_state> self, std::string db_path) {
  self->state.db = std::make_unique<store::database>(db_path);
  return guarded_behavior<reader_actor::behavior_type>(
    "the audit reader",
    [=](audit_atom, const domain::audit_query& q) {
      return audit_reply{std::nullopt, self->state.db->audit(q)};
    },
    [=](verify_atom, const std::string& chain) {
      return verify_reply{std::nullopt, chain, self->state.db->verify(chain, crypto::sha256_hex)};
    }
  );
}

} // namespace actas::actors
