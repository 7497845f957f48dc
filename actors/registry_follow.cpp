/// Following the other nodes on a shared database (SPEC §8): what other nodes committed reaches this
/// node's caches within `follow_every` (issue 14 adds the log's doorbell; this poll stays as its back-up).
/// - Sessions and grants another node ended end here too, through the usual path: the entity's actor's
///   transaction finds the row ended and writes nothing, and this node announces it locally (tabs closed,
///   banner cleared, dashboards).
/// - Tokens another node revoked (a logout there) are forgotten here and their tabs closed.
/// - Users and settings another node changed are taken from the log, chain by chain in `seq` order (the
///   order SPEC §8 names), and the sessions running here that the change refuses end, as they would have
///   had the change come through this node.
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "actors/registry_support_common.hpp"

namespace actas::actors::detail {

namespace {

/// How far back revocations are looked for again: nodes' clocks, and the time between a revocation's
/// `revoked_at` and its commit, differ by less than this (a token forgotten twice is forgotten once).
constexpr std::int64_t revocation_overlap_s = 300;
/// Events taken per chain and round (a node that fell far behind catches up over several rounds).
constexpr std::int64_t events_per_round = 1000;
/// How far back notifications are looked for again, and how many per round: a note written through
/// another node reaches this node's tabs unless the nodes' clocks differ by more than this (it is in the
/// inbox either way).
constexpr std::int64_t notes_overlap_s = 5;
constexpr int notes_per_round = 10000;
constexpr int revocations_per_round = 10000;

/// Every node runs every active session and grant: their banners and dashboards show here, and their
/// deadlines fire here too, so they end on time while any node lives (the end is written once, by the
/// first node whose transaction finds the row live).
void follow_starts(registry_self self, const std::vector<id>& active_sessions, const std::vector<id>& active_grants) {
  auto& st = self->state;
  for (const auto& session_id : active_sessions)
    if (!st.sessions.contains(session_id))
      adopt_live_session(self, session_id);
  for (const auto& grant_id : active_grants)
    if (!st.grants.contains(grant_id))
      adopt_live_grant(self, grant_id);
}

void follow_ends(registry_self self) {
  auto& st = self->state;
  const auto active_sessions = st.deps.reader->active_session_ids();
  const auto active_grants = st.deps.reader->active_grant_ids();
  const std::set<id> live_sessions(active_sessions.begin(), active_sessions.end());
  const std::set<id> live_grants(active_grants.begin(), active_grants.end());
  // Only rows this node saw committed (a session whose start is in flight has no handle yet; a grant
  // enters `grants` once its commit returned): ended is for ever, so what is not active now was ended.
  std::vector<id> ended_grants;
  for (const auto& [grant_id, g] : st.grants)
    if (!live_grants.contains(grant_id))
      ended_grants.push_back(grant_id);
  for (const auto& grant_id : ended_grants) {
    auto stored = st.deps.reader->find_grant(grant_id);
    auto how = stored && stored->state == domain::grant_state::expired ? domain::grant_state::expired
                                                                        : domain::grant_state::revoked;
    // Its temporary admin's sessions running here end with it (the node that ended the grant may not
    // have known them): their ends are written here if they are still active.
    end_grants(self, {grant_id}, how, stored ? stored->ended_by : std::nullopt, "", nullptr);
  }
  std::vector<std::pair<id, ending>> ended_sessions;
  for (const auto& [session_id, live] : st.sessions) {
    if (!live.handle || live_sessions.contains(session_id))
      continue;
    ending how;
    auto stored = st.deps.reader->find_session(session_id);
    how.why = stored && stored->ended_because ? *stored->ended_because : domain::end_reason::terminated;
    how.at = stored && stored->ended_at ? *stored->ended_at : now(self);
    ended_sessions.emplace_back(session_id, std::move(how));
  }
  for (auto& [session_id, how] : ended_sessions)
    finish(self, session_id, std::move(how), nullptr);
  follow_starts(self, active_sessions, active_grants);
}

/// Answers whether it read every note there was (a full page leaves the rest for the next round).
bool follow_notifications(registry_self self) {
  auto& st = self->state;
  const auto round_started = now(self);
  const auto from = domain::seconds_after(st.notes_since, -notes_overlap_s);
  const auto notes = st.deps.reader->notifications_since(from, notes_per_round);
  for (const auto& n : notes) {
    // A user with no actor here has no tab here.
    if (st.pushed_notes.contains(n.notification_id) || !st.user_actors.contains(n.user_id))
      continue;
    push_notes(self, {n}, false);
  }
  std::erase_if(st.pushed_notes, [from](const auto& note) { return note.second < from; });
  st.pushed_since = from;
  const bool whole = notes.size() < static_cast<std::size_t>(notes_per_round);
  st.notes_since = whole ? round_started : domain::seconds_after(notes.back().created_at, notes_overlap_s);
  return whole;
}

/// Answers whether it read every revocation there was (as follow_notifications).
bool follow_revocations(registry_self self) {
  auto& st = self->state;
  const auto round_started = now(self);
  const auto revoked = st.deps.reader->tokens_revoked_since(
    domain::seconds_after(st.revoked_since, -revocation_overlap_s), revocations_per_round);
  for (const auto& [hash, revoked_at] : revoked) {
    auto i = st.tokens.find(hash);
    if (i == st.tokens.end())
      continue;
    const auto record = i->second;
    bury(self, record);
    // A logout ends the impersonations started with that login, here as on the node it came through.
    if (record.kind == domain::token_kind::user)
      end_sessions_of_token(self, hash, nullptr);
  }
  const bool whole = revoked.size() < static_cast<std::size_t>(revocations_per_round);
  st.revoked_since = whole ? round_started : domain::seconds_after(revoked.back().second, revocation_overlap_s);
  return whole;
}

void take_change(registry_self self, const domain::audit_event& ev) {
  auto& st = self->state;
  if (ev.result != domain::outcome::done)
    return;
  if (ev.event == "user.change") {
    const auto detail = nlohmann::json::parse(ev.detail_json, nullptr, false);
    const auto user_id = detail.is_object() ? detail.value("user", std::string{}) : std::string{};
    const auto* before = st.dir.find_user(user_id);
    // A user this node has not loaded is read when it is first needed (adopt_user).
    if (!before)
      return;
    auto after = st.deps.reader->find_user(user_id);
    if (!after)
      return;
    const bool loses_access =
      before->status == domain::user_status::active && after->status != domain::user_status::active;
    take_user_change(self, *after, loses_access, ev.performed_by, nullptr);
  } else if (ev.event == "settings.change" && ev.portal && st.dir.find_portal(*ev.portal)) {
    take_settings_change(self, *ev.portal, st.deps.reader->settings_override(*ev.portal), ev.performed_by, nullptr);
  }
}

/// Answers whether every chain was read to its head (a node far behind catches up over several rounds).
bool follow_changes(registry_self self) {
  auto& st = self->state;
  bool whole = true;
  for (const auto& [chain, head] : st.deps.reader->chain_heads()) {
    auto& taken = st.followed_seq[chain];  // a chain begun since this node started is read from its start
    if (head.first <= taken)
      continue;
    for (const auto& ev : st.deps.reader->audit_after(chain, taken, events_per_round)) {
      // A database that cannot be read ends the round (the node turns stale, and the event is read again);
      // an event this node cannot take (a bug, a row it cannot parse) is logged and passed, so it does not
      // stop every later change, revocation and end.
      try {
        take_change(self, ev);
      } catch (const store::store_error&) {
        throw;
      } catch (const std::exception& e) {
        spdlog::error("following the other nodes: event {} #{} ({}) could not be taken: {}", chain, ev.seq, ev.event,
                      e.what());
      }
      taken = ev.seq;
    }
    whole = whole && taken >= head.first;
  }
  return whole;
}

/// The impersonation and grant sockets of a stale node close 1012 (SPEC §8): their clients reconnect,
/// through the load balancer, to a node that is up to date. Their tokens stay cached for when it is.
void close_stale_sockets(registry_self self) {
  auto& st = self->state;
  for (const auto& [session_id, live] : st.sessions)
    if (live.handle)
      self->send(live.handle, drop_atom::value, live.token_hash, std::uint16_t{1012});
  for (const auto& [hash, t] : st.tokens)
    if (t.kind == domain::token_kind::grant)
      self->send(user_actor_of(self, t.user_id), drop_atom::value, hash, std::uint16_t{1012});
}

} // namespace

std::int64_t steady_ms(registry_self self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now().time_since_epoch()).count();
}

bool node_stale(registry_self self) {
  const auto& st = self->state;
  return shares_database(st) && steady_ms(self) - st.deps.followed_at->load() > st.deps.max_staleness.count();
}

bool refused_as_stale(registry_self self, const domain::token_record& t) {
  return (t.kind == domain::token_kind::impersonation || t.kind == domain::token_kind::grant) && node_stale(self);
}

void follow_from_now(registry_self self, std::map<std::string, std::int64_t> chain_seq) {
  auto& st = self->state;
  st.followed_seq = std::move(chain_seq);
  st.revoked_since = now(self);
  st.notes_since = now(self);
}

void follow_other_nodes(registry_self self) {
  auto& st = self->state;
  if (!st.stale && node_stale(self)) {
    st.stale = true;
    spdlog::warn("this node has not followed the other nodes for over {} ms: impersonation and grant tokens "
                 "are refused (node_stale) until it catches up",
                 st.deps.max_staleness.count());
    close_stale_sockets(self);
  }
  const auto started = steady_ms(self);
  const auto started_wall = now(self);
  st.last_round_ms = started;
  // Revocations first: what kills a token matters most.
  bool whole = follow_revocations(self);
  follow_ends(self);
  whole = follow_changes(self) && whole;
  whole = follow_notifications(self) && whole;
  // Fresh only when everything committed before the round began was read.
  if (!whole)
    return;
  st.deps.followed_at->store(started);
  record_progress(self, started_wall);
  if (st.stale) {
    st.stale = false;
    spdlog::info("this node has caught up with the other nodes");
  }
}

void forget_ended_elsewhere(registry_self self, const id& actor, const id& target) {
  auto& st = self->state;
  std::vector<id> suspects;
  if (auto i = st.session_of_actor.find(actor); i != st.session_of_actor.end())
    suspects.push_back(i->second);
  if (auto i = st.sessions_of_target.find(target); i != st.sessions_of_target.end())
    suspects.insert(suspects.end(), i->second.begin(), i->second.end());
  for (const auto& session_id : suspects) {
    auto live = st.sessions.find(session_id);
    // A session without its actor yet is a start in flight here: busy indeed.
    if (live == st.sessions.end() || !live->second.handle)
      continue;
    auto stored = st.deps.reader->find_session(session_id);
    if (!stored || stored->state == domain::session_state::active)
      continue;
    ending how;
    how.why = stored->ended_because.value_or(domain::end_reason::terminated);
    how.at = stored->ended_at.value_or(now(self));
    finish(self, session_id, std::move(how), nullptr);
  }
}

} // namespace actas::actors::detail
