/// GET /metrics (SPEC §10): the Prometheus text exposition, for a sysadmin token or a metrics key.
#include "net/caller.hpp"
#include "net/handlers.hpp"
#include "net/reply.hpp"

namespace actas::net {

namespace {

using domain::errc;

void metrics(call_ptr c) {
  if (!only_query(*c, {})) return;
  actors::caller_ref who;
  who.ip = c->req.ip;
  // A metrics key reads metrics and nothing else; it is not a service key (the registry sees `service`).
  if (presents_key(*c, c->sv->metrics_keys)) {
    who.service = true;
  } else {
    auto hash = bearer_hash(c->req);
    if (!hash) return fail(*c, errc::unauthenticated, "a sysadmin token or a metrics key is required");
    who.token_hash = *hash;
  }
  ask<actors::counts_reply>(
    c,
    [c](actors::counts_reply& r) {
      const auto& sv = *c->sv;
      node_metrics::state now;
      now.sessions_active = r.sessions_active;
      now.grants_active = r.grants_active;
      now.ready = sv.ready->problems().empty();
      now.audit_writable = sv.ready->audit_writable();
      now.cluster_lag_seconds = sv.cluster_lag ? sv.cluster_lag() : 0;
      response res{200, sv.metrics->exposition(now)};
      res.content_type = std::string(metrics_content_type);
      c->respond(std::move(res));
    },
    actors::metrics_atom::value, std::move(who));
}

} // namespace

void add_metrics_routes(router& r) { r.add("GET", "/metrics", metrics); }

} // namespace actas::net
