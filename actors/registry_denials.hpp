#pragma once
/// Recording denials from the registry's handlers (SPEC §5: every denial is an audit event, cut and
/// rate-limited per caller by the rules of domain/denials.hpp and domain/denial_limiter.hpp).
#include <functional>

#include <caf/all.hpp>

#include "actors/registry_parts.hpp"
#include "domain/denials.hpp"

namespace actas::actors::detail {

/// Counts `d` against its caller's limit: true when its event is to be written, false when the caller is
/// over the limit this minute and it is only counted (into the minute's `denials_suppressed` summary).
bool admit_denial(registry_self self, const domain::denial& d);

/// Writes the event of an admitted denial; `then` learns whether it became durable.
void write_denial(registry_self self, const domain::denial& d, std::function<void(bool ok)> then);

/// Writes one `denials_suppressed` event per caller that went over its limit in a minute now closed.
/// Runs before every denial and on every sweep, so a summary is never later than the next sweep.
void flush_denials(registry_self self);

/// The audit identity of a caller of a provisioning or policy call: the platform is named "service".
domain::acting acting_of(const resolved_caller& c);

/// A denial made by `caller` (a token's user or the platform), dated now, on the caller's realm chain or,
/// for a caller without one, on the chain of `realm_acted_on` (see domain::denial_chain).
domain::denial denial_by(registry_self self, const resolved_caller& caller, std::string event, domain::errc code,
                         const std::string& ip, const std::optional<id>& realm_acted_on = std::nullopt);

/// The same for a caller known by its token.
domain::denial denial_by(registry_self self, const principal& who, std::string event, domain::errc code,
                         const std::string& ip, const std::optional<id>& realm_acted_on = std::nullopt);

/// Adds the offending field of a refusal (server text) to a denial's detail.
inline void note_field(domain::denial& d, const refusal& r) {
  if (!r.field.empty())
    d.texts.emplace("field", r.field);
}

/// The realm of a portal the client named, if it exists.
std::optional<id> realm_of_portal(const domain::directory& dir, const std::optional<id>& portal_id);

/// Answers a refused request: `answer` once its denial is durable, `unavailable` when the audit log could
/// not take it (SPEC §5: nothing is answered before its event is durable), `answer` at once when the
/// caller is over its limit and the denial is only counted.
template <class Reply>
caf::result<Reply> refuse(registry_self self, const domain::denial& d, Reply answer, Reply unavailable) {
  if (!admit_denial(self, d))
    return answer;
  auto rp = self->make_response_promise<Reply>();
  write_denial(self, d, [rp, answer, unavailable](bool ok) mutable { rp.deliver(ok ? answer : unavailable); });
  return rp;
}

/// The same for a refusal found only inside the transaction (the state changed while the request was in
/// flight): answered through the request's promise.
template <class Reply>
void refuse_to(registry_self self, const domain::denial& d, caf::typed_response_promise<Reply> rp, Reply answer,
               Reply unavailable) {
  if (!admit_denial(self, d)) {
    rp.deliver(answer);
    return;
  }
  write_denial(self, d, [rp, answer, unavailable](bool ok) mutable { rp.deliver(ok ? answer : unavailable); });
}

} // namespace actas::actors::detail
