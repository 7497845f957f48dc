#include "crypto/crypto.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace actas::crypto {

namespace {

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string out(n * 2 + 1, '\0');  // sodium_bin2hex writes a terminating NUL
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::array<unsigned char, crypto_hash_sha256_BYTES> sha256_raw(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return digest;
}

} // namespace

void init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });  // 1 = already initialised, also fine
  if (!ok) throw std::runtime_error("libsodium could not be initialised");
}

std::string sha256_hex(std::string_view bytes) {
  auto digest = sha256_raw(bytes);
  return to_hex(digest.data(), digest.size());
}

std::string random_token() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
  out.resize(out.find('\0'));  // the encoded length counts the terminating NUL
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &written, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(written);
  return out;
}

std::string random_id(std::string_view prefix) {
  std::array<unsigned char, 16> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string out(prefix);
  out += to_hex(raw.data(), raw.size());
  return out;
}

std::string hash_password(std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return std::string(out.data());
}

bool verify_password(std::string_view password, const std::string& hash) {
  // libsodium reads the hash as a C string; an embedded NUL would silently shorten it.
  if (hash.empty() || hash.find('\0') != std::string::npos) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  // Comparing digests keeps the time independent of where (and whether) the lengths differ.
  auto da = sha256_raw(a);
  auto db = sha256_raw(b);
  return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

} // namespace actas::crypto
