// Session scripts: one command a line, for `cfkit session` and the case
// files of `cfkit test`.
//
//   connect ADDR [name=NAME] [port=N] [resolve=OK|FAIL|TEMP|FORGED]
//                                       the client, IPv4 or IPv6 (name=: PTR and A or AAAA records;
//                                       resolve=: the records that give that
//                                       {client_resolve}: FORGED points NAME elsewhere,
//                                       TEMP makes the PTR lookup fail for now)
//   dns NAME A IP | NAME AAAA IPv6 | NAME MX PREF HOST | ADDR PTR NAME | NAME TXT TEXT | NAME TEMP
//   helo X | ehlo X | mail <a> [params] | rcpt <a> [params] | data (lines, ".")
//   rset | noop | vrfy X | expn X | etrn X | help | quit | send RAW LINE
//   early RAW LINE                      right after connect: the client sends the
//                                       line before reading the greeting (greet_pause)
//   account USER PASSWORD               a SASL account (USER may be user@realm)
//   auth USER MECH [PASSWORD]           AUTH: PLAIN sends the initial response (one
//                                       reply), LOGIN answers both 334s (three), other
//                                       mechanisms send `AUTH MECH` alone; with no
//                                       accounts at all (no `account`, no --sasldb) it
//                                       only marks the session authenticated
//   starttls [cert=FILE.pem [key=FILE]]  STARTTLS and, after its 220, the handshake:
//                                       without a certificate ({verify} NO) or with
//                                       this one (verified against CACertFile/--tls-ca;
//                                       relative paths from the script's directory)
//   starttls verify=V [subject=S] [issuer=I] [cn_subject=C] [cn_issuer=C] [cert_md5=M]
//                                       (cfkit only) the handshake's macros as given
//   macro NAME VALUE | class NAME WORD | map NAME KEY VALUE   (cfkit only;
//                                       before connect they apply to check_relay)
//   expect CODE [TEXT] | expect /REGEX/ what the step before must answer
// `#` starts a comment line; blank lines are skipped (but not in data).
// Data lines are what the client sends: dot-stuffed by the script's author
// (a line ".." arrives as "."), and unstuffed as sendmail's collect() does.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "engine/names/dns_records.hpp"
#include "engine/text/diagnostic.hpp"

namespace cfkit {

struct Expectation {
    std::string code;                  // "550"; empty with a regex
    std::optional<std::string> text;   // the rest of the line after the code, exactly
    std::optional<std::string> regex;  // ECMAScript, searched in the whole reply
    std::shared_ptr<const std::regex> compiled;  // the regex, compiled
    int line = 0;
};

struct ScriptStep {
    enum class Kind { Connect, Smtp, Data, Auth, StartTls, Macro, Class, Map };
    Kind kind = Kind::Smtp;
    int line = 0;
    std::string smtp;                     // Smtp: the command line as sent
    std::vector<std::string> words;       // the script words (not kept for Smtp and Data steps)
    std::vector<std::string> body;        // Data: the message lines
    std::vector<Expectation> expect;      // checks on this step's reply
    bool early = false;                   // Smtp: sent before the greeting was read
    std::string cert;                     // StartTls: the client's certificate (a path)
    std::map<std::string, std::string> tls_macros;  // StartTls: verify=, subject= ... as given
};

struct SessionScript {
    std::string path;
    DnsRecords dns;
    std::vector<std::pair<std::string, std::string>> accounts;  // `account USER PASSWORD`
    std::vector<ScriptStep> steps;
    bool cfkit_only = false;  // uses macro/class/map/auth, which a real daemon cannot be given
};

// Parses `text`; problems go to `errors` with file:line. false if any.
bool parse_session_script(const std::string& text, const std::string& path, SessionScript& out,
                          std::vector<Diagnostic>& errors);

} // namespace cfkit
