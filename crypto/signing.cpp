#include "crypto/signing.hpp"

#include <sodium.h>

#include "crypto/crypto.hpp"

namespace actas::crypto {

namespace {

std::string hex_of(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

/// Exactly `N` bytes from 2N hex digits, or nullopt.
template <std::size_t N>
std::optional<std::array<unsigned char, N>> bytes_of(std::string_view hex) {
  std::array<unsigned char, N> out{};
  std::size_t len = 0;
  const char* end = nullptr;
  if (hex.size() != N * 2 ||
      sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 || len != N)
    return std::nullopt;
  return out;
}

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace

std::optional<signing_key> signing_key::from_seed_hex(std::string_view text) {
  auto seed = bytes_of<crypto_sign_SEEDBYTES>(trimmed(text));
  if (!seed) return std::nullopt;
  signing_key k;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pub{};
  crypto_sign_seed_keypair(pub.data(), k.secret_.data(), seed->data());
  sodium_memzero(seed->data(), seed->size());
  k.public_hex_ = hex_of(pub.data(), pub.size());
  k.key_id_ = sha256_hex(std::string_view(reinterpret_cast<const char*>(pub.data()), pub.size())).substr(0, 16);
  return k;
}

std::string signing_key::sign_hex(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return hex_of(sig.data(), sig.size());
}

bool verify_signature_hex(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex) {
  const auto pub = bytes_of<crypto_sign_PUBLICKEYBYTES>(trimmed(public_key_hex));
  const auto sig = bytes_of<crypto_sign_BYTES>(signature_hex);
  if (!pub || !sig) return false;
  return crypto_sign_verify_detached(sig->data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pub->data()) == 0;
}

} // namespace actas::crypto
