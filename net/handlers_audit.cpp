/// Reading and verifying the audit chain (SPEC §5); who may read which chain is the registry's call.
#include <chrono>
#include <limits>

#include "codec/audit_head_json.hpp"
#include "net/handlers.hpp"
#include "net/reply.hpp"

namespace actas::net {

namespace {

using domain::errc;

/// When a head was signed: the wall clock (informational; the chain's own times come from the core).
domain::timestamp signed_at() {
  return std::chrono::time_point_cast<domain::duration>(std::chrono::system_clock::now());
}

/// Largest page of events one call returns.
constexpr std::int64_t max_events = 1000;

void events(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {"portal", "session", "grant", "performed_by", "active_account", "after_seq", "limit", "chain"}))
    return;
  domain::audit_query q;
  const auto text = [&](const char* name) -> std::optional<std::string> {
    auto i = c->req.query.find(name);
    if (i == c->req.query.end()) return std::nullopt;
    return i->second;
  };
  q.chain = text("chain").value_or("");
  q.portal = text("portal");
  q.session = text("session");
  q.grant = text("grant");
  q.performed_by = text("performed_by");
  q.active_account = text("active_account");
  if (!query_int(*c, "after_seq", 0, std::numeric_limits<std::int64_t>::max() / 2, q.after_seq)) return;
  if (!query_int(*c, "limit", 1, max_events, q.limit)) return;
  ask<actors::audit_reply>(
    c,
    [c](actors::audit_reply& r) {
      json list = json::array();
      for (const auto& e : r.events) list.push_back(encode(e));
      answer(*c, 200, {{"events", std::move(list)}});
    },
    actors::audit_atom::value, *hash, q);
}

void verify(call_ptr c) {
  auto hash = bearer_hash(c->req);
  if (!hash) return fail(*c, errc::unauthenticated);
  if (!only_query(*c, {"chain"})) return;
  auto i = c->req.query.find("chain");
  std::string chain = i == c->req.query.end() ? std::string{} : i->second;
  ask<actors::verify_reply>(
    c,
    [c](actors::verify_reply& r) {
      auto body = encode(r.chain, r.result);
      // SPEC §10: a head the node vouches for, to be kept elsewhere. Only for a chain that verified (from
      // its first event, so its seq is the count): a broken chain gets no signature to launder it.
      if (const auto& key = c->sv->audit_signer; key && r.result.ok) {
        domain::signed_head h{r.chain, r.result.events, r.result.head, signed_at(), key->key_id(), {}};
        h.signature = key->sign_hex(domain::head_message(h.chain, h.seq, h.hash, h.at));
        body["signed_head"] = codec::encode(h);
      }
      answer(*c, 200, body);
    },
    actors::verify_atom::value, *hash, std::move(chain));
}

} // namespace

void add_audit_routes(router& r) {
  r.add("GET", "/v1/audit", events);
  r.add("GET", "/v1/audit/verify", verify);
}

} // namespace actas::net
