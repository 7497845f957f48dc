#include "domain/introspection.hpp"

namespace actas::domain {

introspection introspect_token(const token_facts& facts) {
  const introspection inactive{};
  if (!facts.active || !facts.subject) return inactive;

  introspection out;
  switch (facts.kind) {
    case token_kind::user: break;
    case token_kind::impersonation:
      if (!facts.actor_id || !facts.session_id) return inactive;
      out.act.push_back({*facts.actor_id, facts.session_id});
      if (facts.via) out.act.push_back({*facts.via, std::nullopt});
      break;
    case token_kind::grant:
      if (!facts.via) return inactive;
      out.act.push_back({*facts.via, std::nullopt});
      break;
  }
  out.active = true;
  out.sub = facts.subject->user_id;
  out.username = facts.subject->username;
  out.iat = facts.issued_at;
  out.exp = facts.expires_at;
  out.portal = facts.session_portal ? facts.session_portal : facts.subject->home_portal;
  return out;
}

} // namespace actas::domain
