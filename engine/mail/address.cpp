#include "engine/mail/address.hpp"

#include "engine/mail/crackaddr.hpp"
#include "engine/mail/reply.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {

constexpr int kExTempfail = 75;

bool has_flag(const Mailer* m, char f) { return m && m->flags.find(f) != std::string::npos; }

// Collects what the rules report while an address is rewritten.
class Collect : public Reporter {
public:
    std::vector<AddressError>* out = nullptr;
    Reporter* live = nullptr;
    std::string to;
    void report(Diagnostic d) override {
        if (std::optional<AddressError> e = rule_error(d, to)) out->push_back(std::move(*e));
        if (live) live->report(std::move(d));
    }
};

// shorten_rfc822_string(): cut to `length` bytes but keep quotes and
// comments balanced (closing them within the length).
std::string shorten_rfc822(std::string s, std::size_t length) {
    if (length == 0 || s.size() < length) length = s.size();
    bool backslash = false, quoted = false;
    int parens = 0;
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        if (backslash) {
            backslash = false;
        } else {
            if (s[i] == '\\') backslash = true;
            else if (s[i] == '(' && !quoted) ++parens;
            else if (s[i] == ')' && --parens < 0) parens = 0;
            if (parens <= 0 && s[i] == '"') quoted = !quoted;
        }
        if (length - i <= static_cast<std::size_t>((backslash ? 1 : 0) + parens + (quoted ? 1 : 0))) {
            if (s[i] == '\\') backslash = false;
            else if (s[i] == '(' && !quoted) --parens;
            else if (s[i] == '"' && parens == 0) quoted = false;
            break;
        }
    }
    std::string out = s.substr(0, i);
    while (parens-- > 0) out += ')';
    if (quoted) out += '"';
    return out;
}

// hasctrlchar(): control bytes outside quotes, 8-bit bytes in sendmail's
// meta range, a trailing backslash, an open quote, or too long. Bad bytes
// become '?' in `addr`; with `complain` the message comes back in `msg`.
// Returns whether anything was wrong; `eight_bit` says an 8-bit byte was.
bool has_ctrl_char(std::string& addr, bool isrcpt, bool eight_bit_ok, bool complain, std::string& msg,
                   bool& eight_bit) {
    const char* result = nullptr;
    bool quoted = false;
    for (std::size_t i = 0, xlen = 0; i < addr.size(); ++i) {
        if (++xlen > static_cast<std::size_t>(limits::kMaxName - 1)) {
            if (complain) {
                msg = "553 5.1.0 Address \"" + shorten_rfc822(addr, limits::kMaxName - 1) + "\" too long (" +
                      std::to_string(limits::kMaxName - 1) + " bytes max)";
                return true;
            }
            result = "too long";
        }
        unsigned char c = static_cast<unsigned char>(addr[i]);
        if (!quoted && (c < 32 || c == 127)) {
            result = "non-printable character";
            addr[i] = '?';
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
        } else if (c == '\\') {
            if (i + 1 >= addr.size()) {
                result = "trailing \\ character";
                addr[i] = '?';
                break;
            }
            c = static_cast<unsigned char>(addr[++i]);  // the escaped byte: only the 8-bit check
        }
        if (!eight_bit_ok && (c & 0xE0) == 0x80) {
            eight_bit = true;
            result = "8-bit character";
            addr[i] = '?';
            continue;
        }
    }
    if (quoted) result = "unbalanced quote";
    if (result && complain)
        msg = std::string(isrcpt ? "501 5.1.3" : "501 5.1.7") + " Syntax error in mailbox address \"" + addr +
              "\" (" + result + ")";
    return result != nullptr;
}

} // namespace

std::size_t find_meta(const Tokens& ws, std::size_t from, int meta_char) {
    while (from < ws.size() && meta::first(ws[from]) != meta_char) ++from;
    return from;
}

CrackOptions crack_options(const Config& cfg) {
    CrackOptions o;
    auto mq = cfg.options.raw.find("MustQuoteChars");
    // a value too long is ignored, but the option is still set: the base alone
    if (mq != cfg.options.raw.end())
        o.must_quote = "@,;:\\()[]" + (mq->second.size() < limits::kMustQuoteMax ? mq->second : std::string());
    auto co = cfg.options.raw.find("ColonOkInAddr");
    if (co != cfg.options.raw.end()) {
        std::string v = ascii_lower(co->second);
        o.colon_ok = v.empty() || v[0] == 't' || v[0] == 'y';
    } else {
        o.colon_ok = cfg.config_level < 6;
    }
    return o;
}

std::string remote_name(Session& s, const std::string& name, const Mailer& m, unsigned flags, int& status) {
    bool sender = flags & kSenderAddress, header = flags & kHeaderAddress;
    int rwset = sender ? (header ? m.sh_rwset : m.se_rwset) : (header ? m.rh_rwset : m.re_rwset);
    if (rwset < 0) return name;
    if (auto id = s.env.names.intern("addr_type"))
        s.env.macros.set(*id, std::string(header ? "h" : "e") + " " + (sender ? "s" : "r"));
    std::string fancy = m.flags.find('c') != std::string::npos ? std::string("\x81g")
                                                               : crackaddr(name, crack_options(s.config()));
    ScanOptions so;
    ScanResult sr = prescan(name, s.tables().external, so);
    for (const std::string& e : sr.errors) s.reporter->usrerr(e);
    // "Address too long" also cut the caller's string to MAXNAME bytes
    if (!sr.ok) return sr.truncated_input && name.size() > limits::kMaxName ? name.substr(0, limits::kMaxName) : name;
    // (the rulesets on token ids: texts again only at the end)
    IdTokens ids = intern_tokens(sr.tokens);
    if (rewrite(s, ids, 3) == kExTempfail) status = kExTempfail;
    if (rewrite(s, ids, sender ? 1 : 2) == kExTempfail) status = kExTempfail;
    if (rwset > 0 && rewrite(s, ids, rwset) == kExTempfail) status = kExTempfail;
    if (rewrite(s, ids, 4) == kExTempfail) status = kExTempfail;
    Tokens ws = token_texts(ids);
    std::string g = join_tokens(s, ws, 0, std::string::npos, '\0', false, kLbufSize);
    MacroId gid = static_cast<MacroId>('g');
    std::optional<std::string> old;
    if (const std::string* v = s.env.macros.get(gid)) old = *v;
    s.env.macros.set(gid, g);
    std::string out = expand(fancy, s.env, *s.reporter, limits::kMaxName + 1);
    if (old) s.env.macros.set(gid, *old);
    else s.env.macros.unset(gid);
    return out;
}

std::string join_tokens(Session& s, const Tokens& t, std::size_t first, std::size_t last, int spacesub,
                        bool external, int bufsize) {
    if (first >= t.size()) return std::string();
    return cataddr(t, first, last, bufsize, spacesub, external, s.tables().internal,
                   s.config().options.blank_sub);
}

bool same_address(const Address& a, const Address& b) {
    if (a.mailer != b.mailer || a.mailer == nullptr) return false;
    if (a.user != b.user) return false;
    return a.host == b.host;
}

ParsedAddress parse_address(Session& s, const std::string& text, int delim, unsigned flags, bool isrcpt,
                            Reporter* live) {
    ParsedAddress out;
    ScanOptions so;
    so.delim = delim;
    so.bufsize = limits::kPsBufSize;
    so.eight_bit_ok = s.config().options.eight_bit_ok;
    ScanResult sr = prescan(text, s.tables().external, so);
    out.end = sr.delim_pos;
    out.to = text;
    // e->e_to is the whole text until the address is copied
    for (const std::string& r : sr.replies) out.errors.push_back({r, text, false});
    if (live)
        for (const std::string& e : sr.errors) live->usrerr(e);
    auto issue = [&](const AddressError& e) {
        out.errors.push_back(e);
        if (!live) return;
        if (e.syserr) live->syserr(bt_text(e));
        else live->usrerr(bt_text(e));
    };
    if (!sr.ok) return out;
    std::string paddr = text.substr(0, sr.delim_pos);
    // invalidaddr(): too long, or bytes 0x80-0x9f (sendmail's meta range)
    bool bad8 = false;
    for (std::size_t i = 0; i < paddr.size(); ++i) {
        if (!s.config().options.eight_bit_ok && (static_cast<unsigned char>(paddr[i]) & 0xE0) == 0x80) {
            bad8 = true;
            out.exit_status = 64;  // setstat(EX_USAGE)
            paddr[i] = '?';
        }
        if (i + 1 > static_cast<std::size_t>(limits::kMaxName - 1)) {
            // the text is cut in place, and e->e_to points at it
            issue({"553 5.1.0 Address \"" + paddr.substr(0, i) + "\" too long (" +
                       std::to_string(limits::kMaxName - 1) + " bytes max)",
                   paddr.substr(0, i), false});
            return out;
        }
    }
    if (bad8) out.to = paddr + text.substr(paddr.size());
    if (bad8) {
        issue({std::string(isrcpt ? "501 5.1.3" : "501 5.1.7") + " 8-bit character in mailbox address \"" + paddr +
                   "\"",
               text, false});
        return out;
    }

    std::vector<AddressError> rule_errors;
    Collect col;
    col.out = &rule_errors;
    col.live = live;
    col.to = paddr;
    Reporter* saved = s.reporter;
    s.reporter = &col;
    // qup: only rulesets 3 and 0 queue the address; an `error` mailer's
    // 4xx makes it bad (buildaddr), not queued.
    bool qup = false;
    IdTokens ids = intern_tokens(sr.tokens);
    if (rewrite(s, ids, 3) == kExTempfail) qup = true;
    if (rewrite(s, ids, 0) == kExTempfail) qup = true;
    Tokens ws = token_texts(ids);
    out.tempfail = qup;

    Address a;
    a.paddr = paddr;
    bool build_tempfail = false;  // an `error` mailer's 4xx reply
    // buildaddr()
    auto bad = [&](const std::string& msg) {
        if (!msg.empty()) {
            rule_errors.push_back({msg, paddr, true});
            if (live) live->syserr(bt_text(rule_errors.back()));
        }
        // (sendmail also queues when ExitStat is EX_TEMPFAIL; cfkit has no such global)
        a.state = build_tempfail ? Address::State::QueueUp : Address::State::BadAddr;
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
            out.exit_status = er.exit_status;
            rule_errors.push_back({er.line, "", false, true});
            if (live) live->usrerr(bt_text(rule_errors.back()));
            if (er.tempfail) out.tempfail = build_tempfail = true;
            if (has_host && user_at > host_first) {
                a.host = join_tokens(s, ws, host_first, user_at - 1, '\0', true, kHbufSize);
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
                    a.host = join_tokens(s, ws, host_first, user_at - 1, '\0', true, kHbufSize);
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
                    // $h is the host, or undefined when there is none (q_host NULL)
                    if (a.has_host) s.env.macros.set(static_cast<MacroId>('h'), a.host);
                    else s.env.macros.unset(static_cast<MacroId>('h'));
                    if (!(flags & (kSenderAddress | kHeaderAddress)) || s.config().config_level >= 10) {
                        rewrite(s, user, 2, 0, limits::kMaxAtom - 3);
                        if (m->re_rwset > 0) rewrite(s, user, m->re_rwset, 0, limits::kMaxAtom - 3);
                    }
                    rewrite(s, user, 4, 0, limits::kMaxAtom - 3);
                    a.user = join_tokens(s, user, 0, std::string::npos, '\0', true);
                    if (!has_flag(m, 'h')) {
                        a.host = ascii_lower(a.host);
                        // makelower() works in place, and $h points at q_host
                        if (a.has_host) s.env.macros.set(static_cast<MacroId>('h'), a.host);
                    }
                    if (!has_flag(m, 'u')) a.user = ascii_lower(a.user);
                }
                for (char c : a.user)
                    if (c == '\\') a.quoted = true;
            }
        }
    }
    {
        std::string msg;
        bool eight_bit = false;
        if (has_ctrl_char(a.user, isrcpt, s.config().options.eight_bit_ok, true, msg, eight_bit)) {
            if (!msg.empty()) {
                rule_errors.push_back({msg, paddr, false});
                if (live) live->usrerr(bt_text(rule_errors.back()));
            }
            if (eight_bit && (out.exit_status == 0 || out.exit_status == kExTempfail)) out.exit_status = 64;
            a.state = Address::State::BadAddr;
        }
    }
    if (a.state == Address::State::BadAddr) {
        // the printable address is cleaned too, silently
        std::string ignored;
        bool eight_bit = false;
        has_ctrl_char(a.paddr, isrcpt, s.config().options.eight_bit_ok, false, ignored, eight_bit);
    }
    // a recipient's queue group: the "queuegroup" ruleset, errors suppressed
    if (a.state == Address::State::Ok && !(flags & (kSenderAddress | kHeaderAddress))) {
        int qg = s.config().find_ruleset("queuegroup");
        if (qg >= 0) {
            ScanOptions qo;
            ScanResult qr = prescan(a.user, s.tables().internal, qo);
            CollectingReporter quiet;
            s.reporter = &quiet;
            Tokens qws = qr.tokens;
            if (qr.ok) rewrite(s, qws, qg);
        }
    }
    s.reporter = saved;
    // a ruleset failed temporarily: the address is queued, and sendmail says so
    if (qup && a.state != Address::State::BadAddr) {
        auto mode = s.config().options.raw.find("DeliveryMode");
        bool defer = mode != s.config().options.raw.end() && !mode->second.empty() &&
                     (mode->second[0] == 'd' || mode->second[0] == 'D');
        // message(): a 050 line, so fmtmsg() puts the masked address in front
        if (live)
            live->message(shorten(paddr, 203) + "... " +
                         (defer ? "Deferring message until queue run"
                                : "Transient parse error -- message queued for future delivery"));
        a.state = Address::State::QueueUp;
    }
    out.errors.insert(out.errors.end(), rule_errors.begin(), rule_errors.end());
    out.address = a;
    return out;
}

} // namespace cfkit
