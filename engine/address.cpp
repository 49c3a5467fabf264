#include "engine/address.hpp"

#include "engine/metachar.hpp"
#include "engine/render.hpp"
#include "engine/rewrite.hpp"
#include "engine/smtp_reply.hpp"
#include "engine/symbols.hpp"

namespace cfkit {

namespace {

constexpr int kExTempfail = 75;

bool has_flag(const Mailer* m, char f) { return m && m->flags.find(f) != std::string::npos; }

std::size_t find_meta(const Tokens& ws, std::size_t from, int meta_char) {
    while (from < ws.size() && meta::first(ws[from]) != meta_char) ++from;
    return from;
}

// Collects what the rules report while an address is rewritten.
class Collect : public Reporter {
public:
    std::vector<AddressError>* out = nullptr;
    std::string to;
    void report(Diagnostic d) override {
        if (d.emit == Emit::Syserr) out->push_back({"554 5.3.0 " + d.message, "", true});
        else if (d.emit == Emit::Usrerr) out->push_back({d.message, to, false});
    }
};

} // namespace

ErrorReply error_result_reply(Session& s, const Tokens& ws, const std::string& to) {
    std::size_t i = 2;
    bool has_host = false;
    std::size_t host_first = 0;
    if (i < ws.size() && meta::first(ws[i]) == meta::CANONHOST) {
        has_host = true;
        host_first = ++i;
    }
    i = find_meta(ws, i, meta::CANONUSER);
    if (i >= ws.size()) return error_mailer_reply(false, "", false, "", to, soft_bounce(s.config()));
    std::string host;
    if (has_host && i > host_first) host = join_tokens(s, ws, host_first, i - 1, '\0', true);
    else has_host = false;
    std::string user = join_tokens(s, ws, i + 1, std::string::npos, ' ', false);
    return error_mailer_reply(has_host, host, true, user, to, soft_bounce(s.config()));
}

bool soft_bounce(const Config& cfg) {
    auto it = cfg.options.raw.find("SoftBounce");
    if (it == cfg.options.raw.end()) return false;
    std::string v = ascii_lower(it->second);
    return v.empty() || v == "true" || v == "t" || v == "yes" || v == "y";
}

std::string join_tokens(Session& s, const Tokens& t, std::size_t first, std::size_t last, int spacesub,
                        bool external) {
    if (first >= t.size()) return std::string();
    return cataddr(t, first, last, limits::kMaxName + 1 + 2, spacesub, external, s.tables().internal,
                   s.config().options.blank_sub);
}

bool same_address(const Address& a, const Address& b) {
    if (a.mailer != b.mailer || a.mailer == nullptr) return false;
    if (a.user != b.user) return false;
    return a.host == b.host;
}

ParsedAddress parse_address(Session& s, const std::string& text, int delim, unsigned flags, bool isrcpt) {
    (void)isrcpt;
    ParsedAddress out;
    ScanOptions so;
    so.delim = delim;
    so.bufsize = limits::kPsBufSize;
    so.eight_bit_ok = s.config().options.eight_bit_ok;
    ScanResult sr = prescan(text, s.tables().external, so);
    out.end = sr.delim_pos;
    // e->e_to is the whole text until the address is copied
    for (const std::string& r : sr.replies) out.errors.push_back({r, text, false});
    if (!sr.ok) return out;
    std::string paddr = text.substr(0, sr.delim_pos);
    if (paddr.size() > static_cast<std::size_t>(limits::kMaxName - 1)) {  // invalidaddr()
        out.errors.push_back({"553 5.1.0 Address \"" + paddr.substr(0, limits::kMaxName - 1) +
                                  "\" too long (" + std::to_string(limits::kMaxName - 1) + " bytes max)",
                              text, false});
        return out;
    }

    std::vector<AddressError> rule_errors;
    Collect col;
    col.out = &rule_errors;
    col.to = paddr;
    Reporter* saved = s.reporter;
    s.reporter = &col;
    Tokens ws = sr.tokens;
    if (rewrite(s, ws, 3) == kExTempfail) out.tempfail = true;
    if (rewrite(s, ws, 0) == kExTempfail) out.tempfail = true;

    Address a;
    a.paddr = paddr;
    // buildaddr()
    auto bad = [&](const std::string& msg) {
        if (!msg.empty()) rule_errors.push_back({msg, paddr, true});
        a.state = out.tempfail ? Address::State::QueueUp : Address::State::BadAddr;
        a.mailer = nullptr;
    };
    std::size_t user_at = 0, host_first = 0;
    bool has_host = false;
    if (ws.empty() || meta::first(ws[0]) != meta::CANONNET) {
        bad("554 5.3.5 buildaddr: no mailer in parsed address");
    } else {
        a.mailer_name = ws.size() > 1 ? ws[1] : std::string();
        std::size_t i = 2;
        if (i < ws.size() && meta::first(ws[i]) == meta::CANONHOST) {
            has_host = true;
            host_first = ++i;
        }
        user_at = find_meta(ws, i, meta::CANONUSER);
        if (user_at >= ws.size()) {
            bad("554 5.3.5 buildaddr: no user");
        } else if (ascii_lower(a.mailer_name) == "error") {
            ErrorReply er = error_result_reply(s, ws, paddr);
            rule_errors.push_back({er.line, "", false, true});
            if (er.tempfail) out.tempfail = true;
            if (has_host && user_at > host_first) {
                a.host = join_tokens(s, ws, host_first, user_at - 1, '\0', true);
                a.has_host = true;
            }
            a.user = join_tokens(s, ws, user_at + 1, std::string::npos, ' ', false);
            bad("");
        } else {
            const Mailer* m = s.config().find_mailer(a.mailer_name);
            if (has_host && user_at == host_first) has_host = false;
            if (!m) {
                bad("554 5.3.5 buildaddr: unknown mailer " + a.mailer_name);
            } else if (!has_host && !has_flag(m, 'l')) {
                bad("554 5.3.5 buildaddr: no host");
            } else {
                a.mailer = m;
                if (has_host) {
                    a.host = join_tokens(s, ws, host_first, user_at - 1, '\0', true);
                    a.has_host = true;
                }
                Tokens user(ws.begin() + static_cast<long>(user_at) + 1, ws.end());
                std::string ubuf = join_tokens(s, user, 0, std::string::npos, ' ', false);
                bool special = false;
                if (has_flag(m, '@') && !ubuf.empty() && ubuf[0] == '@') {
                    ubuf.erase(0, 1);
                    if (!user.empty()) user.erase(user.begin());
                }
                std::string p = !ubuf.empty() && ubuf[0] == '"' ? ubuf.substr(1) : ubuf;
                if (!p.empty() && p[0] == '|' && has_flag(m, '|')) {
                    if (const Mailer* pm = s.config().find_mailer("prog")) a.mailer = pm;
                } else if (!p.empty() && p[0] == '/' && has_flag(m, '/')) {
                    if (const Mailer* fm = s.config().find_mailer("*file*")) a.mailer = fm;
                } else if (!p.empty() && p[0] == ':' && has_flag(m, ':')) {
                    std::string sq;
                    for (char c : ubuf)
                        if (c != '"') sq += c;
                    if (ascii_lower(sq.substr(0, 9)) == ":include:") {
                        if (const Mailer* im = s.config().find_mailer("*include*")) a.mailer = im;
                        a.user = sq.substr(9);
                        special = true;
                    }
                }
                if (!special) {
                    m = a.mailer ? a.mailer : m;
                    s.env.macros.set(static_cast<MacroId>('h'), a.host);
                    if (!(flags & (kSenderAddress | kHeaderAddress)) || s.config().config_level >= 10) {
                        rewrite(s, user, 2, 0, limits::kMaxAtom - 3);
                        if (m->re_rwset > 0) rewrite(s, user, m->re_rwset, 0, limits::kMaxAtom - 3);
                    }
                    rewrite(s, user, 4, 0, limits::kMaxAtom - 3);
                    a.user = join_tokens(s, user, 0, std::string::npos, '\0', true);
                    if (!has_flag(m, 'h')) a.host = ascii_lower(a.host);
                    if (!has_flag(m, 'u')) a.user = ascii_lower(a.user);
                }
                for (char c : a.user)
                    if (c == '\\') a.quoted = true;
            }
        }
    }
    s.reporter = saved;
    out.errors.insert(out.errors.end(), rule_errors.begin(), rule_errors.end());
    if (out.tempfail && a.state == Address::State::Ok) a.state = Address::State::QueueUp;
    out.address = a;
    return out;
}

} // namespace cfkit
