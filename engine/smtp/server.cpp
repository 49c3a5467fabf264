#include "engine/smtp/server.hpp"

#include <pwd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fstream>

#include "engine/config/rulesets.hpp"
#include "engine/mail/address.hpp"
#include "engine/mail/header_check.hpp"
#include "engine/mail/recipients.hpp"
#include "engine/mail/reply.hpp"
#include "engine/names/name_service.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/smtp/collect.hpp"
#include "engine/smtp/esmtp_params.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {

constexpr int kMaxBadCommands = 25;  // MAXBADCOMMANDS

// Messages from the rules while a check runs: kept for the trace; the
// first error of a command can become its reply.
class CheckReporter : public Reporter {
public:
    std::vector<Diagnostic> got;
    void report(Diagnostic d) override { got.push_back(std::move(d)); }
};

// Finds the rule that first produced a `$#` result.
class DecidingRule : public RewriteObserver {
public:
    struct Hit {
        SourceLoc loc;
        std::string ruleset;
        int rule = 0;
    };
    std::optional<Hit> hit;
    const Config* cfg = nullptr;
    // One entry per active ruleset: a rule whose RHS calls a ruleset
    // ($#error ... $>DnsblText ...) is rewritten after the callee's rules
    // matched, so the last match of its own ruleset is the one that counts.
    void ruleset_enter(int rs, const std::string&, const IdTokens&, int) override { active_.push_back({rs, {}}); }
    void ruleset_return(int, const std::string&, const IdTokens&, int) override {
        if (!active_.empty()) active_.pop_back();
    }
    void rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>&) override {
        if (active_.empty()) active_.push_back({rs, {}});
        active_.back().last = Hit{rule.loc, ruleset_display_name(*cfg, rs), ruleno};
    }
    void rewritten(int rs, const IdTokens& ws) override {
        // a callee that ended early (an error) left its entry behind
        while (active_.size() > 1 && active_.back().rs != rs) active_.pop_back();
        if (!hit && !active_.empty() && !ws.empty() && token_pool().first(ws[0]) == meta::CANONNET) hit = active_.back().last;
    }
    void reset() {
        hit.reset();
        active_.clear();
    }

private:
    struct Active {
        int rs;
        Hit last;
    };
    std::vector<Active> active_;
};

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string trim_left(const std::string& s) {
    std::size_t p = s.find_first_not_of(" \t");
    return p == std::string::npos ? std::string() : s.substr(p);
}

// Plugin file names of Cyrus SASL 2 and the mechanisms they provide.
std::vector<std::string> installed_sasl_mechs() {
    static const std::pair<const char*, std::vector<std::string>> kPlugins[] = {
        {"libanonymous.so", {"ANONYMOUS"}}, {"libcrammd5.so", {"CRAM-MD5"}},
        {"libdigestmd5.so", {"DIGEST-MD5"}}, {"liblogin.so", {"LOGIN"}},
        {"libplain.so", {"PLAIN"}},         {"libntlm.so", {"NTLM"}},
        {"libgssapiv2.so", {"GSSAPI"}},     {"libotp.so", {"OTP"}},
        {"libscram.so", {"SCRAM-SHA-1", "SCRAM-SHA-256"}}, {"libgs2.so", {"GS2-KRB5", "GS2-IAKERB"}},
        {"libsrp.so", {"SRP"}},
    };
    std::vector<std::string> out;
    for (const char* dir : {"/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/sasl2", "/usr/lib64/sasl2"}) {
        for (const auto& p : kPlugins) {
            std::string f = std::string(dir) + "/" + p.first;
            if (std::ifstream(f).good())
                for (const std::string& m : p.second)
                    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
        }
    }
    return out;
}

} // namespace

struct SmtpServer::Impl {
    const Config& cfg;
    ServerSetup setup;
    Session s;
    NameService resolver;  // files, then the script's records: as the daemon run asks
    CheckReporter rep;
    DecidingRule decider;

    // connection state
    bool closed = false;
    bool in_data = false;
    std::optional<std::string> nullserver;  // check_relay's rejection
    int bad_commands = 0;
    bool gothello = false;
    std::string protocol;       // "SMTP" / "ESMTP" (+S, +A)
    std::optional<std::string> sendinghost;
    std::string peerhostname;
    std::string client_addr;
    bool authenticated = false;
    // envelope state
    bool gotmail = false;
    int nrcpts = 0;
    bool discard = false;
    AliasFiles aliases;
    RecipientList rcpt_list;         // the envelope's recipients (e_sendqueue)
    EsmtpState esmtp;                // MAIL's parameters
    SmtpReply* cur = nullptr;        // the reply being built
    bool replied_error = false;      // only the first error of a command is sent
    // While a message is read, errors are held (buffer_errors()): one held
    // message, which a later error replaces unless a 4xx would replace a
    // 5xx; it is the reply after the dot.
    bool holding = false;
    std::optional<std::string> held;

    Impl(const Config& c, ServerSetup st)
        : cfg(c), setup(std::move(st)), s(c),
          resolver(NameServiceSetup{c.host.hosts, setup.dns, setup.hosts_switch, c.host.hostname}, &s.env),
          aliases(c), rcpt_list(s, aliases) {
        s.reporter = &rep;
        s.maps.resolver = &resolver;
        s.observer = &decider;
        decider.cfg = &cfg;
    }

    MacroId mid(const std::string& name) {
        if (name.size() == 1) return static_cast<MacroId>(static_cast<unsigned char>(name[0]));
        MacroIdResult r = macid_parse("{" + name + "}", 0, s.env.names, rep);
        return static_cast<MacroId>(r.id);
    }
    void define(const std::string& name, const std::string& v) { s.env.macros.set(mid(name), v); }
    void undefine(const std::string& name) { s.env.macros.unset(mid(name)); }
    std::string macro(const std::string& name) {
        const std::string* v = s.env.macros.get(mid(name));
        return v ? *v : std::string();
    }
    std::string option(const std::string& name) const {  // by sendmail's long name
        auto it = cfg.options.raw.find(name);
        return it == cfg.options.raw.end() ? std::string() : it->second;
    }
    bool privacy(const std::string& flag) const {
        std::string p = ascii_lower(option("PrivacyOptions"));
        for (std::string w : split_words_on(p, ", \t")) {
            if (w == flag) return true;
            if (w == "goaway" && (flag == "noexpn" || flag == "novrfy" || flag == "noverb" || flag == "noetrn" ||
                                  flag == "needmailhelo" || flag == "needexpnhelo" || flag == "needvrfyhelo" ||
                                  flag == "noreceipts" || flag == "authwarnings" || flag == "nobodyreturn"))
                return true;
            if (w == "public") continue;
        }
        return false;
    }
    static std::vector<std::string> split_words_on(const std::string& s, const char* seps) {
        std::vector<std::string> out;
        std::string w;
        for (char c : s) {
            if (std::strchr(seps, c)) {
                if (!w.empty()) out.push_back(w);
                w.clear();
            } else {
                w += c;
            }
        }
        if (!w.empty()) out.push_back(w);
        return out;
    }
    std::string myhostname() { return macro("j"); }

    void say(const std::string& line) { cur->lines.push_back(line); }
    // puterrmsg(): sent at once (the first error of a command only), or held
    void error_line(const std::string& line) {
        if (holding) {
            if (!(held && (*held)[0] == '5' && line[0] == '4')) held = line;
            return;
        }
        if (replied_error) return;
        replied_error = true;
        say(line);
    }
    // usrerr()
    void error(const std::string& text, const std::string& to = "") {
        error_line(format_reply(text, to, "", soft_bounce()));
    }
    bool soft_bounce() const {
        std::string v = ascii_lower(option("SoftBounce"));
        return v == "true" || v == "t" || v == "yes" || v == "y";
    }

    // rscheck(): runs `name` on A1 [$| A2]. Returns 0 pass, 1 reject, with
    // the reply sent; discard and quarantine pass.
    enum class Check { Pass, Reject };
    Check rscheck(const std::string& name, const std::string& a1, const std::optional<std::string>& a2,
                  bool rmcomm, bool unstructured, const std::string& to) {
        CheckRun run;
        run.ruleset = name;
        run.input = a1 + (a2 ? " $| " + *a2 : std::string());
        int rs = cfg.find_ruleset(name);
        if (rs < 0) {
            run.defined = false;
            run.outcome = "pass";
            cur->checks.push_back(std::move(run));
            return Check::Pass;
        }
        std::string buf = a1;
        if (a2) buf += static_cast<char>(meta::CONDELSE) + *a2;
        ScanOptions so;
        so.bufsize = limits::kPsBufSize;
        const TokenTable& table = rmcomm ? s.tables().internal : s.tables().nocomment;
        ScanResult sr = prescan(buf, table, so);
        if (!sr.ok) {
            run.outcome = "pass";
            cur->checks.push_back(std::move(run));
            return Check::Pass;
        }
        Tokens ws = sr.tokens;
        rep.got.clear();
        decider.reset();
        rewrite(s, ws, rs);
        run.result = ws;
        for (const Diagnostic& d : rep.got) run.messages.push_back(d.message);
        if (decider.hit) {
            run.deciding = decider.hit->loc;
            run.deciding_ruleset = decider.hit->ruleset;
            run.deciding_rule = decider.hit->rule;
        }
        // errors while rewriting reach the client (unstructured checks: not)
        if (!unstructured) send_rewrite_errors(to);
        Check result = Check::Pass;
        run.outcome = "pass";
        if (ws.size() >= 2 && meta::first(ws[0]) == meta::CANONNET) {
            if (ws[1] == "discard") {
                discard = true;
                run.outcome = "discard";
            } else if (ws[1] == "error" && ws.size() >= 4 && meta::first(ws[2]) == meta::CANONHOST &&
                       ws[3] == "quarantine") {
                run.outcome = "quarantine";
                std::string reason = name;
                if (ws.size() >= 6 && meta::first(ws[4]) == meta::CANONUSER)
                    reason = join_tokens(s, ws, 5, std::string::npos, ' ', true, kRscheckBufSize);
                define("quarantine", reason);
            } else if (ws[1] == "error") {
                ErrorReply er = error_reply(ws, to);
                error_line(er.line);
                run.outcome = er.tempfail ? "tempfail" : "reject";
                result = Check::Reject;
            }
        }
        cur->checks.push_back(std::move(run));
        return result;
    }

    void send_rewrite_errors(const std::string& to) {
        for (const Diagnostic& d : rep.got) {
            // plain notes are message("851 ...")s (the host map's "Name
            // server timeout"): 8xx reaches only a VERB client; other
            // message()s are no errors either
            if (d.emit == Emit::Plain || d.emit == Emit::Message) continue;
            if (d.emit == Emit::Syserr) error("554 5.3.0 " + d.message);
            else error(d.message, to);
        }
    }

    // chompheader()'s check of one header field as it arrives (no check
    // ruleset: nothing runs). e_to is NULL while a message is read.
    void check_field(const std::string& field) {
        HeaderLine h = split_header(field, false);
        if (!h.ok) return;
        rep.got.clear();
        decider.reset();
        std::optional<HeaderCheck> hc = check_header(s, h.name, h.value, "");
        if (!hc) return;
        CheckRun run;
        run.ruleset = hc->ruleset;
        run.input = h.name + ":" + h.value;  // the whole field, so the trace names it (the ruleset gets the value)
        run.result = hc->result;
        for (const Diagnostic& d : rep.got) run.messages.push_back(d.message);
        if (decider.hit) {
            run.deciding = decider.hit->loc;
            run.deciding_ruleset = decider.hit->ruleset;
            run.deciding_rule = decider.hit->rule;
        }
        // a structured field's rewriting errors count (an unstructured one's were kept quiet)
        send_rewrite_errors("");
        run.outcome = "pass";
        if (hc->discard) {
            discard = true;
            run.outcome = "discard";
        } else if (hc->quarantine) {
            run.outcome = "quarantine";
        } else if (hc->error) {
            error_line(hc->error->line);
            run.outcome = hc->error->tempfail ? "tempfail" : "reject";
        }
        cur->checks.push_back(std::move(run));
    }

    ErrorReply error_reply(const Tokens& ws, const std::string& to) { return error_result_reply(s, ws, to); }

    // Sends the first of `errs` (QuickAbort ends the command there).
    bool send_first(const std::vector<AddressError>& errs) {
        if (errs.empty()) return false;
        const AddressError& e = errs.front();
        if (e.complete) {
            if (!replied_error) {
                replied_error = true;
                say(e.text);
            }
        } else {
            error(e.text, e.to);
        }
        return true;
    }

    // parseaddr() of a MAIL/RCPT argument (delimiter ' '). nullopt: an
    // error was sent, or (none sent) there was no address.
    std::optional<Address> parseaddr(const std::string& text, bool isrcpt, unsigned flags, std::size_t& end) {
        ParsedAddress pa = parse_address(s, text, ' ', flags, isrcpt);
        end = pa.end;
        if (send_first(pa.errors)) return std::nullopt;
        return pa.address;
    }

    static bool local(const Address& a) { return a.mailer && a.mailer->flags.find('l') != std::string::npos; }

    void clear_envelope() {
        gotmail = false;
        nrcpts = 0;
        rcpt_list.queue.clear();
        esmtp = EsmtpState{};
        discard = false;
        // the header checks' macros too: the daemon's next message does not see them
        for (const char* m : {"s", "r", "f", "mail_mailer", "mail_host", "mail_addr", "rcpt_mailer",
                              "rcpt_host", "rcpt_addr", "addr_type", "quarantine", "msg_size", "currHeader",
                              "hdr_name", "hdrlen", "dsn_envid", "dsn_ret", "dsn_notify"})
            undefine(m);
    }

    std::string greeting_text() {
        CollectingReporter sink;
        std::string g = option("SmtpGreetingMessage");
        if (g.empty()) g = translate_dollars("$j Sendmail $v ready at $b", cfg.config_level, s.env.names, sink);
        
        std::string x = expand(g, s.env, sink);  // the O line was translated when read
        // "ESMTP" goes after the first word
        std::size_t sp = x.find(' ');
        if (sp == std::string::npos) return x + " ESMTP";
        return x.substr(0, sp) + " ESMTP" + x.substr(sp);
    }

    std::vector<std::string> ehlo_extensions() {
        std::vector<std::string> out;
        out.push_back("ENHANCEDSTATUSCODES");
        out.push_back("PIPELINING");
        if (!privacy("noexpn")) {
            out.push_back("EXPN");
            if (!privacy("noverb")) out.push_back("VERB");
        }
        out.push_back("8BITMIME");
        std::string max = option("MaxMessageSize");
        long mx = max.empty() ? 0 : std::atol(max.c_str());
        out.push_back(mx > 0 ? "SIZE " + std::to_string(mx) : "SIZE");
        out.push_back("DSN");
        if (!privacy("noetrn")) out.push_back("ETRN");
        std::vector<std::string> have = setup.sasl_mechs ? *setup.sasl_mechs : installed_sasl_mechs();
        std::string want = option("AuthMechanisms");
        if (want.empty()) want = "EXTERNAL GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5";
        std::string list;
        for (const std::string& w : split_words_on(want, " ,\t")) {
            std::string u = upper(w);
            if (std::find(have.begin(), have.end(), u) == have.end()) continue;
            if (!list.empty()) list += ' ';
            list += u;
        }
        if (!list.empty() && !authenticated) out.push_back("AUTH " + list);
        out.push_back("DELIVERBY");
        out.push_back("HELP");
        return out;
    }
};

SmtpServer::SmtpServer(const Config& cfg, ServerSetup setup) : impl_(std::make_unique<Impl>(cfg, std::move(setup))) {}
SmtpServer::~SmtpServer() = default;
bool SmtpServer::closed() const { return impl_->closed; }
bool SmtpServer::in_data() const { return impl_->in_data; }
Session& SmtpServer::session() { return impl_->s; }

SmtpReply SmtpServer::connect(const ClientInfo& client) {
    Impl& d = *impl_;
    SmtpReply r;
    d.cur = &r;
    d.replied_error = false;
    d.client_addr = client.address;
    // getrequests(): the PTR name, then getauthinfo()'s forward check
    // (gethostbyaddr() and gethostbyname() follow the C library's switch:
    // the hosts file, then the DNS)
    AddrAnswer ptr = d.resolver.host_by_address(client.address);
    std::string realname = ptr.name ? *ptr.name : "[" + client.address + "]";
    std::string resolve = ptr.name ? "OK" : ptr.try_again ? "TEMP" : "FAIL";
    bool forged = false;
    if (realname[0] != '[') {
        std::vector<std::string> addrs;
        if (std::optional<HostEnt> h = hosts_forward(d.cfg.host.hosts, realname, false)) {
            for (const std::string& w : h->address_words) addrs.push_back(w.substr(1, w.size() - 2));
        } else {
            // gethostbyname2(): res_search(), the search domain included
            for (const DnsRecords::Rr& rr : d.resolver.res_search(realname, rrtype::A, true).answers)
                addrs.push_back(rr.value);
        }
        forged = std::find(addrs.begin(), addrs.end(), client.address) == addrs.end();
    }
    std::string authinfo = realname[0] == '[' ? realname : realname + " [" + client.address + "]";
    if (forged) {
        authinfo += " (may be forged)";
        resolve = "FORGED";
    }
    d.peerhostname = realname;
    d.define("_", authinfo);
    d.define("client_name", forged ? "[" + client.address + "]" : realname);
    d.define("client_ptr", realname);
    d.define("client_addr", client.address);
    d.define("client_port", std::to_string(client.port));
    d.define("client_resolve", resolve);
    d.define("daemon_name", "MTA");
    d.define("daemon_addr", "127.0.0.1");
    d.define("daemon_port", "25");
    d.define("daemon_family", "inet");
    d.define("daemon_flags", "");
    d.define("opMode", "d");
    d.define("v", d.setup.version);
    d.define("Z", d.setup.version);
    d.define("b", d.setup.date.empty() ? arpadate(std::time(nullptr)) : d.setup.date);

    // check_relay, before the greeting (daemon only)
    std::string relay_name = d.macro("client_name");
    if (d.rscheck("check_relay", relay_name, client.address, true, false, "") == Impl::Check::Reject) {
        std::string text = r.lines.empty() ? std::string() : r.lines.back();
        r.lines.clear();
        // the stored reply, used as the answer to most commands later
        if (text.size() < 3) text = "550 5.7.1 Access denied";
        d.nullserver = text;
        if (text.compare(0, 4, "421 ") == 0) {
            r.lines.push_back(text);
            r.closes = true;
            d.closed = true;
            return r;
        }
    }
    if (!d.nullserver) d.rscheck("srv_features", authinfo, std::string(), false, true, "");
    r.lines.push_back("220 " + d.greeting_text());
    return r;
}

SmtpReply SmtpServer::authenticate(const std::string& user, const std::string& mech) {
    Impl& d = *impl_;
    SmtpReply r;
    d.cur = &r;
    d.replied_error = false;
    if (d.nullserver) {
        r.lines.push_back(*d.nullserver);
        return r;
    }
    d.authenticated = true;
    d.define("auth_type", upper(mech));
    d.define("auth_authen", user);
    d.define("auth_author", user);
    d.define("auth_ssf", "0");
    r.lines.push_back("235 2.0.0 OK Authenticated");
    return r;
}

SmtpReply SmtpServer::command(const std::string& line_in) {
    Impl& d = *impl_;
    SmtpReply r;
    d.cur = &r;
    d.replied_error = false;
    if (d.closed) return r;
    std::string line = line_in;
    std::string verb = line.substr(0, line.find(' '));
    std::string arg = line.size() > verb.size() ? trim_left(line.substr(verb.size() + 1)) : std::string();
    std::string v = upper(verb);

    // null server (check_relay rejected): only a few commands work
    if (d.nullserver && v != "QUIT" && v != "HELO" && v != "EHLO" && v != "NOOP" && v != "RSET") {
        static const char* kKnown[] = {"MAIL", "RCPT", "DATA", "VRFY", "EXPN", "ETRN", "HELP", "VERB",
                                       "AUTH", "STARTTLS", "ONEX", "XUSR", "VERB"};
        bool known = false;
        for (const char* k : kKnown) known = known || v == k;
        if (known) {
            if (++d.bad_commands > kMaxBadCommands) {
                r.lines.push_back("421 4.7.0 " + d.myhostname() + " Too many bad commands; closing connection");
                r.closes = d.closed = true;
                return r;
            }
            r.lines.push_back(*d.nullserver);
            return r;
        }
    }

    if (v == "HELO" || v == "EHLO") {
        if (arg.empty()) {
            d.error("501 5.0.0 " + line + " requires domain address");
            return r;
        }
        bool ok = true;
        std::string name = arg;
        for (std::size_t i = 0; i < arg.size(); ++i) {
            unsigned char c = static_cast<unsigned char>(arg[i]);
            if (c >= 0x80) { ok = false; break; }
            if (std::isalnum(c)) continue;
            if (c == ' ' || c == '\t') {
                name = arg.substr(0, i);
                ok = arg.find_first_not_of(" \t", i) == std::string::npos;
                break;
            }
            if (!std::strchr("[].-_#:", c)) { ok = false; break; }
        }
        if (!ok) {
            d.error("501 5.0.0 Invalid domain name");
            return r;
        }
        if (d.gothello || d.gotmail) d.clear_envelope();
        d.protocol = v == "EHLO" ? (d.authenticated ? "ESMTPA" : "ESMTP") : "SMTP";
        d.sendinghost = name;
        d.gothello = true;
        std::string client = d.macro("_");
        if (v == "HELO") {
            r.lines.push_back("250 " + d.myhostname() + " Hello " + client + ", pleased to meet you");
            return r;
        }
        r.lines.push_back("250-" + d.myhostname() + " Hello " + client + ", pleased to meet you");
        if (d.nullserver) {
            r.lines.push_back("250 ENHANCEDSTATUSCODES");
            return r;
        }
        std::vector<std::string> ext = d.ehlo_extensions();
        for (std::size_t i = 0; i < ext.size(); ++i)
            r.lines.push_back((i + 1 < ext.size() ? "250-" : "250 ") + ext[i]);
        return r;
    }
    if (v == "MAIL") {
        if (!d.gothello && d.privacy("needmailhelo")) {
            d.error("503 5.0.0 Polite people say HELO first");
            return r;
        }
        if (d.gotmail) {
            d.error("503 5.5.0 Sender already specified");
            return r;
        }
        SkipWord sw = skip_word(arg, "from");
        if (!sw.rest) {
            d.error(sw.error);
            return r;
        }
        std::string addr = *sw.rest;
        d.define("r", d.protocol.empty() ? "SMTP" : d.protocol);
        d.define("s", d.sendinghost ? *d.sendinghost : d.peerhostname);
        d.define("ntries", "0");
        d.define("nrcpts", "0");
        d.define("nbadrcpts", "0");
        d.define("addr_type", "e s");
        std::size_t end = 0;
        std::optional<Address> a = d.parseaddr(addr, false, kSenderAddress, end);
        if (d.replied_error) return r;
        if (!a) {
            d.error("553 5.1.0 " + addr + "... Address syntax error");
            return r;
        }
        std::string text = a->paddr;
        // $f: the sender through rulesets 3, 1 and 4
        {
            ScanOptions so;
            so.delim = ' ';
            ScanResult sr = prescan(addr, d.s.tables().internal, so);
            Tokens ws = sr.tokens;
            rewrite(d.s, ws, 3);
            rewrite(d.s, ws, 1);
            rewrite(d.s, ws, 4);
            std::string f = join_tokens(d.s, ws, 0, std::string::npos, '\0', false, limits::kMaxName);  // setsender(): buf[MAXNAME + 2], size - 2
            if (!f.empty() && f[0] == '@' && !(a->mailer && a->mailer->flags.find('<') != std::string::npos))
                f = "<" + f + ">";
            d.define("f", f);
        }
        d.define("addr_type", "e s");
        d.define("mail_mailer", a->mailer ? a->mailer->name : a->mailer_name);
        d.define("mail_host", !a->has_host && Impl::local(*a) ? "localhost" : a->host);
        d.define("mail_addr", a->user);
        d.define("mail_from", text);
        // the ESMTP parameters, before check_mail
        d.esmtp = EsmtpState{};
        std::string params = end < addr.size() ? addr.substr(end + 1) : std::string();
        for (const EsmtpParam& prm : split_esmtp_params(params)) {
            std::string err = mail_param(prm, d.esmtp);
            for (const auto& m : d.esmtp.macros) d.define(m.first, m.second);
            if (!err.empty()) {
                d.error(err);
                return r;
            }
        }
        if (d.rscheck("check_mail", text, std::nullopt, true, false, text) == Impl::Check::Reject) return r;
        d.undefine("addr_type");
        long max = std::atol(d.option("MaxMessageSize").c_str());
        if (max > 0 && (d.esmtp.size > max || d.esmtp.size < 0)) {
            d.error("552 5.2.3 Message size exceeds fixed maximum message size (" + std::to_string(max) + ")");
            return r;
        }
        r.lines.push_back(format_reply("250 2.1.0 Sender ok", text));
        d.gotmail = true;
        return r;
    }
    if (v == "RCPT") {
        for (const char* m : {"rcpt_mailer", "rcpt_host", "rcpt_addr"}) d.undefine(m);
        if (!d.gotmail) {
            d.error("503 5.0.0 Need MAIL before RCPT");
            return r;
        }
        long max_rcpts = std::atol(d.option("MaxRecipientsPerMessage").c_str());
        if (max_rcpts > 0 && d.nrcpts >= max_rcpts) {
            d.error("452 4.5.3 Too many recipients");
            return r;
        }
        SkipWord sw = skip_word(arg, "to");
        if (!sw.rest) {
            d.error(sw.error);
            return r;
        }
        std::string addr = *sw.rest;
        d.define("addr_type", "e r");
        std::size_t end = 0;
        std::optional<Address> a = d.parseaddr(addr, true, 0, end);
        d.undefine("addr_type");
        if (d.replied_error) return r;
        if (!a) {
            d.error("501 5.0.0 Missing recipient");
            return r;
        }
        std::string text = a->paddr;
        d.define("rcpt_mailer", a->mailer ? a->mailer->name : a->mailer_name);
        d.define("rcpt_host", a->host);
        d.define("rcpt_addr", a->user);
        std::string params = end < addr.size() ? addr.substr(end + 1) : std::string();
        EsmtpState rs;
        bool have_orcpt = false;
        for (const EsmtpParam& prm : split_esmtp_params(params)) {
            std::string err = rcpt_param(prm, rs, have_orcpt);
            for (const auto& m : rs.macros) d.define(m.first, m.second);
            if (!err.empty()) {
                d.error(err);
                return r;
            }
        }
        d.define("nrcpts", std::to_string(d.nrcpts));
        d.define("addr_type", "e r");
        if (d.rscheck("check_rcpt", text, std::nullopt, true, false, text) == Impl::Check::Reject) return r;
        d.undefine("addr_type");
        if (d.discard) a->state = Address::State::Verified;
        // aliases are expanded at RCPT time only when delivery is interactive
        std::string mode = ascii_lower(d.option("DeliveryMode"));
        d.rcpt_list.vrfy_only = mode.empty() || mode[0] != 'i';
        std::vector<AddressError> errs;
        int idx = d.rcpt_list.add(*a, 0, errs);
        if (d.send_first(errs) || idx < 0) return r;
        const Address& q = d.rcpt_list.queue[static_cast<std::size_t>(idx)];
        if (q.state == Address::State::BadAddr) {
            d.error("550 5.1.1 Addressee unknown", q.paddr);
            return r;
        }
        ++d.nrcpts;
        for (const char* m : {"rcpt_mailer", "rcpt_host", "rcpt_addr", "dsn_notify"}) d.undefine(m);
        bool queued = q.state == Address::State::QueueUp;
        r.lines.push_back(format_reply(std::string("250 2.1.5 Recipient ok") + (queued ? " (will queue)" : ""), q.paddr));
        return r;
    }
    if (v == "DATA") {
        if (!d.gotmail) {
            d.error("503 5.0.0 Need MAIL command");
            return r;
        }
        if (d.nrcpts == 0) {
            d.error("503 5.0.0 Need RCPT (recipient)");
            return r;
        }
        if (d.rscheck("check_data", std::to_string(d.nrcpts), std::nullopt, true, true, "") ==
            Impl::Check::Reject)
            return r;
        r.lines.push_back("354 End data with <CR><LF>.<CR><LF>");
        d.in_data = true;
        return r;
    }
    if (v == "RSET") {
        d.clear_envelope();
        r.lines.push_back("250 2.0.0 Reset state");
        return r;
    }
    if (v == "NOOP") {
        d.rscheck("check_other", line, std::string("2"), false, true, "");
        r.lines.push_back("250 2.0.0 OK");
        return r;
    }
    if (v == "QUIT") {
        r.lines.push_back("221 2.0.0 " + d.myhostname() + " closing connection");
        r.closes = d.closed = true;
        return r;
    }
    if (v == "VRFY" || v == "EXPN") {
        bool vrfy = v == "VRFY";
        if (vrfy ? d.privacy("novrfy") : d.privacy("noexpn")) {
            if (vrfy) r.lines.push_back("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
            else r.lines.push_back("502 5.7.0 Sorry, we do not allow this operation");
            return r;
        }
        if (!d.gothello && d.privacy(vrfy ? "needvrfyhelo" : "needexpnhelo")) {
            d.error("503 5.0.0 I demand that you introduce yourself first");
            return r;
        }
        if (arg.empty()) {
            d.error("501 5.5.2 Argument required");
            return r;
        }
        if (d.rscheck(vrfy ? "check_vrfy" : "check_expn", arg, std::nullopt, true, false, "") ==
            Impl::Check::Reject)
            return r;
        RecipientList vq(d.s, d.aliases);
        vq.vrfy_only = vrfy;
        std::vector<AddressError> errs;
        vq.send_to_list(arg, -1, 0, errs);
        if (d.send_first(errs)) return r;
        if (vq.queue.empty()) {
            d.error(std::string("554 5.5.2 Nothing to ") + (vrfy ? "VRFY" : "EXPN"));
            return r;
        }
        std::vector<const Address*> shown = vq.in_sendmail_order();
        for (std::size_t i = 0; i < shown.size(); ++i) {  // printvrfyaddr()
            const Address& q = *shown[i];
            bool is250 = !vrfy || !q.mailer || q.mailer->flags.find('q') != std::string::npos;
            std::string head = std::string(is250 ? "250" : "252") + (i + 1 == shown.size() ? " " : "-") + "2.1.5 ";
            bool rfc822 = !q.mailer || !q.mailer->addr_type || ascii_lower(*q.mailer->addr_type) == "rfc822";
            std::string who = rfc822 && q.user.find('@') == std::string::npos
                                  ? "<" + q.user + "@" + d.myhostname() + ">"
                                  : "<" + q.user + ">";
            r.lines.push_back(head + (q.fullname.empty() ? who : q.fullname + " " + who));
        }
        return r;
    }
    if (v == "ETRN") {
        if (d.privacy("noetrn")) {
            r.lines.push_back("502 5.7.0 Sorry, we do not allow this operation");
            return r;
        }
        if (arg.empty()) {
            d.error("500 5.5.2 Parameter required");
            return r;
        }
        if (d.rscheck("check_etrn", arg, std::nullopt, true, false, "") == Impl::Check::Reject) return r;
        if (arg[0] == '#') {  // a queue group
            std::string id = arg.substr(1);
            bool known = ascii_lower(id) == "mqueue";
            for (const std::string& g : d.cfg.queue_groups) known = known || ascii_lower(g) == ascii_lower(id);
            if (!known) d.error("459 4.5.4 Queue " + id + " unknown");
            else r.lines.push_back("250 2.0.0 Queuing for queue group " + id + " started");
            return r;
        }
        r.lines.push_back("250 2.0.0 Queuing for node " + arg + " started");
        return r;
    }
    if (v == "HELP") {
        std::optional<std::string> text;
        if (d.cfg.options.help_file) {
            std::ifstream in(*d.cfg.options.help_file);
            if (in) text = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        CollectingReporter sink;
        auto expand_line = [&](const std::string& l) {
            return expand(translate_dollars(l, d.cfg.config_level, d.s.env.names, sink), d.s.env, sink);
        };
        for (std::string& l : help_reply(text, arg, d.setup.version, expand_line)) r.lines.push_back(l);
        return r;
    }
    // unknown command: check_other first; its error replaces the 500
    if (d.rscheck("check_other", line, std::string("5"), false, true, "") == Impl::Check::Reject) return r;
    r.lines.push_back("500 5.5.1 Command unrecognized: \"" + line + "\"");
    return r;
}

SmtpReply SmtpServer::message(const std::vector<std::string>& lines) {
    Impl& d = *impl_;
    SmtpReply r;
    d.cur = &r;
    d.replied_error = false;
    d.in_data = false;
    d.holding = true;  // buffer_errors() before collect()
    d.held.reset();
    std::string max = d.option("MaxHeadersLength");
    long max_headers = max.empty() ? limits::kMaxHeadersLength : std::atol(max.c_str());
    CollectedMessage m = collect_message(lines, d.cfg.headers, max_headers);
    for (const std::string& field : m.fields) d.check_field(field);
    if (m.too_large) d.error("552 5.6.0 Headers too large (" + std::to_string(max_headers) + " max)");
    // collect_eoh(): the counts include the line that ended the header
    d.rscheck("check_eoh", std::to_string(m.fields.size()), std::to_string(m.header_bytes), false, true, "");
    long max_size = std::atol(d.option("MaxMessageSize").c_str());
    if (max_size > 0 && m.size > static_cast<std::size_t>(max_size))  // EF_TOOBIG, at the end of collect()
        d.error("552 5.2.3 Message exceeds maximum fixed size (" + std::to_string(max_size) + ")");
    d.define("msg_size", std::to_string(m.size));
    d.rscheck("check_eom", std::to_string(m.size), std::nullopt, false, true, "");
    d.holding = false;
    // flush_errors(): an error refuses the message; discard and quarantine do not
    if (d.held) r.lines.push_back(*d.held);
    else r.lines.push_back("250 2.0.0 XXXXXXXXXXXXXX Message accepted for delivery");
    d.held.reset();
    d.clear_envelope();
    return r;
}

} // namespace cfkit
