// route_message(): parse_address() (rulesets 3 and 0) on every recipient,
// in a fresh session of the config each time, as each queue run starts
// from the config's state.
#include "engine/queue/route.hpp"

#include "engine/mail/address.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit::queue {

namespace {

// readqf() defines the file's `$` macros ("$_root@localhost",
// "${daemon_flags}c u") as it reads them, before the R lines.
void define_qf_macros(Session& s, const QueueFile& qf) {
    for (const QfLine& l : qf.lines) {
        if (l.letter != '$' || l.text.empty()) continue;
        const std::string& t = l.text;
        if (t[0] == '{') {
            const std::size_t close = t.find('}');
            if (close == std::string::npos) continue;
            if (auto id = s.env.names.intern(t.substr(1, close - 1))) s.env.macros.set(*id, t.substr(close + 1));
        } else {
            s.env.macros.set(static_cast<MacroId>(static_cast<unsigned char>(t[0])), t.substr(1));
        }
    }
}

}  // namespace

std::vector<Route> route_message(const Config& cfg, const Message& m) {
    std::vector<Route> out;
    for (const QfRecipient& r : m.qf.recipients) {
        Route x;
        x.recipient = r.address;
        Session s(cfg);
        CollectingReporter rep;
        s.reporter = &rep;
        define_qf_macros(s, m.qf);
        // ...and {addr_type} for each R line: "e b" for an internal Bcc, else "e r"
        if (auto id = s.env.names.intern("addr_type"))
            s.env.macros.set(*id, r.flags.find('B') != std::string::npos ? "e b" : "e r");
        ParsedAddress pa = parse_address(s, r.address, '\0', 0, true);
        x.tempfail = pa.tempfail;
        if (pa.address) {
            const Address& a = *pa.address;
            x.mailer = a.mailer_name;
            x.host = a.host;
            x.has_host = a.has_host;
            x.user = a.user;
            x.error = a.mailer == nullptr || a.mailer_name == "error" || a.state == Address::State::BadAddr;
        } else {
            x.error = true;
        }
        for (const AddressError& e : pa.errors) {
            if (!x.message.empty()) x.message += "; ";
            x.message += e.text;
        }
        if (x.message.empty() && x.error && !x.user.empty()) x.message = x.user;
        for (const Diagnostic& d : rep.diagnostics) {
            if (!x.message.empty()) x.message += "; ";
            x.message += d.message;
        }
        out.push_back(std::move(x));
    }
    return out;
}

}  // namespace cfkit::queue
