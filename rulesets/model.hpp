// What a policy means, computed directly from the Policy value: which
// check, if any, refuses a client, and the reply it gets. The generated
// rules are one implementation of the policy and this is another, written
// from the schema's words; the test cases take their expectations from
// here, and running them through `cfkit test` and the real daemon checks
// the rules against it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rulesets/policy.hpp"

namespace cfkit::gen {

// The exemptions that apply to a section at its stage, and those skipped
// there (AUTH and TLS at connect).
struct EffectiveExempt {
    Exempt set;
    bool own = false;                   // the section's own "exempt"
    std::vector<std::string> skipped;   // comments: what was left out and why
};
// `helo`: for the HELO section (name exemptions cannot apply to
// client_resolve: {client_name} is a literal whenever it is not OK).
EffectiveExempt effective_exempt(const Policy& p, const std::optional<Exempt>& own, Stage stage, bool helo);

// A section of the policy, in the order sendmail runs them: by stage, and
// at one stage client_resolve before helo.
struct SectionRef {
    bool helo;                         // false: client_resolve
    Stage stage;
    const std::optional<Exempt>* own;  // the section's own "exempt"
    Origin origin;                     // its stage entry
};
std::vector<SectionRef> sections_in_order(const Policy& p);

// One client, as far as the policy can see it.
struct Scenario {
    std::string addr;                 // {client_addr}: dotted quad, "IPv6:...", or "0" (sendmail -bs)
    std::string resolve = "OK";       // {client_resolve}
    std::string ptr;                  // the PTR name when resolve is OK (else {client_name} is [addr])
    std::string helo;                 // $s
    bool authenticated = false;       // {auth_authen} set
    std::string verify;               // {verify}
    std::string cert_issuer;          // {cert_issuer}, xtext
    std::vector<std::pair<std::string, std::string>> access;  // access map entries KEY VALUE
    std::string client_name() const { return resolve == "OK" && !ptr.empty() ? ptr : "[" + addr + "]"; }
};

// The server's classes that the checks use.
struct World {
    std::vector<std::string> class_w;  // our names and [addresses]
    std::vector<std::string> class_r;  // relay networks
};

struct Verdict {
    bool rejected = false;  // false: every check passes (or warn mode)
    Stage stage = Stage::Mail;
    std::string check;      // "helo unqualified", "client_resolve TEMP"
    int code = 0;
    std::string dsn;
    std::string text;       // the reply text, placeholders filled in
    std::string logged;     // warn mode: what would have been refused
};

Verdict evaluate(const Policy& p, const Scenario& s, const World& w);

// Whether the exemption set lets the client through (at `stage`).
bool exempt(const Exempt& e, const Scenario& s, const World& w);

// The reply line a refusal gets ("550 5.7.1 <who>... text"), as fmtmsg()
// writes it (format_reply(): the address only after some codes). `who`:
// the MAIL or RCPT argument, empty at connect.
std::string reply_line(const Verdict& v, const std::string& who);

// The text of a reply for a client, as sendmail joins it.
std::string fill(const Reply& r, const Scenario& s);

} // namespace cfkit::gen
