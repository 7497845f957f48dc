#pragma once
/// The audit log outside the server (SPEC §10): the line format of `actas audit export` and the signed
/// head that says "this chain reached seq N with hash H at time T", so a log cut or rewritten later is
/// caught against any head saved before.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/audit.hpp"

namespace actas::domain {

/// One exported event: its canonical JSON (the very text its hash covers, after prev_hash) with
/// `"hash"` added as the last key. A verifier needs no JSON library to recompute the hash.
std::string export_line(const audit_event& e);

/// The parts of an export line: the text its hash covers (prev_hash excluded) and the hash it claims.
struct export_line_parts {
  std::string hashed_text;
  std::string hash;
};
/// Splits a line written by export_line; nullopt when it does not end in `,"hash":"<64 hex>"}`.
std::optional<export_line_parts> split_export_line(std::string_view line);

/// A chain's head as the node vouches for it: the newest event's seq and hash, when it was signed, by
/// which key (key_id: first 16 hex digits of SHA-256 of the Ed25519 public key), and the signature.
struct signed_head {
  std::string chain;
  std::int64_t seq = 0;
  std::string hash;
  timestamp at{};
  std::string key_id;
  std::string signature;  ///< Ed25519 over head_message, 128 hex digits
};

/// The exact bytes a head's signature covers: "actas-audit-head/1\n" then chain, seq, hash and `at`
/// (format_utc), one a line. Versioned, so a signature can never be replayed as another message.
std::string head_message(const std::string& chain, std::int64_t seq, const std::string& hash, timestamp at);

} // namespace actas::domain
