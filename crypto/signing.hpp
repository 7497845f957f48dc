#pragma once
/// Ed25519 (libsodium crypto_sign) for the audit log's signed heads (SPEC §10 "Audit outside the
/// server"): a head signed by the node can be checked later by anyone holding the public key.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace actas::crypto {

class signing_key {
public:
  /// From a 32-byte seed written as 64 hex digits (`openssl rand -hex 32`), surrounding white space
  /// ignored; nullopt for anything else. crypto::init() must have run.
  static std::optional<signing_key> from_seed_hex(std::string_view text);

  /// The public key, 64 hex digits: what a verifier is given.
  const std::string& public_key_hex() const { return public_hex_; }
  /// A short name of the key: the first 16 hex digits of SHA-256 of the public key.
  const std::string& key_id() const { return key_id_; }
  /// The detached signature of `message`, 128 hex digits.
  std::string sign_hex(std::string_view message) const;

private:
  std::array<unsigned char, 64> secret_{};
  std::string public_hex_;
  std::string key_id_;
};

/// Whether `signature_hex` is a valid Ed25519 signature of `message` by `public_key_hex`; false for
/// malformed hex too.
bool verify_signature_hex(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex);

} // namespace actas::crypto
