#pragma once
/// SPEC §8 "Revocation holds cluster-wide": the answer to a change that kills a token or ends a session or
/// grant (a logout, an end, a revoke, a user or settings change) is written only when no node of the
/// cluster can still accept what it killed (the registry's settled_atom). On a database of its own the
/// registry answers at once.
#include "net/router.hpp"

namespace actas::net {

/// `h`, whose 2xx answers wait until the change has settled on every node. Other answers changed nothing
/// and go at once.
handler once_settled(handler h);

} // namespace actas::net
