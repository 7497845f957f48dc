/// Denials written to the audit log, at most `denials_per_minute` per caller and minute; the rest are
/// counted and written as one summary event per caller and minute.
#include "actors/registry_denials.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace actas::actors::detail {

bool admit_denial(registry_self self, const domain::denial& d) {
  flush_denials(self);
  return self->state.denials.admit(d);
}

void write_denial(registry_self self, const domain::denial& d, std::function<void(bool ok)> then) {
  auto& st = self->state;
  auto ev = domain::denial_event(d);
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [ev](store::transaction& tx) { tx.append_audit(ev); },
                    [then = std::move(then)](bool ok) {
                      if (then)
                        then(ok);
                    });
}

void flush_denials(registry_self self) {
  auto& st = self->state;
  auto at = now(self);
  auto closed = st.denials.roll(at);
  if (closed.empty())
    return;
  std::vector<domain::audit_event> events;
  for (const auto& s : closed)
    events.push_back(domain::suppressed_event(s, at));
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self),
                    [events](store::transaction& tx) {
                      for (const auto& e : events)
                        tx.append_audit(e);
                    },
                    [n = events.size()](bool ok) {
                      // The counts are the only trace of what was suppressed; say so if they are lost.
                      if (!ok)
                        spdlog::error("audit: {} denials_suppressed summaries could not be written", n);
                    });
}

std::optional<id> realm_of_portal(const domain::directory& dir, const std::optional<id>& portal_id) {
  const auto* p = portal_id ? dir.find_portal(*portal_id) : nullptr;
  return p ? std::optional{p->realm_id} : std::nullopt;
}

domain::acting acting_of(const resolved_caller& c) {
  if (c.service)
    return {"service", std::nullopt, std::nullopt, std::nullopt};
  return acting_of(c.who);
}

domain::denial denial_by(registry_self self, const resolved_caller& caller, std::string event, domain::errc code,
                         const std::string& ip, const std::optional<id>& realm_acted_on) {
  domain::denial d;
  d.chain = domain::denial_chain(caller.user, realm_acted_on);
  d.event = std::move(event);
  d.who = acting_of(caller);
  if (caller.user)
    d.portal = caller.user->home_portal;
  d.code = code;
  d.ip = ip;
  d.at = now(self);
  return d;
}

domain::denial denial_by(registry_self self, const principal& who, std::string event, domain::errc code,
                         const std::string& ip, const std::optional<id>& realm_acted_on) {
  resolved_caller caller{std::nullopt, self->state.dir.find_user(who.user_id), who, false};
  return denial_by(self, caller, std::move(event), code, ip, realm_acted_on);
}

} // namespace actas::actors::detail
