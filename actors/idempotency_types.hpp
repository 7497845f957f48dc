#pragma once
/// The messages of the idempotency keeper (SPEC §6 Retries).
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "domain/idempotency.hpp"

namespace actas::actors {

/// One request carrying an `Idempotency-Key`.
struct idem_claim {
  std::string caller;       ///< a hash of the credential (or of the address, for anonymous calls)
  std::string key;
  std::string fingerprint;  ///< a hash of method, path and body
};

/// What to do with it: on `replay`, the first answer.
struct idem_ruling {
  domain::idempotency_verdict verdict = domain::idempotency_verdict::proceed;
  unsigned status = 0;
  std::string body;
};

/// The answer to a claimed request, to keep (or, for a 5xx, to forget the claim).
struct idem_answer {
  idem_claim claim;
  unsigned status = 0;
  std::string body;  ///< as stored: secrets already removed
};

} // namespace actas::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::idem_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::idem_ruling)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(actas::actors::idem_answer)
