#pragma once
/// The one place where a write that failed becomes the caller's 503 `audit_unavailable` (SPEC §5: nothing
/// is answered before its event is durable; a write that failed changed nothing).
#include <utility>

#include <caf/all.hpp>

#include "actors/registry_parts.hpp"

namespace actas::actors::detail {

/// Writes `job` through the group-commit writer and answers `rp` once its fate is known: `unavailable`
/// when the commit failed; else `durable(rp)` runs in the registry, where it updates the cache, pushes
/// and delivers the answer. Returns `rp`, for a handler to return.
template <class Reply, class Durable>
caf::typed_response_promise<Reply> answer_when_durable(registry_self self, caf::typed_response_promise<Reply> rp,
                                                       store::writer::job job, Reply unavailable, Durable durable) {
  auto& st = self->state;
  st.commits.submit(*st.deps.writer, caf::actor_cast<registry_actor>(self), std::move(job),
                    [rp, unavailable = std::move(unavailable), durable = std::move(durable)](bool ok) mutable {
                      if (!ok)
                        rp.deliver(unavailable);
                      else
                        durable(rp);
                    });
  return rp;
}

/// The same with a new promise of the current request.
template <class Reply, class Durable>
caf::typed_response_promise<Reply> answer_when_durable(registry_self self, store::writer::job job, Reply unavailable,
                                                       Durable durable) {
  return answer_when_durable(self, self->make_response_promise<Reply>(), std::move(job), std::move(unavailable),
                             std::move(durable));
}

} // namespace actas::actors::detail
