// What the daemon learns about a STARTTLS client, as tls_get_info() puts it
// in macros: the client certificate verified with OpenSSL against
// CACertFile and CACertPath, its names in sendmail's xtext form, and the
// negotiated protocol. cfkit makes no handshake: the protocol and cipher are
// what Debian's sendmail and a default OpenSSL 3 client agree on.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace cfkit {

struct TlsPeer {
    std::map<std::string, std::string> macros;  // {verify}, {cert_subject}, ... by name without braces
};

// The negotiated protocol's macros ({tls_version}, {cipher}, {cipher_bits},
// {alg_bits}) and a client without a certificate ({verify} NO, or NOT when
// the server does not ask for one; the certificate macros empty).
TlsPeer tls_peer_without_cert(bool cert_requested);

// The same with the client certificate in `cert_pem` (a PEM file):
// {verify} OK when it chains to the CAs of `ca_file`/`ca_path` for a TLS
// client, FAIL otherwise (expired, self-signed, unknown CA ...). nullopt,
// with `error`, when the file holds no certificate.
std::optional<TlsPeer> tls_peer_with_cert(const std::string& cert_pem, const std::string& ca_file,
                                          const std::string& ca_path, std::string& error);

// initsrvtls(): can the server offer STARTTLS with these files (all set,
// absolute, the certificate and key loading and matching, the CA file
// loading)? Their safefile() checks are the caller's.
bool server_tls_usable(const std::string& cert, const std::string& key, const std::string& ca_file,
                       const std::string& ca_path);

} // namespace cfkit
