/// Reads answered by the registry: who a token is, the sessions a caller may see, and the audit log
/// (authorised here, read by the audit reader on its own connection).
#include <algorithm>

#include <caf/all.hpp>

#include "actors/registry_denials.hpp"
#include "actors/registry_parts.hpp"
#include "domain/end_rules.hpp"

namespace actas::actors::detail {

namespace {

using domain::errc;

std::optional<domain::user> user_named(const domain::directory& dir, const std::optional<id>& user_id) {
  const auto* u = user_id ? dir.find_user(*user_id) : nullptr;
  return u ? std::optional{*u} : std::nullopt;
}

/// Which chain a caller may read: a superadmin its realm's, a sysadmin any (the system chain by default).
std::optional<std::string> readable_chain(const domain::user& caller, const principal& who, const std::string& wanted) {
  if (who.kind != domain::token_kind::user)
    return std::nullopt;
  if (caller.user_role == domain::role::superadmin && !caller.is_temporary() && caller.realm_id)
    return wanted.empty() || wanted == *caller.realm_id ? std::optional{*caller.realm_id} : std::nullopt;
  if (caller.user_role == domain::role::sysadmin)
    return wanted.empty() ? std::string{domain::system_chain} : wanted;
  return std::nullopt;
}

} // namespace

me_reply me(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}, {}, {}, {}, {}};
  me_reply r;
  r.who = auth.who;
  r.user = *st.dir.find_user(auth.who.user_id);
  r.actor = user_named(st.dir, auth.who.actor_id);
  if (auth.who.session_id)
    if (auto i = st.sessions.find(*auth.who.session_id); i != st.sessions.end())
      r.impersonation = i->second.session;
  if (auth.who.grant_id)
    if (auto i = st.grants.find(*auth.who.grant_id); i != st.grants.end())
      r.grant = i->second;
  return r;
}

sessions_reply list_sessions(registry_self self, const std::string& token_hash, const sessions_query& q) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {*auth.error, {}};
  domain::end_caller caller{st.dir.find_user(auth.who.user_id), std::nullopt};
  if (auth.who.kind == domain::token_kind::impersonation)
    caller.token_session = auth.who.session_id;
  auto limit = std::clamp(q.limit, 1, 500);
  std::vector<domain::impersonation_session> out;
  auto wanted = [&](domain::session_state s) { return !q.state || *q.state == s; };
  if (wanted(domain::session_state::active))
    for (const auto& [session_id, live] : st.sessions)
      if (live.handle && domain::may_view(st.dir, caller, live.session))
        out.push_back(live.session);
  if (wanted(domain::session_state::ended) && caller.caller->realm_id) {
    // Ended sessions come from the store, newest first; those the caller may not see are skipped.
    for (auto& s : st.deps.reader->sessions(caller.caller->realm_id, domain::session_state::ended, limit * 4))
      if (domain::may_view(st.dir, caller, s))
        out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.started_at > b.started_at; });
  if (out.size() > static_cast<std::size_t>(limit))
    out.resize(limit);
  return {std::nullopt, std::move(out)};
}

caf::result<audit_reply> audit(registry_self self, const std::string& token_hash, domain::audit_query q) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return audit_reply{*auth.error, {}};
  auto chain = readable_chain(*st.dir.find_user(auth.who.user_id), auth.who, q.chain);
  if (!chain) {
    auto d = denial_by(self, auth.who, "audit.read", errc::forbidden, "");
    d.texts.emplace("chain", q.chain);
    return refuse(self, d, audit_reply{errc::forbidden, {}}, audit_reply{errc::audit_unavailable, {}});
  }
  q.chain = *chain;
  q.limit = std::clamp<std::int64_t>(q.limit, 1, 1000);
  return self->delegate(st.deps.audit_reader, audit_atom::value, std::move(q));
}

caf::result<verify_reply> verify(registry_self self, const std::string& token_hash, const std::string& chain) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return verify_reply{*auth.error, {}, {}};
  auto readable = readable_chain(*st.dir.find_user(auth.who.user_id), auth.who, chain);
  if (!readable) {
    auto d = denial_by(self, auth.who, "audit.verify", errc::forbidden, "");
    d.texts.emplace("chain", chain);
    return refuse(self, d, verify_reply{errc::forbidden, {}, {}}, verify_reply{errc::audit_unavailable, {}, {}});
  }
  return self->delegate(st.deps.audit_reader, verify_atom::value, *readable);
}

grants_reply own_grants(registry_self self, const std::string& token_hash) {
  auto& st = self->state;
  auto auth = authenticate(self, token_hash);
  if (auth.error)
    return {{*auth.error, {}, {}}, {}};
  grants_reply out;
  if (auth.who.kind != domain::token_kind::user)
    return out;
  for (const auto& [grant_id, g] : st.grants)
    if (g.support_user == auth.who.user_id)
      out.grants.push_back(g);
  return out;
}

hello hello_for(registry_self self, const principal& who) {
  auto& st = self->state;
  return {who, *st.dir.find_user(who.user_id), user_named(st.dir, who.actor_id),
          st.deps.reader->unread_count(who.user_id)};
}

} // namespace actas::actors::detail
