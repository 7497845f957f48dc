#pragma once
/// SPEC §10 TLS: the certificate chain and key a node serves HTTPS and WSS with (TLS 1.2 and 1.3 only).
/// SIGHUP swaps in the files' new contents for the connections accepted after it; open connections keep
/// the pair they were handshaken with, so nothing is dropped.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace boost::asio::ssl { class context; }

namespace actas::net {

class tls_certificate {
public:
  /// Loads the PEM chain and key; throws std::runtime_error with one sentence naming the file and the
  /// reason (unreadable, not PEM, key not matching the certificate).
  tls_certificate(std::string cert_file, std::string key_file);

  /// Reads both files again. On success the new pair serves every connection accepted from now on and
  /// nullopt is returned; on failure the old pair stays and the reason is returned.
  std::optional<std::string> reload();

  /// The context a new connection handshakes with. A connection keeps its own reference to the OpenSSL
  /// context (SSL_new takes one), so a reload never pulls it from under an open connection.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  const std::string& cert_file() const { return cert_file_; }

private:
  std::string cert_file_, key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
};

} // namespace actas::net
