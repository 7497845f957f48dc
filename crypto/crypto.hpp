#pragma once
/// libsodium behind a few small functions: hashes, random tokens and ids, password hashing.
#include <optional>
#include <string>
#include <string_view>

namespace actas::crypto {

/// Must run once before anything below (idempotent, thread-safe); throws if libsodium cannot start.
void init();

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// A fresh bearer token: 256 random bits, base64url without padding (43 characters).
std::string random_token();

/// A fresh identifier: `prefix` followed by 128 random bits in lowercase hex, e.g. "ses_3f…".
std::string random_id(std::string_view prefix);

/// The stored form of a token: sha256_hex of the token text. Tokens are never stored in the clear.
inline std::string token_hash(std::string_view token) { return sha256_hex(token); }

/// Argon2id hash string of a password (libsodium's interactive limits).
std::string hash_password(std::string_view password);

/// Constant-time check of a password against a hash string made by hash_password.
bool verify_password(std::string_view password, const std::string& hash);

/// Standard base64 (RFC 4648 §4, padded) to bytes; nullopt when `text` is not that.
std::optional<std::string> base64_decode(std::string_view text);

/// Constant-time equality of two byte strings (service keys).
bool equal_constant_time(std::string_view a, std::string_view b);

} // namespace actas::crypto
