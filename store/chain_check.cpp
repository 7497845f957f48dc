#include "store/chain_check.hpp"

#include <optional>

#include <spdlog/spdlog.h>

#include "store/database.hpp"

namespace actas::store {

namespace {

/// Where the last check of `chain` got to (before the first event when never checked).
domain::chain_point checkpoint_of(database& db, const std::string& chain) {
  query q(db.conn().prepared("SELECT seq, hash FROM audit_verified WHERE chain = ?1"));
  q.bind(chain);
  if (!q.step()) return {};
  return {q.int64(0), q.text(1)};
}

/// The checkpoint's own event must still be there unchanged: the walk after it trusts it.
std::optional<chain_fault> checkpoint_moved(database& db, const std::string& chain, const domain::chain_point& cp) {
  if (cp.seq == 0) return std::nullopt;
  query q(db.conn().prepared("SELECT hash FROM audit WHERE chain = ?1 AND seq = ?2"));
  q.bind(chain, cp.seq);
  if (q.step() && q.text(0) == cp.hash) return std::nullopt;
  return chain_fault{chain, cp.seq, "the event at the last verified seq was removed or changed"};
}

std::optional<chain_fault> check_one(database& db, const std::string& chain, const domain::hash_function& sha256) {
  const auto cp = checkpoint_of(db, chain);
  if (auto moved = checkpoint_moved(db, chain, cp)) return moved;
  auto r = domain::verify_chain(db.audit_after(chain, cp.seq), sha256, cp);
  const domain::chain_point walked_to{cp.seq + r.events, r.head};
  domain::check_head(r, walked_to, db.chain_head(chain));
  if (!r.ok) return chain_fault{chain, r.first_bad_seq.value_or(walked_to.seq + 1), r.problem};
  if (walked_to.seq != cp.seq) {
    query q(db.conn().prepared(R"(INSERT INTO audit_verified (chain, seq, hash) VALUES (?1, ?2, ?3)
                                   ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash)"));
    q.bind(chain, walked_to.seq, walked_to.hash);
    q.run();
  }
  return std::nullopt;
}

} // namespace

std::vector<chain_fault> check_chains(database& db, const domain::hash_function& sha256) {
  std::vector<chain_fault> broken;
  // One write transaction: no event is appended while a chain is walked, and the checkpoints move
  // together with what was read.
  db.conn().begin_write();
  try {
    // PostgreSQL: the heads are the rows appends lock, so this check waits for (and holds off) them.
    query(db.conn().prepared(std::string("SELECT chain FROM audit_heads") + std::string(db.conn().lock_rows())))
      .run();
    for (const auto& chain : db.chain_names())
      if (auto fault = check_one(db, chain, sha256)) broken.push_back(std::move(*fault));
  } catch (...) {
    db.conn().rollback_quietly();
    throw;
  }
  // Saving the checkpoints is an optimisation: a disk that cannot take them now only means the next
  // start walks those events again, so the verdict stands and the node starts.
  try {
    db.conn().commit();
  } catch (const std::exception& e) {
    spdlog::warn("store: the audit checkpoints could not be saved: {}", e.what());
    db.conn().rollback_quietly();
  }
  for (const auto& f : broken)
    spdlog::critical("AUDIT CHAIN BROKEN: chain {} fails at seq {}: {}. Audited changes on this chain are "
                     "refused (audit_unavailable) until it is repaired.",
                     f.chain, f.first_bad_seq, f.problem);
  return broken;
}

} // namespace actas::store
