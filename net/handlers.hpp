#pragma once
/// The API's routes, one file per area. Handlers only decode, ask the registry through the bridge and
/// encode: every rule lives in domain/ and the registry.
#include <string_view>

#include "net/router.hpp"

namespace actas::net {

/// POST /v1/login, POST /v1/logout, GET /v1/me, POST /v1/tokens, GET /livez (= /healthz), GET /readyz.
void add_account_routes(router& r);
/// POST /v1/impersonations, GET /v1/impersonations[/{id}], POST /v1/impersonations/{id}/end.
void add_impersonation_routes(router& r);
/// GET /v1/audit, GET /v1/audit/verify.
void add_audit_routes(router& r);
/// POST /v1/ws/ticket, GET /v1/ws (the upgrade itself is the connection's, through call::upgrade).
void add_socket_routes(router& r);

/// GET/PATCH /v1/portals/{id}/settings, POST /v1/authorize, GET/PUT /v1/me/preferences, the inbox.
void add_policy_routes(router& r);
/// /v1/users, /v1/realms, /v1/portals, /v1/introspect.
void add_user_routes(router& r);
/// /v1/support/….
void add_support_routes(router& r);
/// GET /metrics.
void add_metrics_routes(router& r);
/// GET /v1/openapi.json.
void add_openapi_routes(router& r);

/// docs/openapi.json as it was when the binary was built (embedded by net/embed_openapi.cmake).
std::string_view openapi_document();

/// Every route of the API.
inline router api_routes() {
  router r;
  add_account_routes(r);
  add_impersonation_routes(r);
  add_audit_routes(r);
  add_socket_routes(r);
  add_metrics_routes(r);
  add_openapi_routes(r);
  add_policy_routes(r);
  add_user_routes(r);
  add_support_routes(r);
  return r;
}

} // namespace actas::net
