/// Ending several sessions at once, and the re-check of running sessions after a change (SPEC §2:
/// "rights are re-checked on every change", before the change's own response is sent).
#include <caf/all.hpp>

#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

resolved_caller resolve(registry_self self, const caller_ref& c) {
  if (c.service)
    return {std::nullopt, nullptr, {}, true};
  auto auth = authenticate(self, c.token_hash);
  if (auth.error)
    return {auth.error, nullptr, {}, false};
  return {std::nullopt, self->state.dir.find_user(auth.who.user_id), auth.who, false};
}

void finish_all(registry_self self, std::vector<std::pair<id, ending>> ends, std::function<void(bool)> then) {
  if (ends.empty()) {
    if (then)
      then(true);
    return;
  }
  auto remaining = std::make_shared<std::size_t>(ends.size());
  auto all_ok = std::make_shared<bool>(true);
  for (auto& [session_id, how] : ends)
    finish(self, session_id, std::move(how), [remaining, all_ok, then](end_outcome outcome, const auto&) {
      *all_ok = *all_ok && outcome != end_outcome::unwritten;
      if (--*remaining == 0 && then)
        then(*all_ok);
    });
}

void recheck_sessions(registry_self self,
                      const std::function<std::optional<domain::change_side>(const domain::impersonation_session&)>& side_of,
                      std::optional<id> changed_by, std::function<void(bool)> then) {
  auto& st = self->state;
  std::vector<std::pair<id, ending>> ends;
  for (const auto& [session_id, live] : st.sessions) {
    auto side = side_of(live.session);
    if (!side)
      continue;
    // A start in flight commits after this change, and its job decides on the state this change left
    // (decide_start): nothing to re-check here.
    if (!live.handle)
      continue;
    auto verdict = domain::recheck(st.dir, live.session, *side);
    if (!verdict)
      continue;
    ending how;
    how.why = verdict->why;
    how.rule = verdict->code;
    how.at = now(self);
    how.ended_by = changed_by;
    ends.emplace_back(session_id, std::move(how));
  }
  finish_all(self, std::move(ends), std::move(then));
}

std::optional<ending> recheck_started(registry_self self, const domain::impersonation_session& s) {
  auto& st = self->state;
  auto marked = st.recheck_at_start.find(s.session_id);
  if (marked == st.recheck_at_start.end())
    return std::nullopt;
  const auto changed_by = marked->second;
  st.recheck_at_start.erase(marked);
  // Its grant ended while it was in flight: it ends as the grant's other sessions did.
  if (s.grant_id && !st.grants.contains(*s.grant_id)) {
    ending how;
    how.why = domain::end_reason::grant_ended;
    how.at = now(self);
    how.ended_by = changed_by;
    return how;
  }
  for (auto side : {domain::change_side::actor, domain::change_side::target, domain::change_side::settings}) {
    if (auto verdict = domain::recheck(st.dir, s, side)) {
      ending how;
      how.why = verdict->why;
      how.rule = verdict->code;
      how.at = now(self);
      how.ended_by = changed_by;
      return how;
    }
  }
  return std::nullopt;
}

void settle_late_start(registry_self self, const id& session_id, bool ok) {
  auto& st = self->state;
  auto i = st.late_start_waiters.find(session_id);
  if (i == st.late_start_waiters.end())
    return;
  auto waiters = std::move(i->second);
  st.late_start_waiters.erase(i);
  for (auto& w : waiters)
    w(ok);
}

} // namespace actas::actors::detail
