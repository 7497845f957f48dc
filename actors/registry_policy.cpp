/// Policy calls: portal settings (with the re-check of running sessions), authorize, preferences with the
/// impersonation overlay, and the inbox.
#include <caf/all.hpp>

#include "actors/answer_when_durable.hpp"
#include "actors/decision_view.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "codec/settings_json.hpp"
#include "domain/authorize.hpp"
#include "domain/permissions.hpp"
#include "domain/settings_change.hpp"

namespace actas::actors::detail {

namespace {

using domain::errc;

refusal refused(errc code) { return {code, {}, {}}; }
refusal refused_field(const domain::settings_error& e) { return {errc::invalid_request, e.field, e.message}; }

/// The settings event's detail: the portal's stored override before and after (canonical JSON: nlohmann
/// keeps object keys sorted and dumps without insignificant white space).
std::string settings_detail(const id& portal_id, const domain::settings_patch& before, const domain::settings_patch& after) {
  nlohmann::json detail{{"portal", portal_id}, {"old", codec::encode(before)}, {"new", codec::encode(after)}};
  return detail.dump();
}

} // namespace

settings_reply read_settings(registry_self self, const caller_ref& c, const id& portal_id) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return {refused(*caller.error), {}, {}, {}};
  if (!st.dir.find_portal(portal_id))
    return {refused(errc::not_found), {}, {}, {}};
  if (!caller.service)
    if (auto no = domain::may_read_settings(st.dir, *caller.user, portal_id))
      return {refused(*no), {}, {}, {}};
  return {{}, portal_id, st.dir.effective_settings(portal_id), st.dir.settings_override(portal_id)};
}

counts_reply counts(registry_self self, const caller_ref& c) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return {caller.error, 0, 0};
  if (!caller.service)
    if (auto no = domain::may_read_metrics(*caller.user))
      return {no, 0, 0};
  return {std::nullopt, st.sessions.size(), st.grants.size()};
}

caf::result<settings_reply> change_settings(registry_self self, const caller_ref& c, const id& portal_id,
                                            const domain::settings_patch& patch) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return settings_reply{refused(*caller.error), {}, {}, {}};
  const auto* portal = st.dir.find_portal(portal_id);
  // Every refusal is audited (SPEC §5) with the portal as named and the offending field.
  auto denial_of = [self, caller, ip = c.ip, portal_id, realm = portal ? std::optional{portal->realm_id} : std::nullopt](
                     const refusal& r) {
    auto d = denial_by(self, caller, "settings.change", *r.error, ip, realm);
    d.texts.emplace("portal", portal_id);
    note_field(d, r);
    return d;
  };
  const settings_reply unavailable{refused(errc::audit_unavailable), {}, {}, {}};
  auto denied = [&](refusal r) { return refuse(self, denial_of(r), settings_reply{r, {}, {}, {}}, unavailable); };
  if (!portal)
    return denied(refused(errc::not_found));
  // Only superadmins change a realm's settings (SPEC §1); the platform provisions, it does not set policy.
  if (caller.service)
    return denied(refused(errc::forbidden));
  // On the cache first, to refuse fast; the decision that counts is the transaction's below.
  if (auto no = domain::may_change_settings(st.dir, *caller.user, portal_id))
    return denied(refused(*no));
  if (auto d = domain::decide_settings_change(st.dir, portal_id, patch); auto* bad = std::get_if<domain::settings_error>(&d))
    return denied(refused_field(*bad));

  domain::audit_event ev;
  ev.chain = portal->realm_id;
  ev.at = now(self);
  ev.event = "settings.change";
  auto who = acting_of(caller.who);
  ev.performed_by = who.performed_by;
  ev.portal = portal_id;
  ev.result = domain::outcome::done;
  ev.ip = c.ip.empty() ? std::nullopt : std::optional{c.ip};
  // The job decides again on the caller and the overrides of the portal and its parents as the commit
  // finds them, so a PATCH of other keys or a tightening of a parent committed in between is kept
  // (issue 13: the settings lost update), and a caller demoted meanwhile no longer changes anything.
  struct outcome {
    std::optional<refusal> refused;
    domain::settings_patch after;
  };
  auto decided = std::make_shared<outcome>();
  auto job = [tree = tree_of(st.dir, {portal->realm_id}), path = st.dir.path_to_top(portal_id), caller_id = caller.user->user_id,
              portal_id, patch, ev, decided](store::transaction& tx) mutable {
    *decided = {};  // a run after a deadlock starts over (store::writer::job)
    auto committed = read_in(tx, tree, {caller_id}, path);
    if (auto gone = caller_gone(committed, caller_id)) {
      decided->refused = refused(*gone);
      return;
    }
    if (auto no = domain::may_change_settings(committed, *committed.find_user(caller_id), portal_id)) {
      decided->refused = refused(*no);
      return;
    }
    auto d = domain::decide_settings_change(committed, portal_id, patch);
    if (auto* bad = std::get_if<domain::settings_error>(&d)) {
      decided->refused = refused_field(*bad);
      return;
    }
    const auto& change = std::get<domain::settings_change>(d);
    ev.detail_json = settings_detail(portal_id, change.before, change.after);
    tx.put_settings(portal_id, change.after);
    tx.append_audit(ev);
    decided->after = change.after;
  };
  return answer_when_durable(
    self, std::move(job), unavailable,
    [self, portal_id, decided, denial_of, unavailable, by = who.performed_by](auto& rp) {
      if (decided->refused) {
        refuse_to(self, denial_of(*decided->refused), rp, settings_reply{*decided->refused, {}, {}, {}}, unavailable);
        return;
      }
      // Continuations run in commit order, so the cache takes the overrides in that order too. Sessions the
      // new settings refuse end before the answer (the feature off, a role no longer allowed…).
      take_settings_change(self, portal_id, decided->after, by, [self, rp, portal_id, unavailable](bool ended_ok) mutable {
        auto& st = self->state;
        if (!ended_ok) {
          rp.deliver(unavailable);
          return;
        }
        rp.deliver(settings_reply{{}, portal_id, st.dir.effective_settings(portal_id), st.dir.settings_override(portal_id)});
      });
    });
}

void take_settings_change(registry_self self, const id& portal_id, const domain::settings_patch& after,
                          std::optional<id> by, std::function<void(bool)> then) {
  auto& st = self->state;
  const auto* portal = st.dir.find_portal(portal_id);
  if (!portal) {
    if (then)
      then(true);
    return;
  }
  st.dir.put_settings(portal_id, after);
  auto side = [realm_id = portal->realm_id](const domain::impersonation_session& s) -> std::optional<domain::change_side> {
    if (s.realm_id == realm_id)
      return domain::change_side::settings;
    return std::nullopt;
  };
  recheck_sessions(self, side, std::move(by), std::move(then));
}

caf::result<authorize_reply> authorize(registry_self self, const authorize_command& cmd) {
  auto& st = self->state;
  auto auth = authenticate(self, cmd.token_hash);
  if (auth.error)
    return authorize_reply{false, *auth.error, {}, {}, {}, {}};
  const auto& who = auth.who;
  const auto* subject = st.dir.find_user(who.user_id);
  domain::authorize_context ctx;
  ctx.subject = subject;
  ctx.impersonating = who.kind == domain::token_kind::impersonation;
  std::optional<domain::impersonation_session> session;
  if (who.session_id)
    if (auto i = st.sessions.find(*who.session_id); i != st.sessions.end())
      session = i->second.session;
  if (session) {
    ctx.session_portal = session->portal;
    ctx.temporary_admin = session->via.has_value();
  }
  ctx.temporary_admin = ctx.temporary_admin || who.kind == domain::token_kind::grant;
  auto decision = domain::authorize(st.dir, ctx, cmd.action);
  authorize_reply reply{decision.allowed, decision.code, who.user_id, who.actor_id, who.session_id, who.grant_id};
  if (!domain::must_audit(ctx, decision)) {
    ++st.plain_allowed;
    return reply;
  }
  auto acting = acting_of(who);
  auto chain = subject->realm_id.value_or(std::string{domain::system_chain});
  if (!decision.allowed) {
    // A denied decision counts against the caller's denial limit (SPEC §5) like any other refusal.
    domain::denial d;
    d.chain = chain;
    d.who = acting;
    d.ip = cmd.ip;
    d.at = now(self);
    if (!admit_denial(self, d))
      return reply;
  }
  domain::audit_event ev;
  ev.chain = chain;
  ev.at = now(self);
  ev.event = "authorize";
  ev.performed_by = acting.performed_by;
  ev.active_account = acting.active_account;
  ev.via = session ? session->via : acting.via;
  ev.session = who.session_id;
  ev.grant = who.grant_id;
  ev.portal = session ? session->portal : subject->home_portal;
  // An invalid action name is the caller's own bounded input; keep it only when it is a valid name.
  if (domain::valid_action(cmd.action))
    ev.action = cmd.action;
  ev.result = decision.allowed ? domain::outcome::allowed : domain::outcome::denied;
  if (decision.code)
    ev.code = std::string{domain::to_string(*decision.code)};
  if (!cmd.ip.empty())
    ev.ip = cmd.ip;
  if (cmd.resource && cmd.resource->size() <= 200)
    ev.detail_json = nlohmann::json{{"resource", *cmd.resource}}.dump();
  return answer_when_durable(self, [ev](store::transaction& tx) { tx.append_audit(ev); },
                             authorize_reply{false, errc::audit_unavailable, reply.subject, reply.actor,
                                             reply.session, reply.grant},
                             [reply](auto& rp) { rp.deliver(reply); });
}

prefs_reply read_preferences(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}};
  if (auth.who.session_id)
    if (auto i = st.overlays.find(*auth.who.session_id); i != st.overlays.end())
      return {std::nullopt, i->second};
  return {std::nullopt, st.deps.reader->preferences(auth.who.user_id).value_or("{}")};
}

caf::result<prefs_reply> write_preferences(registry_self self, const std::string& token_hash, const std::string& json) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return prefs_reply{*auth.error, {}};
  if (auth.who.kind == domain::token_kind::impersonation) {
    // What an impersonator changes stays in the session's overlay, discarded at its end (SPEC §2).
    st.overlays[*auth.who.session_id] = json;
    return prefs_reply{std::nullopt, json};
  }
  auto at = now(self);
  return answer_when_durable(
    self, [user_id = auth.who.user_id, json, at](store::transaction& tx) { tx.put_preferences(user_id, json, at); },
    prefs_reply{errc::audit_unavailable, {}}, [json](auto& rp) { rp.deliver(prefs_reply{std::nullopt, json}); });
}

inbox_reply inbox(registry_self self, const std::string& token_hash, bool unread_only, std::int32_t limit) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}, 0};
  const auto& user_id = auth.who.user_id;
  return {std::nullopt, st.deps.reader->inbox(user_id, unread_only, std::clamp(limit, 1, 200)),
          st.deps.reader->unread_count(user_id)};
}

caf::result<inbox_reply> mark_read(registry_self self, const std::string& token_hash, const id& notification_id) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return inbox_reply{*auth.error, {}, 0};
  auto user_id = auth.who.user_id;
  auto item = st.deps.reader->find_notification(user_id, notification_id);
  if (!item)
    return inbox_reply{errc::not_found, {}, 0};
  // Reading as an impersonator leaves it unread: the user must still see it (SPEC §2).
  if (auth.who.kind == domain::token_kind::impersonation || item->read)
    return inbox_reply{std::nullopt, {*item}, st.deps.reader->unread_count(user_id)};
  return answer_when_durable(
    self, [user_id, notification_id](store::transaction& tx) { tx.mark_read(user_id, notification_id); },
    inbox_reply{errc::audit_unavailable, {}, 0}, [self, user_id, item = *item](auto& rp) mutable {
      item.read = true;
      auto unread = self->state.deps.reader->unread_count(user_id);
      self->send(user_actor_of(self, user_id), push_atom::value,
                 live_event{notification_read{item.notification_id, unread}});
      rp.deliver(inbox_reply{std::nullopt, {item}, unread});
    });
}

} // namespace actas::actors::detail
