// The SMTP commands of srvrsmtp.c, one handler each, found through a table
// of verbs (sendmail's cmdtab). Replies to errors go through Impl::error()
// and friends, whose texts come from engine/mail/reply.hpp.
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/smtp/server_state.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {

constexpr int kMaxBadCommands = 25;  // MAXBADCOMMANDS

using Handler = void (SmtpServer::Impl::*)(const SmtpCommand&, SmtpReply&);

struct Verb {
    const char* name;
    Handler handle;        // nullptr: known to sendmail, not simulated (answered as unknown)
    bool in_null_server;   // still served after check_relay rejected the client
};

const Verb kVerbs[] = {
    {"HELO", &SmtpServer::Impl::on_helo, true},
    {"EHLO", &SmtpServer::Impl::on_helo, true},
    {"MAIL", &SmtpServer::Impl::on_mail, false},
    {"RCPT", &SmtpServer::Impl::on_rcpt, false},
    {"DATA", &SmtpServer::Impl::on_data, false},
    {"RSET", &SmtpServer::Impl::on_rset, true},
    {"NOOP", &SmtpServer::Impl::on_noop, true},
    {"QUIT", &SmtpServer::Impl::on_quit, true},
    {"VRFY", &SmtpServer::Impl::on_vrfy_expn, false},
    {"EXPN", &SmtpServer::Impl::on_vrfy_expn, false},
    {"ETRN", &SmtpServer::Impl::on_etrn, false},
    {"HELP", &SmtpServer::Impl::on_help, false},
    {"VERB", nullptr, false},
    {"AUTH", &SmtpServer::Impl::on_auth, false},
    {"STARTTLS", &SmtpServer::Impl::on_starttls, false},
    {"ONEX", nullptr, false},
    {"XUSR", nullptr, false},
};

const Verb* find_verb(const std::string& verb) {
    for (const Verb& v : kVerbs)
        if (verb == v.name) return &v;
    return nullptr;
}

// HELO/EHLO's argument check: the name, or nullopt when it has a byte
// sendmail refuses (or words after it).
std::optional<std::string> helo_name(const std::string& arg) {
    for (std::size_t i = 0; i < arg.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(arg[i]);
        if (c >= 0x80) return std::nullopt;
        if (std::isalnum(c)) continue;
        if (c == ' ' || c == '\t') {
            if (arg.find_first_not_of(" \t", i) != std::string::npos) return std::nullopt;
            return arg.substr(0, i);
        }
        if (!std::strchr("[].-_#:", c)) return std::nullopt;
    }
    return arg;
}

} // namespace

void SmtpServer::Impl::dispatch(const SmtpCommand& c, SmtpReply& r) {
    const Verb* v = find_verb(c.verb);
    if (nullserver && v && !v->in_null_server) {
        if (++bad_commands > kMaxBadCommands) {
            say("421 4.7.0 " + myhostname() + " Too many bad commands; closing connection");
            r.closes = closed = true;
            return;
        }
        say(*nullserver);
        return;
    }
    Handler h = v && v->handle ? v->handle : &Impl::on_unknown;
    (this->*h)(c, r);
}

void SmtpServer::Impl::on_helo(const SmtpCommand& c, SmtpReply&) {
    if (c.arg.empty()) {
        error("501 5.0.0 " + c.line + " requires domain address");
        return;
    }
    std::optional<std::string> name = helo_name(c.arg);
    if (!name) {
        error("501 5.0.0 Invalid domain name");
        return;
    }
    if (gothello || gotmail) clear_envelope();
    bool ehlo = c.verb == "EHLO";
    protocol = !ehlo ? "SMTP" : std::string("ESMTP") + (tls_active ? "S" : "") + (authenticated ? "A" : "");
    sendinghost = *name;
    gothello = true;
    std::string hello = myhostname() + " Hello " + macro("_") + ", pleased to meet you";
    if (!ehlo) {
        say("250 " + hello);
        return;
    }
    say("250-" + hello);
    if (nullserver) {
        say("250 ENHANCEDSTATUSCODES");
        return;
    }
    std::vector<std::string> ext = ehlo_extensions();
    for (std::size_t i = 0; i < ext.size(); ++i) say((i + 1 < ext.size() ? "250-" : "250 ") + ext[i]);
}

// $f: the sender through rulesets 3, 1 and 4 (setsender()).
void SmtpServer::Impl::define_sender(const std::string& addr, const Address& a) {
    ScanOptions so;
    so.delim = ' ';
    ScanResult sr = prescan(addr, s.tables().internal, so);
    IdTokens ids = intern_tokens(sr.tokens);
    rewrite(s, ids, 3);
    rewrite(s, ids, 1);
    rewrite(s, ids, 4);
    Tokens ws = token_texts(ids);
    // setsender(): buf[MAXNAME + 2], size - 2
    std::string f = join_tokens(s, ws, 0, std::string::npos, '\0', false, limits::kMaxName);
    if (!f.empty() && f[0] == '@' && !(a.mailer && a.mailer->flags.find('<') != std::string::npos)) f = "<" + f + ">";
    define("f", f);
}

// MAIL's or RCPT's ESMTP parameters; false when one was refused (the reply is sent).
bool SmtpServer::Impl::esmtp_params(const std::string& params, bool rcpt) {
    EsmtpState rcpt_state;
    bool have_orcpt = false;
    if (!rcpt) esmtp = EsmtpState{};
    EsmtpState& st = rcpt ? rcpt_state : esmtp;
    for (const EsmtpParam& prm : split_esmtp_params(params)) {
        std::string err = rcpt ? rcpt_param(prm, st, have_orcpt) : mail_param(prm, st);
        for (const auto& m : st.macros) define(m.first, m.second);
        if (!err.empty()) {
            error(err);
            return false;
        }
    }
    return true;
}

void SmtpServer::Impl::on_mail(const SmtpCommand& c, SmtpReply&) {
    if (!gothello && privacy("needmailhelo")) return error("503 5.0.0 Polite people say HELO first");
    if (gotmail) return error("503 5.5.0 Sender already specified");
    SkipWord sw = skip_word(c.arg, "from");
    if (!sw.rest) return error(sw.error);
    const std::string& addr = *sw.rest;
    define("r", protocol.empty() ? "SMTP" : protocol);
    define("s", sendinghost ? *sendinghost : peerhostname);
    define("ntries", "0");
    define("nrcpts", "0");
    define("nbadrcpts", "0");
    define("addr_type", "e s");
    std::size_t end = 0;
    std::optional<Address> a = parseaddr(addr, false, kSenderAddress, end);
    if (replied_error) return;
    if (!a) return error("553 5.1.0 " + addr + "... Address syntax error");
    const std::string& text = a->paddr;
    define_sender(addr, *a);
    define("addr_type", "e s");
    define("mail_mailer", a->mailer ? a->mailer->name : a->mailer_name);
    define("mail_host", !a->has_host && local(*a) ? "localhost" : a->host);
    define("mail_addr", a->user);
    define("mail_from", text);
    // the ESMTP parameters, before check_mail
    if (!esmtp_params(end < addr.size() ? addr.substr(end + 1) : std::string(), false)) return;
    if (rscheck("check_mail", text, std::nullopt, true, false, text) == Check::Reject) return;
    undefine("addr_type");
    long max = std::atol(option("MaxMessageSize").c_str());
    if (max > 0 && (esmtp.size > max || esmtp.size < 0))
        return error("552 5.2.3 Message size exceeds fixed maximum message size (" + std::to_string(max) + ")");
    say(format_reply("250 2.1.0 Sender ok", text));
    gotmail = true;
}

void SmtpServer::Impl::on_rcpt(const SmtpCommand& c, SmtpReply&) {
    for (const char* m : {"rcpt_mailer", "rcpt_host", "rcpt_addr"}) undefine(m);
    if (!gotmail) return error("503 5.0.0 Need MAIL before RCPT");
    long max_rcpts = std::atol(option("MaxRecipientsPerMessage").c_str());
    if (max_rcpts > 0 && nrcpts >= max_rcpts) return error("452 4.5.3 Too many recipients");
    SkipWord sw = skip_word(c.arg, "to");
    if (!sw.rest) return error(sw.error);
    const std::string& addr = *sw.rest;
    define("addr_type", "e r");
    std::size_t end = 0;
    std::optional<Address> a = parseaddr(addr, true, 0, end);
    undefine("addr_type");
    if (replied_error) return;
    if (!a) return error("501 5.0.0 Missing recipient");
    define("rcpt_mailer", a->mailer ? a->mailer->name : a->mailer_name);
    define("rcpt_host", a->host);
    define("rcpt_addr", a->user);
    if (!esmtp_params(end < addr.size() ? addr.substr(end + 1) : std::string(), true)) return;
    define("nrcpts", std::to_string(nrcpts));
    define("addr_type", "e r");
    if (rscheck("check_rcpt", a->paddr, std::nullopt, true, false, a->paddr) == Check::Reject) return;
    undefine("addr_type");
    if (discard) a->state = Address::State::Verified;
    // aliases are expanded at RCPT time only when delivery is interactive
    std::string mode = ascii_lower(option("DeliveryMode"));
    rcpt_list.vrfy_only = mode.empty() || mode[0] != 'i';
    std::vector<AddressError> errs;
    int idx = rcpt_list.add(*a, 0, errs);
    if (send_first(errs) || idx < 0) return;
    const Address& q = rcpt_list.queue[static_cast<std::size_t>(idx)];
    if (q.state == Address::State::BadAddr) return error("550 5.1.1 Addressee unknown", q.paddr);
    ++nrcpts;
    for (const char* m : {"rcpt_mailer", "rcpt_host", "rcpt_addr", "dsn_notify"}) undefine(m);
    bool queued = q.state == Address::State::QueueUp;
    say(format_reply(std::string("250 2.1.5 Recipient ok") + (queued ? " (will queue)" : ""), q.paddr));
}

void SmtpServer::Impl::on_data(const SmtpCommand&, SmtpReply&) {
    if (!gotmail) return error("503 5.0.0 Need MAIL command");
    if (nrcpts == 0) return error("503 5.0.0 Need RCPT (recipient)");
    if (rscheck("check_data", std::to_string(nrcpts), std::nullopt, true, true, "") == Check::Reject) return;
    say("354 End data with <CR><LF>.<CR><LF>");
    in_data = true;
}

void SmtpServer::Impl::on_rset(const SmtpCommand&, SmtpReply&) {
    clear_envelope();
    say("250 2.0.0 Reset state");
}

void SmtpServer::Impl::on_noop(const SmtpCommand& c, SmtpReply&) {
    rscheck("check_other", c.line, std::string("2"), false, true, "");
    say("250 2.0.0 OK");
}

void SmtpServer::Impl::on_quit(const SmtpCommand&, SmtpReply& r) {
    say("221 2.0.0 " + myhostname() + " closing connection");
    r.closes = closed = true;
}

void SmtpServer::Impl::on_vrfy_expn(const SmtpCommand& c, SmtpReply&) {
    bool vrfy = c.verb == "VRFY";
    if (vrfy ? privacy("novrfy") : privacy("noexpn")) {
        if (vrfy) say("252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)");
        else say("502 5.7.0 Sorry, we do not allow this operation");
        return;
    }
    if (!gothello && privacy(vrfy ? "needvrfyhelo" : "needexpnhelo"))
        return error("503 5.0.0 I demand that you introduce yourself first");
    if (c.arg.empty()) return error("501 5.5.2 Argument required");
    if (rscheck(vrfy ? "check_vrfy" : "check_expn", c.arg, std::nullopt, true, false, "") == Check::Reject) return;
    RecipientList vq(s, aliases);
    vq.vrfy_only = vrfy;
    std::vector<AddressError> errs;
    vq.send_to_list(c.arg, -1, 0, errs);
    if (send_first(errs)) return;
    if (vq.queue.empty()) return error(std::string("554 5.5.2 Nothing to ") + (vrfy ? "VRFY" : "EXPN"));
    std::vector<const Address*> shown = vq.in_sendmail_order();
    for (std::size_t i = 0; i < shown.size(); ++i) {  // printvrfyaddr()
        const Address& q = *shown[i];
        bool is250 = !vrfy || !q.mailer || q.mailer->flags.find('q') != std::string::npos;
        std::string head = std::string(is250 ? "250" : "252") + (i + 1 == shown.size() ? " " : "-") + "2.1.5 ";
        bool rfc822 = !q.mailer || !q.mailer->addr_type || ascii_lower(*q.mailer->addr_type) == "rfc822";
        std::string who = rfc822 && q.user.find('@') == std::string::npos ? "<" + q.user + "@" + myhostname() + ">"
                                                                          : "<" + q.user + ">";
        say(head + (q.fullname.empty() ? who : q.fullname + " " + who));
    }
}

void SmtpServer::Impl::on_etrn(const SmtpCommand& c, SmtpReply&) {
    if (privacy("noetrn")) {
        say("502 5.7.0 Sorry, we do not allow this operation");
        return;
    }
    if (c.arg.empty()) return error("500 5.5.2 Parameter required");
    if (rscheck("check_etrn", c.arg, std::nullopt, true, false, "") == Check::Reject) return;
    if (c.arg[0] != '#') {
        say("250 2.0.0 Queuing for node " + c.arg + " started");
        return;
    }
    // a queue group
    std::string id = c.arg.substr(1);
    bool known = ascii_lower(id) == "mqueue";
    for (const std::string& g : cfg.queue_groups) known = known || ascii_lower(g) == ascii_lower(id);
    if (!known) error("459 4.5.4 Queue " + id + " unknown");
    else say("250 2.0.0 Queuing for queue group " + id + " started");
}

void SmtpServer::Impl::on_help(const SmtpCommand& c, SmtpReply&) {
    std::optional<std::string> text;
    const DontBlame& dbs = cfg.options.dont_blame;
    if (cfg.options.help_file &&
        safefile(*cfg.options.help_file, FileUser::root(), help_file_flags(dbs), dbs, false).error == 0) {
        std::ifstream in(*cfg.options.help_file);
        if (in) text = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    CollectingReporter sink;
    auto expand_line = [&](const std::string& l) {
        return expand(translate_dollars(l, cfg.config_level, s.env.names, sink), s.env, sink);
    };
    for (std::string& l : help_reply(text, c.arg, setup.version, expand_line)) say(l);
}

// An unknown command: check_other first; its error replaces the 500.
void SmtpServer::Impl::on_unknown(const SmtpCommand& c, SmtpReply&) {
    if (rscheck("check_other", c.line, std::string("5"), false, true, "") == Check::Reject) return;
    say("500 5.5.1 Command unrecognized: \"" + c.line + "\"");
}

} // namespace cfkit
