#include "engine/smtp/tls_peer.hpp"

#include <sys/stat.h>

#include <map>
#include <mutex>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/names/safefile.hpp"
#include "engine/smtp/sasl.hpp"

namespace cfkit {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr read_cert(const std::string& path) {
    File f(std::fopen(path.c_str(), "r"));
    return X509Ptr(f ? PEM_read_X509(f.get(), nullptr, nullptr, nullptr) : nullptr, &X509_free);
}

// The taboo characters of the certificate macros' xtext.
const char kCertTaboo[] = "<>\")";

std::string oneline(X509_NAME* name) {
    char buf[256];
    return X509_NAME_oneline(name, buf, sizeof buf) ? xtextify(buf, kCertTaboo) : std::string();
}

// {cn_subject}/{cn_issuer}: the common name, or sendmail's words for one
// it cannot use.
std::string common_name(X509_NAME* name) {
    char buf[256];
    int r = X509_NAME_get_text_by_NID(name, NID_commonName, buf, sizeof buf);
    if (r == -1) return "BadCertificateUnknown";
    if (r >= static_cast<int>(sizeof buf) - 1) return "BadCertificateTooLong";
    if (static_cast<std::size_t>(r) > std::strlen(buf)) return "BadCertificateContainsNUL";
    return xtextify(buf, kCertTaboo);
}

std::string md5_fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!X509_digest(cert, EVP_md5(), md, &n)) return std::string();
    std::string out;
    char b[4];
    for (unsigned i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, i ? ":%02X" : "%02X", md[i]);
        out += b;
    }
    return out;
}

bool verifies(X509* cert, const std::string& ca_file, const std::string& ca_path) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
    if (!store) return false;
    const char* file = ca_file.empty() ? nullptr : ca_file.c_str();
    const char* path = ca_path.empty() ? nullptr : ca_path.c_str();
    if ((file || path) && !X509_STORE_load_locations(store.get(), file, path)) {
        ERR_clear_error();
        return false;
    }
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
    if (!ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr)) return false;
    // the server side of a handshake checks a TLS client's certificate
    X509_STORE_CTX_set_default(ctx.get(), "ssl_client");
    bool ok = X509_verify_cert(ctx.get()) == 1;
    ERR_clear_error();
    return ok;
}

} // namespace

TlsPeer tls_peer_without_cert(bool cert_requested) {
    TlsPeer p;
    p.macros["cipher"] = "TLS_AES_256_GCM_SHA384";
    p.macros["cipher_bits"] = "256";
    p.macros["alg_bits"] = "256";
    p.macros["tls_version"] = "TLSv1.3";
    p.macros["verify"] = cert_requested ? "NO" : "NOT";
    for (const char* m : {"cert_subject", "cert_issuer", "cn_subject", "cn_issuer", "cert_md5"}) p.macros[m] = "";
    return p;
}

std::optional<TlsPeer> tls_peer_with_cert(const std::string& cert_pem, const std::string& ca_file,
                                          const std::string& ca_path, std::string& error) {
    X509Ptr cert = read_cert(cert_pem);
    if (!cert) {
        error = "no PEM certificate in " + cert_pem;
        ERR_clear_error();
        return std::nullopt;
    }
    TlsPeer p = tls_peer_without_cert(true);
    p.macros["verify"] = verifies(cert.get(), ca_file, ca_path) ? "OK" : "FAIL";
    p.macros["cert_subject"] = oneline(X509_get_subject_name(cert.get()));
    p.macros["cert_issuer"] = oneline(X509_get_issuer_name(cert.get()));
    p.macros["cn_subject"] = common_name(X509_get_subject_name(cert.get()));
    p.macros["cn_issuer"] = common_name(X509_get_issuer_name(cert.get()));
    p.macros["cert_md5"] = md5_fingerprint(cert.get());
    return p;
}

namespace {

// A file's identity and version, for the cache below ("-" when missing).
std::string file_signature(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return "-";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtime) + ":" + std::to_string(st.st_mtim.tv_nsec);
}

bool load_server_tls(const std::string& cert, const std::string& key, const std::string& ca_file,
                     const std::string& ca_path);

}  // namespace

// The daemon loads its certificate, key and CAs once, at start-up
// (inittls()); a run of many sessions (cfkit test, replay) does the same:
// the answer is kept while the four files stay as they were.
bool server_tls_usable(const std::string& cert, const std::string& key, const std::string& ca_file,
                       const std::string& ca_path) {
    for (const std::string* f : {&cert, &key, &ca_file, &ca_path})
        if (f->empty() || (*f)[0] != '/') return false;
    static std::mutex lock;
    static std::map<std::string, bool> known;
    std::string k;
    // (while file checks are remembered, safefile.hpp, the files are taken as unchanged)
    const bool unchanged = remembering_file_checks();
    for (const std::string* f : {&cert, &key, &ca_file, &ca_path})
        k += *f + "\n" + (unchanged ? std::string() : file_signature(*f)) + "\n";
    std::lock_guard<std::mutex> hold(lock);
    auto it = known.find(k);
    if (it != known.end()) return it->second;
    const bool ok = load_server_tls(cert, key, ca_file, ca_path);
    known.emplace(std::move(k), ok);
    return ok;
}

namespace {

bool load_server_tls(const std::string& cert, const std::string& key, const std::string& ca_file,
                     const std::string& ca_path) {
    X509Ptr c = read_cert(cert);
    File kf(std::fopen(key.c_str(), "r"));
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
        kf ? PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr) : nullptr, &EVP_PKEY_free);
    bool ok = c && k && X509_check_private_key(c.get(), k.get()) == 1;
    if (ok) {
        std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
        ok = store && X509_STORE_load_locations(store.get(), ca_file.c_str(), ca_path.c_str()) == 1;
    }
    ERR_clear_error();
    return ok;
}

}  // namespace

} // namespace cfkit
