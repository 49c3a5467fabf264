// A dry run of sendmail's SMTP server (srvrsmtp.c) against a Config: the
// check rulesets run when and how the daemon runs them, with the macros it
// sets, and their results become the replies it would send. No sockets, no
// DNS: the client's address and the name-service answers are given; maps,
// $[ $] and the connect lookups ask engine/names/name_service.hpp about them.
#pragma once

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/smtp/sasl.hpp"
#include "engine/names/dns_records.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit {

// One check ruleset run: what went in, what came out, which rule decided.
struct CheckRun {
    std::string ruleset;
    std::string input;        // the text handed to the ruleset (A1 $| A2 shown as "$|")
    Tokens result;            // the final workspace
    bool defined = true;      // false: the ruleset does not exist and the check passes
    std::string outcome;      // "pass", "reject", "tempfail", "discard", "quarantine"
    // The first rule whose result began with $# (the one that decided),
    // and the rulesets active then, outermost first.
    std::optional<SourceLoc> deciding;
    std::string deciding_ruleset;
    int deciding_rule = 0;
    std::vector<std::string> messages;  // errors while the rules ran
};

struct SmtpReply {
    std::vector<std::string> lines;  // reply lines without CR LF
    std::vector<CheckRun> checks;    // rulesets run for this command
    bool closes = false;             // the server closed the connection after it
};

struct ClientInfo {
    std::string address = "192.0.2.1";  // IPv4 or IPv6
    int port = 0;
    bool talks_first = false;  // sends before the greeting: greet_pause's pause catches it
};

struct ServerSetup {
    DnsRecords dns;
    // The service switch's hosts line: the daemon differential runs
    // sendmail with "hosts files dns", so the hosts file answers first.
    std::vector<std::string> hosts_switch = {"files", "dns"};
    // The SASL mechanisms the server has plugins for; nullopt: look at the
    // installed Cyrus SASL plugins, as sendmail's library does.
    std::optional<std::vector<std::string>> sasl_mechs;
    std::string version = "8.17.1.9";  // $v and $Z
    std::string date;                  // $b; empty: now
    // The queue ids ($i, "Message accepted"): made of the time and the
    // process id, as assign_queueid() makes them; 0: now, this process.
    std::time_t now = 0;
    long pid = 0;
    // SASL accounts (--sasldb, `account` lines); none: AUTH is not checked
    SaslAccounts accounts;
    std::string tls_ca;  // --tls-ca: instead of the config's CACertFile
    // Ruleset runs remembered across sessions on this config (many sessions
    // in one process: cfkit test, cfkit replay); null: none.
    RewriteMemo* memo = nullptr;
};

class SmtpServer {
public:
    SmtpServer(const Config& cfg, ServerSetup setup);
    ~SmtpServer();
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    // The client connects: check_relay, then the greeting (or the 421 that
    // replaces it).
    SmtpReply connect(const ClientInfo& client);
    // One command line as the client sends it ("MAIL FROM:<a@b>").
    SmtpReply command(const std::string& line);
    // After a 354: the message lines (without the final "."); the reply
    // after the dot.
    SmtpReply message(const std::vector<std::string>& lines);
    // AUTH as if it had succeeded, without an exchange (a script's `auth`
    // when there are no accounts to check it against).
    SmtpReply authenticate(const std::string& user, const std::string& mech);
    bool checks_auth() const;  // there are accounts: AUTH is a real exchange
    // After "220 2.0.0 Ready to start TLS": the handshake with a client
    // that shows the certificate in `cert_pem` (none: empty), or, without a
    // certificate, with these {verify}, {cert_subject} ... values set as
    // given. tls_client runs; nothing is sent. False, with `error`, when
    // the certificate cannot be read.
    bool tls_handshake(const std::string& cert_pem, const std::map<std::string, std::string>& given,
                       std::string& error, SmtpReply& into);  // tls_client's check goes into `into`

    bool closed() const;
    bool in_data() const;  // the last command was a DATA answered with 354
    Session& session();

    // The state, opaque here: defined in server_state.hpp for server.cpp
    // and verbs.cpp (the table of SMTP verbs points at its handlers).
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace cfkit
