#pragma once
/// JSON forms of the policy, provisioning and support calls (SPEC §6): strict decoders (they throw
/// body_refusal naming the field) and encoders.
#include <string_view>

#include "actors/messages.hpp"
#include "net/codec.hpp"
#include "net/json_reader.hpp"

namespace actas::net {

/// POST /v1/users {id, username, name, role, status?, portal?, admin_portals?, assigned_users?,
/// assigned_portals?, consents?: {terms?, privacy?}}
domain::new_user decode_new_user(std::string_view body);
/// PATCH /v1/users/{id}: any of status, role, name, consents{terms, privacy}, admin_portals,
/// assigned_users, assigned_portals.
domain::user_patch decode_user_patch(std::string_view body);
/// POST /v1/realms {id, name, top_portal: {id, name}}
domain::new_realm decode_new_realm(std::string_view body);
/// POST /v1/portals {id, parent, name}
domain::new_portal decode_new_portal(std::string_view body);

/// {portal, name, state, expires_at, grant, request} of GET /v1/support/access.
json encode(const domain::access_row& row);
/// RFC 7662 with the RFC 8693 actor chain: {active:false} or {active, sub, act: {sub, sid?, act?}, exp, portal}.
json encode(const domain::introspection& i);
/// {user fields…, can_impersonate, why_not}
json encode(const actors::user_row& row);

} // namespace actas::net
