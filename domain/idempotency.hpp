#pragma once
/// SPEC §6 "Retries": an `Idempotency-Key` lets a client that saw a timeout or a 503 ask again and learn
/// what happened, without the change being made twice.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time.hpp"

namespace actas::domain {

/// How long an answer is kept for its key (SPEC §6: 24 h).
inline constexpr duration idempotency_window = std::chrono::hours(24);

/// A key is 1–255 printable ASCII characters (0x21–0x7E and space inside).
bool valid_idempotency_key(std::string_view key);

/// What was answered the first time a caller used a key.
struct idempotent_answer {
  std::string fingerprint;  ///< of the request: method, path and body
  unsigned status = 0;
  std::string body;
  timestamp at{};
};

/// What to do with a request carrying a key.
enum class idempotency_verdict {
  proceed,      ///< first use (or the stored answer is older than the window): act
  replay,       ///< same request again: answer the stored answer, act not
  key_reused,   ///< 422 idempotency_key_reused: the key was used for another request
  in_progress,  ///< 409 request_in_progress: the first request with this key has no answer yet
  too_busy,     ///< 429 rate_limited: too many keyed requests are waiting for their answers (a bound)
};

/// The rule: an answer within the window decides (same fingerprint → replay, another → reused); without
/// one, a request still in flight with the key blocks the retry.
idempotency_verdict judge_idempotent_request(const std::optional<idempotent_answer>& stored, bool in_flight,
                                             std::string_view fingerprint, timestamp now);

/// Which answers are kept for replay: final ones. A 5xx answer (the store could not write, the core did
/// not answer in time) is not an outcome: the client asks again with the same key and the request runs.
bool answer_is_kept(unsigned status);

} // namespace actas::domain
