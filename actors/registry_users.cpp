/// Users and provisioning: the scoped user list, creating and changing users (with the re-check of the
/// sessions a change invalidates), realms and portals, and token introspection for the platform.
#include <stdexcept>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/answer_when_durable.hpp"
#include "actors/decision_view.hpp"
#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

namespace {

using domain::errc;

refusal refused(errc code) { return {code, {}, {}}; }
refusal refused_field(const domain::field_error& e) { return {errc::invalid_request, e.field, e.message}; }

/// The fields of a user a change can touch, for the audit detail.
nlohmann::json fields_of(const domain::user& u) {
  return {{"status", domain::to_string(u.status)},
          {"role", domain::to_string(u.user_role)},
          {"name", u.display_name},
          {"consents", {{"terms", u.accepted.terms}, {"privacy", u.accepted.privacy}}},
          {"admin_portals", u.admin_portals},
          {"assigned_users", u.assigned_users},
          {"assigned_portals", u.assigned_portals}};
}

/// {"user": id, "old": {changed fields}, "new": {changed fields}}, canonical (sorted keys, compact).
std::string change_detail(const domain::user& before, const domain::user& after) {
  auto old_fields = fields_of(before);
  auto new_fields = fields_of(after);
  nlohmann::json old_changed = nlohmann::json::object(), new_changed = nlohmann::json::object();
  for (auto& [key, value] : new_fields.items())
    if (old_fields[key] != value) {
      old_changed[key] = old_fields[key];
      new_changed[key] = value;
    }
  return nlohmann::json{{"user", after.user_id}, {"old", old_changed}, {"new", new_changed}}.dump();
}

domain::audit_event change_event(registry_self self, const resolved_caller& caller, const caller_ref& c,
                                 std::string chain, std::string event, std::optional<id> portal, std::string detail) {
  domain::audit_event ev;
  ev.chain = std::move(chain);
  ev.at = now(self);
  ev.event = std::move(event);
  // The platform's calls are named as such: there is no person behind a service key.
  ev.performed_by = caller.service ? std::string{"service"} : acting_of(caller.who).performed_by;
  ev.portal = std::move(portal);
  ev.result = domain::outcome::done;
  if (!c.ip.empty())
    ev.ip = c.ip;
  ev.detail_json = std::move(detail);
  return ev;
}

std::string chain_of_user(const domain::user& u) { return u.realm_id.value_or(std::string{domain::system_chain}); }

/// A change made with an impersonation token is the impersonator's, not the user's: refused.
std::optional<errc> impersonation_refusal(const resolved_caller& caller) {
  if (!caller.service && caller.who.kind == domain::token_kind::impersonation)
    return errc::restricted_while_impersonating;
  return std::nullopt;
}

/// What a refused realm or portal provisioning records: the event, what the client named, and the realm.
struct provisioning_denial {
  std::string event;
  std::map<std::string, std::string> texts;
  std::optional<id> realm;
};

/// Refuses a provisioning call, audited (SPEC §5) when the caller is the platform or a live token; a call
/// with neither is only refused, as there is nobody to name.
caf::result<portal_reply> refuse_provisioning(registry_self self, const caller_ref& c, const provisioning_denial& what,
                                              refusal r) {
  auto by = c.service ? resolved_caller{std::nullopt, nullptr, {}, true} : resolve(self, c);
  if (by.error)
    return portal_reply{r, {}, {}};
  auto d = denial_by(self, by, what.event, *r.error, c.ip, what.realm);
  d.texts = what.texts;
  note_field(d, r);
  return refuse(self, d, portal_reply{r, {}, {}}, portal_reply{refused(errc::audit_unavailable), {}, {}});
}

} // namespace

users_reply list_users(registry_self self, const caller_ref& c, const domain::user_filter& f, std::int32_t limit) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return {caller.error, {}};
  if (caller.service)
    return {errc::forbidden, {}};
  bool impersonating = caller.who.kind == domain::token_kind::impersonation;
  users_reply out;
  for (const auto* u : domain::visible_users(st.dir, *caller.user, f, static_cast<std::size_t>(std::clamp(limit, 1, 500)))) {
    auto hint = domain::hint_for(st.dir, *caller.user, *u, impersonating);
    out.users.push_back({*u, hint.can_impersonate, hint.why_not});
  }
  return out;
}

caf::result<user_reply> create_user(registry_self self, const caller_ref& c, const domain::new_user& nu) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return user_reply{refused(*caller.error), {}};
  // Every refusal below is audited (SPEC §5) with the user as the client described it.
  auto denied = [&](refusal r) {
    auto d = denial_by(self, caller, "user.create", *r.error, c.ip, realm_of_portal(st.dir, nu.portal));
    d.texts = {{"user", nu.user_id}, {"username", nu.username}, {"name", nu.display_name}};
    note_field(d, r);
    return refuse(self, d, user_reply{r, {}}, user_reply{refused(errc::audit_unavailable), {}});
  };
  if (auto no = impersonation_refusal(caller))
    return denied(refused(*no));
  // Permission first: an admin refused for another realm's portal must not learn before that what exists
  // there (issue 12: the existence checks answered first).
  if (!caller.service)
    if (auto no = domain::may_provision(st.dir, *caller.user, nu))
      return denied(refused(*no));
  if (auto bad = domain::check_new_user(st.dir, nu))
    return denied(refused_field(*bad));
  // Decided again in the transaction, on the caller, the id, the username and the assigned users as the
  // commit finds them: two creates of one id or username racing each other make one user, the other is
  // refused `conflict`-free as "already in use" (before, the second replaced the first), and a caller
  // demoted meanwhile creates no one (SPEC §6 "Concurrency").
  std::optional<id> caller_id = caller.service ? std::nullopt : std::optional{caller.user->user_id};
  std::vector<id> realms;
  if (caller_id && caller.user->realm_id)
    realms.push_back(*caller.user->realm_id);
  if (auto realm = realm_of_portal(st.dir, nu.portal))
    realms.push_back(*realm);
  for (const auto& other : nu.assigned_users)
    if (const auto* a = st.dir.find_user(other); a && a->realm_id)
      realms.push_back(*a->realm_id);
  struct outcome {
    std::optional<refusal> refused;
    domain::user made;
  };
  auto decided = std::make_shared<outcome>();
  auto ev = change_event(self, caller, c, chain_of_user(domain::build_user(st.dir, nu)), "user.create",
                         nu.portal, {});
  auto job = [tree = tree_of(st.dir, realms), caller_id, nu, ev, decided](store::transaction& tx) mutable {
    *decided = {};  // a run after a deadlock starts over (store::writer::job)
    std::vector<id> rows{nu.user_id};
    if (caller_id)
      rows.push_back(*caller_id);
    if (auto holder = tx.user_id_of_username(nu.username))
      rows.push_back(*holder);
    rows.insert(rows.end(), nu.assigned_users.begin(), nu.assigned_users.end());
    auto committed = read_in(tx, tree, rows);
    if (caller_id) {
      if (auto gone = caller_gone(committed, *caller_id)) {
        decided->refused = refused(*gone);
        return;
      }
      if (auto no = domain::may_provision(committed, *committed.find_user(*caller_id), nu)) {
        decided->refused = refused(*no);
        return;
      }
    }
    if (auto bad = domain::check_new_user(committed, nu)) {
      decided->refused = refused_field(*bad);
      return;
    }
    decided->made = domain::build_user(committed, nu);
    ev.detail_json = nlohmann::json{{"user", decided->made.user_id}, {"new", fields_of(decided->made)}}.dump();
    tx.put_user(decided->made);
    tx.append_audit(ev);
  };
  auto denial_of = [self, caller, ip = c.ip, nu, realm = realm_of_portal(st.dir, nu.portal)](const refusal& r) {
    auto d = denial_by(self, caller, "user.create", *r.error, ip, realm);
    d.texts = {{"user", nu.user_id}, {"username", nu.username}, {"name", nu.display_name}};
    note_field(d, r);
    return d;
  };
  const user_reply unavailable{refused(errc::audit_unavailable), {}};
  return answer_when_durable(self, std::move(job), unavailable, [self, decided, denial_of, unavailable](auto& rp) {
    if (decided->refused) {
      refuse_to(self, denial_of(*decided->refused), rp, user_reply{*decided->refused, {}}, unavailable);
      return;
    }
    self->state.dir.put_user(decided->made);
    rp.deliver(user_reply{{}, decided->made});
  });
}

caf::result<user_reply> update_user(registry_self self, const caller_ref& c, const id& user_id,
                                    const domain::user_patch& patch) {
  auto& st = self->state;
  auto caller = resolve(self, c);
  if (caller.error)
    return user_reply{refused(*caller.error), {}};
  const auto* target = st.dir.find_user(user_id);
  // Every refusal is audited (SPEC §5) with the user as the client named it.
  auto denial_of = [self, caller, ip = c.ip, user_id, realm = target ? target->realm_id : std::nullopt](const refusal& r) {
    auto d = denial_by(self, caller, "user.change", *r.error, ip, realm);
    d.texts.emplace("user", user_id);
    note_field(d, r);
    return d;
  };
  const user_reply unavailable{refused(errc::audit_unavailable), {}};
  auto denied = [&](refusal r) { return refuse(self, denial_of(r), user_reply{r, {}}, unavailable); };
  if (auto no = impersonation_refusal(caller))
    return denied(refused(*no));
  if (!target)
    return denied(refused(errc::not_found));
  // On the cache first, to refuse fast; the decision that counts is the transaction's below.
  const auto& as_caller = caller.service ? *target : *caller.user;
  if (auto no = domain::may_apply(st.dir, as_caller, caller.service, *target, patch))
    return denied(refused(*no));
  if (auto bad = domain::validate_change(st.dir, *target, patch))
    return denied(refused_field(*bad));
  auto ev = change_event(self, caller, c, chain_of_user(*target), "user.change", target->home_portal, {});
  auto at = now(self);
  // What the job reads: the caller, the target and every user the change names, as the commit finds them.
  std::optional<id> caller_id = caller.service ? std::nullopt : std::optional{caller.user->user_id};
  std::vector<id> rows{user_id};
  if (caller_id)
    rows.push_back(*caller_id);
  rows.insert(rows.end(), target->assigned_users.begin(), target->assigned_users.end());
  if (patch.assigned_users)
    rows.insert(rows.end(), patch.assigned_users->begin(), patch.assigned_users->end());
  std::vector<id> realms;
  for (const auto* u : {target, caller.user})
    if (u && u->realm_id)
      realms.push_back(*u->realm_id);
  struct outcome {
    std::optional<refusal> refused;
    domain::user after;
    bool loses_access = false;
  };
  auto decided = std::make_shared<outcome>();
  // The PATCH is decided again and applied to the rows as the commit finds them, not as they were when
  // the request arrived: a change of other fields committed in between is kept (issue 13: the lost
  // demotion), and a caller demoted or deactivated in between no longer changes anyone.
  auto job = [tree = tree_of(st.dir, realms), rows, caller_id, user_id, patch, ev, at,
              decided](store::transaction& tx) mutable {
    *decided = {};  // a run after a deadlock starts over (store::writer::job)
    auto committed = read_in(tx, tree, rows);
    const auto* current = committed.find_user(user_id);
    if (!current)
      throw std::runtime_error("user " + user_id + " is not in the store");
    if (caller_id)
      if (auto gone = caller_gone(committed, *caller_id)) {
        decided->refused = refused(*gone);
        return;
      }
    const auto& as_caller = caller_id ? *committed.find_user(*caller_id) : *current;
    if (auto no = domain::may_apply(committed, as_caller, !caller_id, *current, patch)) {
      decided->refused = refused(*no);
      return;
    }
    if (auto bad = domain::validate_change(committed, *current, patch)) {
      decided->refused = refused_field(*bad);
      return;
    }
    decided->after = domain::apply(*current, patch);
    decided->loses_access =
      decided->after.status != domain::user_status::active && current->status == domain::user_status::active;
    ev.detail_json = change_detail(*current, decided->after);
    tx.put_user(decided->after);
    if (decided->loses_access) {
      tx.revoke_user_tokens(user_id, at);
      // A support user who may no longer sign in takes its grant tokens with it, every node's (the grants
      // themselves live on until they end: a reactivated support user asks for a new token).
      tx.revoke_grant_tokens_of(user_id, at);
    }
    tx.append_audit(ev);
  };
  return answer_when_durable(
    self, std::move(job), unavailable,
    [self, decided, denial_of, unavailable, by = ev.performed_by](auto& rp) {
      if (decided->refused) {
        refuse_to(self, denial_of(*decided->refused), rp, user_reply{*decided->refused, {}}, unavailable);
        return;
      }
      const auto after = decided->after;
      take_user_change(self, after, decided->loses_access, by, [rp, after, unavailable](bool ended_ok) mutable {
        if (ended_ok)
          rp.deliver(user_reply{{}, after});
        else
          rp.deliver(unavailable);
      });
    });
}

void take_user_change(registry_self self, const domain::user& after, bool loses_access, std::optional<id> by,
                      std::function<void(bool)> then) {
  auto& st = self->state;
  st.dir.put_user(after);
  rescope_dashboards(self, after);
  if (loses_access) {
    // A deactivated or deleted user's tokens die now and its tabs close, and so do the grant tokens it
    // holds as a support user (the grants themselves live on until they end).
    std::vector<domain::token_record> dead;
    for (const auto& [hash, t] : st.tokens)
      if ((t.user_id == after.user_id && t.kind != domain::token_kind::impersonation) ||
          (t.kind == domain::token_kind::grant && t.actor_id == after.user_id))
        dead.push_back(t);
    for (const auto& t : dead)
      bury(self, t);
  }
  auto side = [user_id = after.user_id](const domain::impersonation_session& s) -> std::optional<domain::change_side> {
    if (s.actor == user_id || s.via == user_id)
      return domain::change_side::actor;
    if (s.target == user_id)
      return domain::change_side::target;
    return std::nullopt;
  };
  recheck_sessions(self, side, std::move(by), std::move(then));
}

caf::result<portal_reply> create_realm(registry_self self, const caller_ref& c, const domain::new_realm& nr) {
  auto& st = self->state;
  // Realm provisioning is a system event: its refusals go to the caller's realm or the system chain.
  provisioning_denial what{"realm.create", {{"realm", nr.realm_id}, {"name", nr.name}, {"top_portal", nr.top_portal_id}},
                           std::nullopt};
  if (!c.service)
    return refuse_provisioning(self, c, what, refused(errc::forbidden));
  if (auto bad = domain::check_new_realm(st.dir, nr))
    return refuse_provisioning(self, c, what, refused_field(*bad));
  resolved_caller platform{std::nullopt, nullptr, {}, true};
  auto r = domain::build_realm(nr);
  auto top = domain::build_top_portal(nr);
  nlohmann::json detail{{"realm", r.realm_id}, {"name", r.name}, {"top_portal", top.portal_id}};
  auto ev = change_event(self, platform, c, r.realm_id, "realm.create", top.portal_id, detail.dump());
  auto write = [r, top, ev](store::transaction& tx) {
    tx.put_realm(r);
    tx.put_portal(top);
    tx.append_audit(ev);
  };
  return answer_when_durable(self, write, portal_reply{refused(errc::audit_unavailable), {}, {}}, [self, r, top](auto& rp) {
    self->state.dir.put_realm(r);
    self->state.dir.put_portal(top);
    rp.deliver(portal_reply{{}, r, top});
  });
}

caf::result<portal_reply> create_portal(registry_self self, const caller_ref& c, const domain::new_portal& np) {
  auto& st = self->state;
  provisioning_denial what{"portal.create", {{"portal", np.portal_id}, {"parent", np.parent}, {"name", np.name}},
                           realm_of_portal(st.dir, np.parent)};
  if (!c.service)
    return refuse_provisioning(self, c, what, refused(errc::forbidden));
  if (auto bad = domain::check_new_portal(st.dir, np))
    return refuse_provisioning(self, c, what, refused_field(*bad));
  resolved_caller platform{std::nullopt, nullptr, {}, true};
  auto p = domain::build_portal(st.dir, np);
  nlohmann::json detail{{"portal", p.portal_id}, {"parent", np.parent}, {"name", p.name}};
  auto ev = change_event(self, platform, c, p.realm_id, "portal.create", p.portal_id, detail.dump());
  auto write = [p, ev](store::transaction& tx) {
    tx.put_portal(p);
    tx.append_audit(ev);
  };
  return answer_when_durable(self, write, portal_reply{refused(errc::audit_unavailable), {}, {}}, [self, p](auto& rp) {
    self->state.dir.put_portal(p);
    // An admin of the parent administers the new portal too: an open dashboard widens now, not at its
    // next subscribe.
    rescope_all_dashboards(self);
    rp.deliver(portal_reply{{}, std::nullopt, p});
  });
}

introspect_reply introspect(registry_self self, const caller_ref& c, const std::string& token_hash) {
  auto& st = self->state;
  if (!c.service)
    return {errc::forbidden, {}};
  domain::token_facts facts;
  // Introspection is the platform asking, not the user acting: it must not count as activity, so the
  // token is judged without touching its idle clock.
  auto i = st.tokens.find(token_hash);
  // A token made through another node is read from the store once (as authenticate does).
  const auto* found = i != st.tokens.end() ? &i->second : adopt_token(self, token_hash);
  if (!found)
    return {std::nullopt, domain::introspect_token(facts)};
  const auto& t = *found;
  if (refused_as_stale(self, t))
    return {errc::node_stale, {}};
  facts.active = token_alive(st, t, now(self));
  facts.subject = st.dir.find_user(t.user_id);
  facts.kind = t.kind;
  facts.session_id = t.session_id;
  facts.actor_id = t.actor_id;
  facts.issued_at = t.created_at;
  facts.expires_at = t.expires_at;
  if (t.session_id)
    if (auto s = st.sessions.find(*t.session_id); s != st.sessions.end()) {
      facts.session_portal = s->second.session.portal;
      facts.via = s->second.session.via;
    }
  if (t.kind == domain::token_kind::grant)
    facts.via = t.actor_id;
  return {std::nullopt, domain::introspect_token(facts)};
}

} // namespace actas::actors::detail
