// See server.hpp and server_state.hpp: the connection (connect, AUTH), the
// checks and the message; the commands are in verbs.cpp.
#include "engine/smtp/server.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <fstream>

#include "engine/config/rulesets.hpp"
#include "engine/mail/header_check.hpp"
#include "engine/smtp/collect.hpp"
#include "engine/smtp/sasl.hpp"
#include "engine/smtp/server_state.hpp"
#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

// Plugin file names of Cyrus SASL 2 and the mechanisms they provide; the
// directories are looked at once a run (EHLO and AUTH ask every time).
const std::vector<std::string>& installed_sasl_mechs() {
    static const std::pair<const char*, std::vector<std::string>> kPlugins[] = {
        {"libanonymous.so", {"ANONYMOUS"}}, {"libcrammd5.so", {"CRAM-MD5"}},
        {"libdigestmd5.so", {"DIGEST-MD5"}}, {"liblogin.so", {"LOGIN"}},
        {"libplain.so", {"PLAIN"}},         {"libntlm.so", {"NTLM"}},
        {"libgssapiv2.so", {"GSSAPI"}},     {"libotp.so", {"OTP"}},
        {"libscram.so", {"SCRAM-SHA-1", "SCRAM-SHA-256"}}, {"libgs2.so", {"GS2-KRB5", "GS2-IAKERB"}},
        {"libsrp.so", {"SRP"}},
    };
    static const std::vector<std::string> found = [] {
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
    }();
    return found;
}

std::vector<std::string> split_words_on(const std::string& s, const char* seps) {
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

void DecidingRule::ruleset_enter(int rs, const std::string&, const IdTokens&, int) { active_.push_back({rs, {}}); }
void DecidingRule::ruleset_return(int, const std::string&, const IdTokens&, int) {
    if (!active_.empty()) active_.pop_back();
}
void DecidingRule::rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>&) {
    if (active_.empty()) active_.push_back({rs, {}});
    active_.back().last = Hit{rule.loc, ruleset_display_name(*cfg, rs), ruleno};
}
void DecidingRule::rewritten(int rs, const IdTokens& ws) {
    // a callee that ended early (an error) left its entry behind
    while (active_.size() > 1 && active_.back().rs != rs) active_.pop_back();
    if (!active_.empty() && !ws.empty() && token_pool().first(ws[0]) == meta::CANONNET) {
        produced_.push_back(active_.back().last);
        if (!hit) hit = produced_.back();
    }
}
void DecidingRule::reset() {
    hit.reset();
    active_.clear();
    produced_.clear();
}
std::shared_ptr<const void> DecidingRule::memo_delta(std::size_t mark) const {
    // a run's first result is all a later replay can need: `hit` is the first
    if (mark >= produced_.size()) return nullptr;
    return std::make_shared<const Hit>(produced_[mark]);
}
void DecidingRule::memo_apply(const std::shared_ptr<const void>& delta) {
    const Hit& h = *static_cast<const Hit*>(delta.get());
    produced_.push_back(h);
    if (!hit) hit = h;
}

SmtpServer::Impl::Impl(const Config& c, ServerSetup st)
    : cfg(c), setup(std::move(st)), s(c),
      // (the records move to the resolver, their only reader)
      resolver(NameServiceSetup{c.host.hosts, std::move(setup.dns), setup.hosts_switch, c.host.hostname, {}}, &s.env),
      aliases(c), rcpt_list(s, aliases) {
    s.reporter = &rep;
    s.maps.resolver = &resolver;
    s.maps.file_user = FileUser::root();  // the daemon checks its files as root
    s.observer = &decider;
    s.memo = setup.memo;
    decider.cfg = &cfg;
}

void SmtpServer::Impl::begin(SmtpReply& r) {
    cur = &r;
    replied_error = false;
}

MacroId SmtpServer::Impl::mid(const std::string& name) {
    if (name.size() == 1) return static_cast<MacroId>(static_cast<unsigned char>(name[0]));
    return static_cast<MacroId>(macid_of_name(name, s.env.names, rep));
}
void SmtpServer::Impl::define(const std::string& name, const std::string& v) { s.env.macros.set(mid(name), v); }
void SmtpServer::Impl::undefine(const std::string& name) { s.env.macros.unset(mid(name)); }
std::string SmtpServer::Impl::macro(const std::string& name) {
    const std::string* v = s.env.macros.get(mid(name));
    return v ? *v : std::string();
}
std::string SmtpServer::Impl::option(const std::string& name) const {
    auto it = cfg.options.raw.find(name);
    return it == cfg.options.raw.end() ? std::string() : it->second;
}
bool SmtpServer::Impl::privacy(const std::string& flag) const {
    std::string p = ascii_lower(option("PrivacyOptions"));
    for (const std::string& w : split_words_on(p, ", \t")) {
        if (w == flag) return true;
        if (w == "goaway" && (flag == "noexpn" || flag == "novrfy" || flag == "noverb" || flag == "noetrn" ||
                              flag == "needmailhelo" || flag == "needexpnhelo" || flag == "needvrfyhelo" ||
                              flag == "noreceipts" || flag == "authwarnings" || flag == "nobodyreturn"))
            return true;
    }
    return false;
}

void SmtpServer::Impl::error_line(const std::string& line) {
    if (holding) {
        if (!(held && (*held)[0] == '5' && line[0] == '4')) held = line;
        return;
    }
    if (replied_error) return;
    replied_error = true;
    say(line);
}

void SmtpServer::Impl::error(const std::string& text, const std::string& to) { send_error({text, to}); }

bool SmtpServer::Impl::send_first(const std::vector<AddressError>& errs) {
    if (errs.empty()) return false;
    send_error(errs.front());
    return true;
}

void SmtpServer::Impl::send_rewrite_errors(const std::string& to) {
    for (const Diagnostic& d : rep.got)
        if (std::optional<AddressError> e = rule_error(d, to)) send_error(*e);
}

void SmtpServer::Impl::record_decider(CheckRun& run) {
    for (const Diagnostic& d : rep.got) run.messages.push_back(d.message);
    if (decider.hit) {
        run.deciding = decider.hit->loc;
        run.deciding_ruleset = decider.hit->ruleset;
        run.deciding_rule = decider.hit->rule;
    }
}

// The ruleset `name` on A1 [$| A2], recorded in `run`; nullopt when the
// ruleset is not defined or the input does not scan (the check passes).
std::optional<Tokens> SmtpServer::Impl::run_ruleset(const std::string& name, const std::string& a1,
                                                    const std::optional<std::string>& a2, bool rmcomm, CheckRun& run) {
    run.ruleset = name;
    run.input = a1 + (a2 ? " $| " + *a2 : std::string());
    run.outcome = "pass";
    int rs = cfg.find_ruleset(name);
    if (rs < 0) {
        run.defined = false;
        return std::nullopt;
    }
    std::string buf = a1;
    if (a2) buf += static_cast<char>(meta::CONDELSE) + *a2;
    ScanOptions so;
    so.bufsize = limits::kPsBufSize;
    const TokenTable& table = rmcomm ? s.tables().internal : s.tables().nocomment;
    ScanResult sr = prescan(buf, table, so);
    if (!sr.ok) return std::nullopt;
    IdTokens ids = intern_tokens(sr.tokens);
    rep.got.clear();
    decider.reset();
    rewrite(s, ids, rs);
    Tokens ws = token_texts(ids);
    run.result = ws;
    record_decider(run);
    return ws;
}

// rscap(): the ruleset's result as it is, for the caller to read
// (greet_pause's milliseconds); rewriting errors are not sent.
std::optional<Tokens> SmtpServer::Impl::rscap(const std::string& name, const std::string& a1, const std::string& a2) {
    CheckRun run;
    std::optional<Tokens> ws = run_ruleset(name, a1, a2, true, run);
    cur->checks.push_back(std::move(run));
    return ws;
}

SmtpServer::Impl::Check SmtpServer::Impl::rscheck(const std::string& name, const std::string& a1,
                                                  const std::optional<std::string>& a2, bool rmcomm,
                                                  bool unstructured, const std::string& to) {
    CheckRun run;
    std::optional<Tokens> result_tokens = run_ruleset(name, a1, a2, rmcomm, run);
    if (!result_tokens) {
        cur->checks.push_back(std::move(run));
        return Check::Pass;
    }
    const Tokens& ws = *result_tokens;
    // errors while rewriting reach the client (unstructured checks: not)
    if (!unstructured) send_rewrite_errors(to);
    Check result = Check::Pass;
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
            ErrorReply er = error_result_reply(s, ws, to);
            error_line(er.line);
            run.outcome = er.tempfail ? "tempfail" : "reject";
            result = Check::Reject;
        }
    }
    cur->checks.push_back(std::move(run));
    return result;
}

void SmtpServer::Impl::check_field(const std::string& field) {
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
    record_decider(run);
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

std::optional<Address> SmtpServer::Impl::parseaddr(const std::string& text, bool isrcpt, unsigned flags,
                                                   std::size_t& end) {
    ParsedAddress pa = parse_address(s, text, ' ', flags, isrcpt);
    end = pa.end;
    if (send_first(pa.errors)) return std::nullopt;
    return pa.address;
}

// newenvelope() gives every envelope a queue id: $i is defined from the
// connection on, and each transaction after the first has a new one.
void SmtpServer::Impl::new_queue_id() {
    std::time_t now = setup.now ? setup.now : std::time(nullptr);
    long pid = setup.pid ? setup.pid : static_cast<long>(getpid());
    if (qid_seq < 0) qid_seq = static_cast<int>(static_cast<unsigned long>(pid ^ now) % 3600);
    s.env.macros.set(static_cast<MacroId>('i'), queue_id(now, static_cast<unsigned>(qid_seq), pid));
    qid_seq = (qid_seq + 1) % 3600;
}

void SmtpServer::Impl::clear_envelope() {
    new_queue_id();
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

std::string SmtpServer::Impl::greeting_text() {
    CollectingReporter sink;
    std::string g = option("SmtpGreetingMessage");
    if (g.empty()) g = translate_dollars("$j Sendmail $v ready at $b", cfg.config_level, s.env.names, sink);
    std::string x = expand(g, s.env, sink);  // the O line was translated when read
    // "ESMTP" goes after the first word
    std::size_t sp = x.find(' ');
    if (sp == std::string::npos) return x + " ESMTP";
    return x.substr(0, sp) + " ESMTP" + x.substr(sp);
}

std::vector<std::string> SmtpServer::Impl::ehlo_extensions() {
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
    MechList mechs = auth_mechanisms();
    std::string list;
    for (const std::string& m : mechs.printed) list += (list.empty() ? "" : " ") + m;
    // shown after AUTH too: sendmail does not hide it
    if (!list.empty()) out.push_back("AUTH " + list);
    if (tls_offered()) out.push_back("STARTTLS");
    out.push_back("DELIVERBY");
    out.push_back("HELP");
    return out;
}

SmtpServer::SmtpServer(const Config& cfg, ServerSetup setup) : impl_(std::make_unique<Impl>(cfg, std::move(setup))) {}
SmtpServer::~SmtpServer() = default;
bool SmtpServer::closed() const { return impl_->closed; }
bool SmtpServer::in_data() const { return impl_->in_data; }
Session& SmtpServer::session() { return impl_->s; }

// getrequests(): the PTR name, then getauthinfo()'s forward check
// (gethostbyaddr() and gethostbyname() follow the C library's switch: the
// hosts file, then the DNS); the connection's macros. Returns $_.
std::string SmtpServer::Impl::identify_client(const ClientInfo& client) {
    // the address as sendmail writes it: "IPv6:2001:db8::5"
    std::string addr = anynet_ntoa(client.address, cfg.options.compressed_ipv6);
    unsigned char raw[16];
    // a v4-mapped address is an IPv4 client to getauthinfo(): addr is then dotted
    bool v6 = addr.compare(0, 5, "IPv6:") == 0 && inet_pton(AF_INET6, client.address.c_str(), raw) == 1;
    AddrAnswer ptr = resolver.host_by_address(client.address);
    if (ptr.name && ptr_name_is_address(*ptr.name)) ptr.name.reset();  // no try_again: the lookup answered
    std::string realname = ptr.name ? *ptr.name : "[" + addr + "]";
    std::string resolve = ptr.name ? "OK" : ptr.try_again ? "TEMP" : "FAIL";
    bool forged = false;
    if (realname[0] != '[') {
        // getauthinfo(): the name's addresses of the client's family
        char text[INET6_ADDRSTRLEN];
        std::string mine = v6 ? inet_ntop(AF_INET6, raw, text, sizeof text) : addr;
        std::vector<std::string> addrs = v6 ? resolver.host_addresses_v6(realname) : resolver.host_addresses_v4(realname);
        forged = std::find(addrs.begin(), addrs.end(), mine) == addrs.end();
    }
    std::string authinfo = realname[0] == '[' ? realname : realname + " [" + addr + "]";
    if (forged) {
        authinfo += " (may be forged)";
        resolve = "FORGED";
    }
    peerhostname = realname;
    define("_", authinfo);
    define("client_name", forged ? "[" + addr + "]" : realname);
    define("client_ptr", realname);
    define("client_addr", addr);
    define("client_port", std::to_string(client.port));
    define("client_resolve", resolve);
    // the daemon the client reached: 127.0.0.1:25, or for an IPv6 client
    // the config's first Family=inet6 daemon (at ::1 unless it says Addr=)
    std::string daemon = "MTA", daemon_addr = "127.0.0.1", family = "inet";
    if (v6) {
        daemon = "MTA-v6";
        daemon_addr = anynet_ntoa("::1", cfg.options.compressed_ipv6);
        family = "inet6";
        for (const Options::Daemon& dp : cfg.options.daemons) {
            if (dp.family != "inet6") continue;
            if (!dp.name.empty()) daemon = dp.name;
            if (!dp.addr.empty()) daemon_addr = anynet_ntoa(dp.addr, cfg.options.compressed_ipv6);
            break;
        }
    }
    define("daemon_name", daemon);
    define("daemon_addr", daemon_addr);
    define("daemon_port", "25");
    define("daemon_family", family);
    define("daemon_flags", "");
    // this client's connections and rate in the daemon's memory: this one
    define("client_connections", "1");
    define("client_rate", "1");
    define("opMode", "d");
    define("v", setup.version);
    define("Z", setup.version);
    define("b", setup.date.empty() ? arpadate(std::time(nullptr)) : setup.date);
    new_queue_id();
    return authinfo;
}

SmtpReply SmtpServer::connect(const ClientInfo& client) {
    Impl& d = *impl_;
    SmtpReply r;
    d.begin(r);
    std::string authinfo = d.identify_client(client);
    // check_relay, before the greeting (daemon only)
    std::string relay_name = d.macro("client_name");
    if (d.rscheck("check_relay", relay_name, d.macro("client_addr"), true, false, "") == Impl::Check::Reject) {
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
    // greet_pause: a client that talks during the pause gets a 554
    // greeting, and "Command rejected" to what it sends after it
    if (!d.nullserver) {
        std::optional<Tokens> pause = d.rscap("greet_pause", d.peerhostname, d.macro("client_addr"));
        long msecs = 0;
        if (pause && pause->size() >= 2 && meta::first((*pause)[0]) == meta::CANONNET)
            msecs = std::strtol((*pause)[1].c_str(), nullptr, 10);
        if (msecs > 0 && client.talks_first) {
            d.nullserver = "550 5.0.0 Command rejected";
            r.lines.push_back("554 " + d.myhostname() + " ESMTP not accepting messages");
            return r;
        }
    }
    r.lines.push_back("220 " + d.greeting_text());
    return r;
}

bool SmtpServer::checks_auth() const { return !impl_->setup.accounts.empty(); }

SmtpReply SmtpServer::authenticate(const std::string& user, const std::string& mech) {
    Impl& d = *impl_;
    SmtpReply r;
    d.begin(r);
    if (d.nullserver) {
        r.lines.push_back(*d.nullserver);
        return r;
    }
    d.authenticated = true;
    d.define("auth_type", mech);
    d.define("auth_authen", xtextify(user, "=<>\")"));
    d.define("auth_ssf", "0");
    d.protocol = d.tls_active ? "ESMTPSA" : "ESMTPA";
    r.lines.push_back("235 2.0.0 OK Authenticated");
    return r;
}

SmtpReply SmtpServer::command(const std::string& line) {
    Impl& d = *impl_;
    SmtpReply r;
    d.begin(r);
    if (d.closed) return r;
    if (d.sasl) {  // an AUTH exchange takes every line, even QUIT
        d.sasl_response(line);
        return r;
    }
    // The first command of a session (or of one after STARTTLS) that reads
    // like HTTP or a proxy's: an open proxy relaying a web client; dropped.
    if (d.first_command) {
        d.first_command = false;
        for (const char* http : {"GET", "POST", "CONNECT", "USER"}) {
            std::size_t n = std::strlen(http);
            // the line's CR LF counts as the blank after the word: "GET" alone too
            if (line.size() >= n && ascii_iequal(line.substr(0, n), http) &&
                (line.size() == n || std::isspace(static_cast<unsigned char>(line[n])))) {
                r.lines.push_back("421 4.7.0 " + d.myhostname() + " Rejecting open proxy " + d.macro("_"));
                r.closes = d.closed = true;
                return r;
            }
        }
    }
    SmtpCommand c;
    c.line = line;
    // the verb: after leading blanks, up to white space of any kind (a TAB too)
    auto space = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
    std::size_t b = 0;
    while (b < line.size() && space(line[b])) ++b;
    std::size_t e = b;
    while (e < line.size() && !space(line[e])) ++e;
    c.verb = ascii_upper(line.substr(b, e - b));
    while (e < line.size() && space(line[e])) ++e;
    c.arg = line.substr(e);
    d.dispatch(c, r);
    return r;
}

SmtpReply SmtpServer::message(const std::vector<std::string>& lines) {
    Impl& d = *impl_;
    SmtpReply r;
    d.begin(r);
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
    else r.lines.push_back("250 2.0.0 " + d.macro("i") + " Message accepted for delivery");
    d.held.reset();
    d.clear_envelope();
    return r;
}

} // namespace cfkit
