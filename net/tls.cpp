#include "net/tls.hpp"

#include <stdexcept>

#include <boost/asio/ssl/context.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace actas::net {

namespace ssl = boost::asio::ssl;

namespace {

/// TLS 1.2 suites with forward secrecy and an AEAD cipher only (TLS 1.3's own suites are all of that kind
/// and stay OpenSSL's defaults).
constexpr const char* tls12_ciphers =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_reason(const boost::system::error_code& ec) {
  // Asio's message for an OpenSSL error is the library's reason string ("no start line", "key values
  // mismatch"), which is what an operator needs.
  return ec.message();
}

std::shared_ptr<ssl::context> load_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
    throw std::runtime_error("OpenSSL refused TLS 1.2 as the lowest version");
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use);
  // No renegotiation: nothing here needs it and it has been the door of several attacks.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
    throw std::runtime_error("OpenSSL knows none of the TLS 1.2 cipher suites actas allows");
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) throw std::runtime_error("tls_cert_file '" + cert_file + "' is not a readable PEM certificate chain: " + openssl_reason(ec));
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
    throw std::runtime_error("tls_key_file '" + key_file + "' is not the key of the certificate in tls_cert_file '" +
                             cert_file + "'");
  if (ec) throw std::runtime_error("tls_key_file '" + key_file + "' is not a readable PEM private key: " + openssl_reason(ec));
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    throw std::runtime_error("tls_key_file '" + key_file + "' is not the key of the certificate in tls_cert_file '" +
                             cert_file + "'");
  }
  return ctx;
}

} // namespace

tls_certificate::tls_certificate(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), context_(load_context(cert_file_, key_file_)) {}

std::optional<std::string> tls_certificate::reload() {
  std::shared_ptr<ssl::context> fresh;
  try {
    fresh = load_context(cert_file_, key_file_);
  } catch (const std::exception& e) {
    return e.what();
  }
  std::lock_guard lock(mutex_);
  context_ = std::move(fresh);
  return std::nullopt;
}

std::shared_ptr<ssl::context> tls_certificate::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

} // namespace actas::net
