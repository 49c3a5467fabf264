// SMTP AUTH as srvrsmtp.c runs it with Cyrus SASL: which mechanisms EHLO
// lists, the AUTH command's checks and replies, and the PLAIN, LOGIN and
// CRAM-MD5 exchanges checked against the accounts (a sasldb or the
// script's). With no accounts at all, the script's `auth` line only marks
// the session authenticated (SmtpServer::authenticate()).
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include "engine/smtp/sasl.hpp"
#include "engine/smtp/server_state.hpp"

namespace cfkit {

namespace {

// The mechanisms AuthOptions leaves the library offering: `p` no
// plain-text ones until TLS is on, `y` no ANONYMOUS, `a` and `f` none,
// `c` only the plain-text ones, `d` only SCRAM, `m` SCRAM and DIGEST-MD5.
bool allowed(const std::string& mech, const std::vector<std::string>& auth_options, bool tls) {
    bool plain = mech == "PLAIN" || mech == "LOGIN";
    bool scram = mech.compare(0, 6, "SCRAM-") == 0;
    for (const std::string& w : auth_options) {
        switch (w[0]) {
        case 'p': if (plain && !tls) return false; break;
        case 'y': if (mech == "ANONYMOUS") return false; break;
        case 'a': case 'f': return false;
        case 'c': if (!plain) return false; break;
        case 'd': if (!scram) return false; break;
        case 'm': if (!scram && mech != "DIGEST-MD5") return false; break;
        default: break;
        }
    }
    return true;
}

std::string hex(const unsigned char* p, std::size_t n) {
    std::string out;
    char b[3];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        out += b;
    }
    return out;
}

// isspace() at both ends, as Cyrus trims an authentication id.
std::string trim_space(const std::string& s) {
    const char* ws = " \t\n\v\f\r";
    std::size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

} // namespace

// The SASL server's realm: AuthRealm, else $j.
std::string SmtpServer::Impl::sasl_realm() {
    std::string r = option("AuthRealm");
    return r.empty() ? macro("j") : r;
}

SmtpServer::Impl::MechList SmtpServer::Impl::auth_mechanisms() {
    MechList m;
    std::vector<std::string> lib = setup.sasl_mechs ? *setup.sasl_mechs : installed_sasl_mechs();
    std::vector<std::string> opts = split_words_on(option("AuthOptions"), ", \t");
    lib.erase(std::remove_if(lib.begin(), lib.end(), [&](const std::string& x) { return !allowed(x, opts, tls_active); }),
              lib.end());
    // EXTERNAL: once a client certificate verified (its subject is the id)
    if (tls_active && macro("verify") == "OK") {
        auto at = std::find(lib.begin(), lib.end(), "CRAM-MD5");
        lib.insert(at, "EXTERNAL");
    }
    m.library = lib.size();
    std::string want = option("AuthMechanisms");
    if (want.empty()) want = "EXTERNAL GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5";
    // intersect(): AuthMechanisms' order and spelling, words split at blanks only
    for (const std::string& w : split_words_on(want, " ")) {
        std::string u = ascii_upper(w);
        if (std::find(lib.begin(), lib.end(), u) != lib.end()) m.printed.push_back(w);
    }
    return m;
}

void SmtpServer::Impl::on_auth(const SmtpCommand& c, SmtpReply&) {
    MechList m = auth_mechanisms();
    if (m.library == 0) return error("503 5.3.3 AUTH not available");
    if (authenticated) return error("503 5.5.0 Already Authenticated");
    if (gotmail) return error("503 5.5.0 AUTH not permitted during a mail transaction");
    std::size_t end = c.arg.find_first_of(" \t");
    std::string mech = c.arg.substr(0, end);
    if (mech.empty()) return error("501 5.5.2 AUTH mechanism must be specified");
    bool listed = false;
    for (const std::string& p : m.printed) listed = listed || ascii_iequal(p, mech);
    if (!listed) return error("504 5.3.3 AUTH mechanism " + mech.substr(0, 32) + " not available");
    std::optional<std::string> initial;
    std::size_t rest = end == std::string::npos ? end : c.arg.find_first_not_of(" \t", end);
    if (rest != std::string::npos) {
        std::string text = c.arg.substr(rest);
        std::optional<std::string> d = text == "=" ? std::optional<std::string>("") : sasl_decode64(text);
        if (!d) return error("501 5.5.4 cannot BASE64 decode '" + text + "'");
        initial = d;
    }
    sasl = SaslExchange{mech, 0, "", ""};
    // a mechanism whose server speaks first takes no initial response
    if (initial && ascii_iequal(mech, "CRAM-MD5")) {
        sasl.reset();
        return error("535 5.7.0 authentication failed");
    }
    sasl_step(initial);
}

// A line while the exchange waits: "*" cancels, anything else is base64.
void SmtpServer::Impl::sasl_response(const std::string& line) {
    if (line == "*") {
        sasl.reset();
        return error("501 5.0.0 AUTH aborted");
    }
    std::optional<std::string> d = sasl_decode64(line);
    if (!d) {
        sasl.reset();
        return error("501 5.5.4 cannot decode AUTH parameter " + line);
    }
    sasl_step(d);
}

void SmtpServer::Impl::sasl_step(const std::optional<std::string>& input) {
    SaslExchange& x = *sasl;
    std::string mech = ascii_upper(x.mech);
    if (mech == "PLAIN") {
        if (!input) return say("334 ");
        // [authzid] NUL authcid NUL password; the authzid is not checked
        // (sendmail's proxy policy allows any)
        std::size_t a = input->find('\0');
        std::size_t b = a == std::string::npos ? a : input->find('\0', a + 1);
        if (b == std::string::npos || input->find('\0', b + 1) != std::string::npos)
            return auth_done("", "");
        return auth_done(input->substr(a + 1, b - a - 1), input->substr(b + 1));
    }
    if (mech == "LOGIN") {
        if (x.step == 0 && (!input || input->empty())) {  // also "AUTH LOGIN ="
            x.step = 1;
            return say("334 VXNlcm5hbWU6");  // "Username:"
        }
        if (x.step <= 1) {
            x.user = input ? *input : std::string();
            x.step = 2;
            return say("334 UGFzc3dvcmQ6");  // "Password:"
        }
        return auth_done(x.user, input ? *input : std::string());
    }
    if (mech == "CRAM-MD5" && x.step == 0) {
        // the challenge: a random number, the time and the realm
        char buf[160];
        std::snprintf(buf, sizeof buf, "<%ld.%ld@%s>", static_cast<long>(getpid()) * 7919L % 1000000007L,
                      static_cast<long>(std::time(nullptr)), ascii_lower(sasl_realm()).c_str());
        x.challenge = buf;
        x.step = 1;
        return say("334 " + base64_encode(x.challenge));
    }
    if (mech == "CRAM-MD5") {
        // "user hex(HMAC-MD5(password, challenge))": the password is the
        // account's, so every account is tried for the user named
        std::string resp = input ? *input : std::string();
        std::size_t sp = resp.rfind(' ');
        std::string user = sp == std::string::npos ? resp : resp.substr(0, sp);
        std::string digest = sp == std::string::npos ? std::string() : resp.substr(sp + 1);
        std::optional<std::string> pw = setup.accounts.password_of(trim_space(user), sasl_realm());
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        bool ok = pw && HMAC(EVP_md5(), pw->data(), static_cast<int>(pw->size()),
                             reinterpret_cast<const unsigned char*>(x.challenge.data()), x.challenge.size(), md,
                             &len) && hex(md, len) == digest;
        return ok ? auth_done(user, *pw) : auth_done("", "");
    }
    // DIGEST-MD5, SCRAM and the others: the exchange is not modelled (see
    // the README); a challenge of cfkit's, and the answer fails
    if (x.step == 0) {
        x.step = 1;
        return say("334 " + base64_encode("cfkit: " + ascii_upper(x.mech) + " is not modelled"));
    }
    sasl.reset();
    error("535 5.7.0 authentication failed");
}

void SmtpServer::Impl::auth_done(const std::string& authcid_in, const std::string& password) {
    std::string mech = sasl->mech;
    sasl.reset();
    std::string authcid = trim_space(authcid_in);  // as Cyrus canonicalises it
    if (authcid.empty() || !setup.accounts.check(authcid, sasl_realm(), password))
        return error("535 5.7.0 authentication failed");
    authenticated = true;
    define("auth_type", mech);
    define("auth_authen", xtextify(authcid, "=<>\")"));
    define("auth_ssf", "0");
    protocol = tls_active ? "ESMTPSA" : "ESMTPA";
    say("235 2.0.0 OK Authenticated");
}

} // namespace cfkit
