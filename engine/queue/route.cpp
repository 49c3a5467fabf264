// route_message(): parse_address() (rulesets 3 and 0) on every recipient,
// in a fresh session of the config each time, as each queue run starts
// from the config's state.
#include "engine/queue/route.hpp"

#include "engine/mail/address.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit::queue {

std::vector<Route> route_message(const Config& cfg, const Message& m) {
    std::vector<Route> out;
    for (const QfRecipient& r : m.qf.recipients) {
        Route x;
        x.recipient = r.address;
        Session s(cfg);
        CollectingReporter rep;
        s.reporter = &rep;
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
