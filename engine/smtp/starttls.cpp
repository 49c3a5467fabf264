// STARTTLS as srvrsmtp.c answers it: offered when the server's certificate,
// key and CAs load (initsrvtls()), refused after it has started, in a
// transaction or with an argument; after the handshake the certificate
// macros are set and tls_client runs, its error (if any) becoming the
// answer to what the client sends next.
#include <cctype>

#include "engine/names/safefile.hpp"
#include "engine/smtp/server_state.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {

bool SmtpServer::Impl::tls_offered() {
    if (tls_active) return false;
    if (!tls_usable) {
        std::string ca = setup.tls_ca.empty() ? option("CACertFile") : setup.tls_ca;
        std::string cert = option("ServerCertFile"), key = option("ServerKeyFile"), ca_path = option("CACertPath");
        const DontBlame& dbs = cfg.options.dont_blame;
        // inittls(): each file must pass safefile() before it is loaded
        bool safe = true;
        for (const auto& [file, is_key] : {std::pair<const std::string&, bool>{cert, false}, {key, true}, {ca, false}})
            safe = safe && !file.empty() &&
                   safefile(file, FileUser::root(), tls_file_flags(dbs, is_key), dbs, false).error == 0;
        tls_usable = safe && server_tls_usable(cert, key, ca, ca_path);
    }
    return *tls_usable;
}

void SmtpServer::Impl::on_starttls(const SmtpCommand& c, SmtpReply&) {
    if (!c.arg.empty()) return error("501 5.5.2 Syntax error (no parameters allowed)");
    if (!tls_offered()) return error("454 4.3.3 TLS not available after start");
    if (gotmail) return error("503 5.5.0 TLS not permitted during a mail transaction");
    say("220 2.0.0 Ready to start TLS");
}

void SmtpServer::Impl::tls_done(const TlsPeer& peer) {
    for (const auto& [name, value] : peer.macros) define(name, value);
    tls_active = true;
    first_command = true;  // the open-proxy check again
    // tls_client "$&{verify} $| STARTTLS", its errors not sent now: an
    // error is the reply to most commands from now on
    CheckRun run;
    std::optional<Tokens> ws = run_ruleset("tls_client", macro("verify"), std::string("STARTTLS"), true, run);
    cur->checks.push_back(std::move(run));
    if (ws && ws->size() >= 2 && meta::first((*ws)[0]) == meta::CANONNET && (*ws)[1] == "error") {
        ErrorReply er = error_result_reply(s, *ws, "");
        nullserver = er.line.size() >= 4 && std::isdigit(static_cast<unsigned char>(er.line[0]))
                         ? er.line
                         : std::string("503 5.7.0 Authentication required.");
    }
}

bool SmtpServer::tls_handshake(const std::string& cert_pem, const std::map<std::string, std::string>& given,
                               std::string& error, SmtpReply& into) {
    Impl& d = *impl_;
    SmtpReply r;
    d.begin(r);
    // TLSSrvOptions V: the server asks for no certificate ({verify} NOT)
    const bool ask = d.option("TLSSrvOptions").find('V') == std::string::npos;
    TlsPeer peer = tls_peer_without_cert(ask);
    if (ask && !cert_pem.empty()) {
        std::string ca = d.setup.tls_ca.empty() ? d.option("CACertFile") : d.setup.tls_ca;
        std::optional<TlsPeer> p = tls_peer_with_cert(cert_pem, ca, d.option("CACertPath"), error);
        if (!p) return false;
        peer = *p;
    }
    for (const auto& [name, value] : given) peer.macros[name] = value;
    d.tls_done(peer);
    into.checks.insert(into.checks.end(), r.checks.begin(), r.checks.end());  // tls_client's run
    return true;
}

} // namespace cfkit
