/// GET /v1/openapi.json (SPEC §10): the API's own description, for anyone. The document is docs/openapi.json,
/// embedded at build time, so the binary always describes the routes it was built with.
#include "net/handlers.hpp"
#include "net/reply.hpp"

namespace actas::net {

namespace {

void openapi(call_ptr c) {
  if (!only_query(*c, {})) return;
  response r{200, std::string(openapi_document())};
  // Changes only with the binary: a client may keep it, but asks again after an upgrade.
  r.cache_control = "no-cache";
  c->respond(std::move(r));
}

} // namespace

void add_openapi_routes(router& r) { r.add("GET", "/v1/openapi.json", openapi); }

} // namespace actas::net
