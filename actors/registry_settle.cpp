/// SPEC §8 "Revocation holds cluster-wide": a change that kills a token or ends a session or grant is
/// answered only when no node can still accept what it killed. Each node writes, after every completed
/// follow round, when that round began (cluster_nodes); the answer waits until every other node that wrote
/// lately has followed past the moment it was asked, or until `cluster.max_staleness_ms` has passed: a node
/// whose last completed round began before the change is stale by then and refuses impersonation and grant
/// tokens by itself (registry_follow.cpp). docs/design.md says why that bound suffices.
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/registry.hpp"
#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

namespace {

/// Rings closer together than this make one round (a busy cluster rings on every batch of every node).
constexpr auto min_round_gap = std::chrono::milliseconds{20};
/// How often the other nodes' progress is read while answers wait.
constexpr auto settle_poll = std::chrono::milliseconds{20};
/// Slack over the staleness bound for the two clocks it is measured on (this node's and the other's).
constexpr std::int64_t settle_margin_ms = 100;

void ask_again_soon(registry_self self) {
  self->delayed_send(self, settle_poll, settled_atom::value, follow_atom::value);
}

} // namespace

void follow_soon(registry_self self) {
  auto& st = self->state;
  if (!shares_database(st) || st.round_scheduled)
    return;
  const auto since_last = steady_ms(self) - st.last_round_ms;
  if (since_last >= min_round_gap.count()) {
    follow_other_nodes(self);
    return;
  }
  st.round_scheduled = true;
  self->delayed_send(self, min_round_gap - std::chrono::milliseconds{since_last}, ring_atom::value,
                     follow_atom::value);
}

void record_progress(registry_self self, domain::timestamp round_began) {
  auto& st = self->state;
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [node = st.node_id, round_began, at = now(self)](store::transaction& tx) {
                      tx.put_node_progress(node, round_began, at);
                    },
                    [](bool) {});
}

caf::result<bool> settled(registry_self self) {
  auto& st = self->state;
  if (!shares_database(st))
    return true;
  auto rp = self->make_response_promise<bool>();
  if (st.settle_waits.empty())
    ask_again_soon(self);
  st.settle_waits.push_back({now(self), steady_ms(self) + st.deps.max_staleness.count() + settle_margin_ms, rp});
  return rp;
}

void check_settled(registry_self self) {
  auto& st = self->state;
  if (st.settle_waits.empty())
    return;
  std::optional<domain::timestamp> slowest;
  bool read = false;
  try {
    const auto alive_since = now(self) - std::chrono::duration_cast<domain::duration>(st.deps.max_staleness);
    slowest = st.deps.reader->slowest_live_node(st.node_id, alive_since);
    read = true;
  } catch (const std::exception& e) {
    // Unknown progress: only the bound answers (the other nodes cannot read the database either, and
    // turn stale by themselves).
    spdlog::warn("the other nodes' follow progress could not be read: {}", e.what());
  }
  const auto steady = steady_ms(self);
  std::erase_if(st.settle_waits, [&](settle_wait& w) {
    const bool followed = read && (!slowest || *slowest >= w.asked_at);
    if (!followed && steady < w.give_up_ms)
      return false;
    w.answer.deliver(true);
    return true;
  });
  if (!st.settle_waits.empty())
    ask_again_soon(self);
}

} // namespace actas::actors::detail
