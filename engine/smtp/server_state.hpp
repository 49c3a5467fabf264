// The SMTP server's state and its helpers, shared by server.cpp (the
// connection, checks, the message) and verbs.cpp (one handler per SMTP
// command, dispatched from a table as srvrsmtp.c's cmdtab). Internal to
// engine/smtp/: callers use server.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/mail/address.hpp"
#include "engine/mail/recipients.hpp"
#include "engine/mail/reply.hpp"
#include "engine/names/name_service.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/smtp/esmtp_params.hpp"
#include "engine/smtp/server.hpp"
#include "engine/smtp/tls_peer.hpp"

namespace cfkit {

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
    void ruleset_enter(int rs, const std::string&, const IdTokens&, int) override;
    void ruleset_return(int, const std::string&, const IdTokens&, int) override;
    void rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>&) override;
    void rewritten(int rs, const IdTokens& ws) override;
    void reset();
    // A remembered run (RewriteMemo) hands over the `$#` results it produced.
    bool memo_safe() const override { return true; }
    std::size_t memo_mark() const override { return produced_.size(); }
    std::shared_ptr<const void> memo_delta(std::size_t mark) const override;
    void memo_apply(const std::shared_ptr<const void>& delta) override;

private:
    // One entry per active ruleset: a rule whose RHS calls a ruleset
    // ($#error ... $>DnsblText ...) is rewritten after the callee's rules
    // matched, so the last match of its own ruleset is the one that counts.
    struct Active {
        int rs;
        Hit last;
    };
    std::vector<Active> active_;
    // Every `$#` result's rule since reset(), in order (`hit` is the first).
    std::vector<Hit> produced_;
};

// One command line as the client sent it, split as srvrsmtp.c splits it.
struct SmtpCommand {
    std::string line;  // the whole line
    std::string verb;  // upper case
    std::string arg;   // after the verb, leading blanks skipped
};

// The mechanisms of the Cyrus SASL plugins installed here.
const std::vector<std::string>& installed_sasl_mechs();
// `s` cut at any of `seps`, empty words dropped.
std::vector<std::string> split_words_on(const std::string& s, const char* seps);

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
    std::string protocol;  // "SMTP" / "ESMTP" (+S, +A)
    std::optional<std::string> sendinghost;
    std::string peerhostname;
    bool authenticated = false;
    // An AUTH exchange waiting for the client's next line (every line is
    // then a SASL response): the mechanism as typed, the step, the user.
    struct SaslExchange {
        std::string mech;
        int step = 0;
        std::string user;
        std::string challenge;  // CRAM-MD5's
    };
    std::optional<SaslExchange> sasl;
    bool tls_active = false;
    std::optional<bool> tls_usable;  // initsrvtls()'s answer, once asked
    // envelope state
    bool gotmail = false;
    int nrcpts = 0;
    bool discard = false;
    AliasFiles aliases;
    RecipientList rcpt_list;     // the envelope's recipients (e_sendqueue)
    EsmtpState esmtp;            // MAIL's parameters
    SmtpReply* cur = nullptr;    // the reply being built
    bool replied_error = false;  // only the first error of a command is sent
    // While a message is read, errors are held (buffer_errors()): one held
    // message, which a later error replaces unless a 4xx would replace a
    // 5xx; it is the reply after the dot.
    bool holding = false;
    std::optional<std::string> held;

    Impl(const Config& c, ServerSetup st);

    // A new reply for the next client action.
    void begin(SmtpReply& r);

    // macros and options
    MacroId mid(const std::string& name);
    void define(const std::string& name, const std::string& v);
    void undefine(const std::string& name);
    std::string macro(const std::string& name);
    std::string option(const std::string& name) const;  // by sendmail's long name
    bool privacy(const std::string& flag) const;          // PrivacyOptions, goaway included
    std::string myhostname() { return macro("j"); }

    // replies (the text of every error reply comes from engine/mail/reply.hpp)
    void say(const std::string& line) { cur->lines.push_back(line); }
    void error_line(const std::string& line);  // puterrmsg(): sent at once (first only), or held
    void error(const std::string& text, const std::string& to = "");  // usrerr()
    void send_error(const AddressError& e) { error_line(reply_line(e, cfg.options.soft_bounce)); }
    bool send_first(const std::vector<AddressError>& errs);  // QuickAbort ends the command there
    void send_rewrite_errors(const std::string& to);

    std::optional<Tokens> run_ruleset(const std::string& name, const std::string& a1,
                                      const std::optional<std::string>& a2, bool rmcomm, CheckRun& run);
    std::optional<Tokens> rscap(const std::string& name, const std::string& a1, const std::string& a2);
    // rscheck(): runs `name` on A1 [$| A2]; Reject means the reply was sent.
    // Discard and quarantine pass.
    enum class Check { Pass, Reject };
    Check rscheck(const std::string& name, const std::string& a1, const std::optional<std::string>& a2,
                  bool rmcomm, bool unstructured, const std::string& to);
    void record_decider(CheckRun& run);
    void check_field(const std::string& field);  // chompheader()'s check of one field

    // parseaddr() of a MAIL/RCPT argument (delimiter ' '). nullopt: an
    // error was sent, or (none sent) there was no address.
    std::optional<Address> parseaddr(const std::string& text, bool isrcpt, unsigned flags, std::size_t& end);
    static bool local(const Address& a) { return a.mailer && a.mailer->flags.find('l') != std::string::npos; }
    void clear_envelope();
    void new_queue_id();  // $i
    int qid_seq = -1;           // assign_queueid()'s sequence number; -1: not yet started
    bool first_command = true;  // the open-proxy check's `first`
    std::string identify_client(const ClientInfo& client);  // returns $_
    std::string greeting_text();
    std::vector<std::string> ehlo_extensions();

    // The SMTP commands (verbs.cpp).
    void dispatch(const SmtpCommand& c, SmtpReply& r);
    bool refused_by_nullserver(const SmtpCommand& c, SmtpReply& r);
    void on_helo(const SmtpCommand& c, SmtpReply& r);
    void on_mail(const SmtpCommand& c, SmtpReply& r);
    void on_rcpt(const SmtpCommand& c, SmtpReply& r);
    void on_data(const SmtpCommand& c, SmtpReply& r);
    void on_rset(const SmtpCommand& c, SmtpReply& r);
    void on_noop(const SmtpCommand& c, SmtpReply& r);
    void on_quit(const SmtpCommand& c, SmtpReply& r);
    void on_vrfy_expn(const SmtpCommand& c, SmtpReply& r);
    void on_etrn(const SmtpCommand& c, SmtpReply& r);
    // STARTTLS (starttls.cpp)
    bool tls_offered();
    void on_starttls(const SmtpCommand& c, SmtpReply& r);
    void tls_done(const TlsPeer& peer);
    // AUTH (auth.cpp)
    struct MechList {
        std::vector<std::string> printed;  // AuthMechanisms' words the library has, as written
        std::size_t library = 0;           // how many the library offers (n_mechs)
    };
    MechList auth_mechanisms();
    void on_auth(const SmtpCommand& c, SmtpReply& r);
    void sasl_response(const std::string& line);
    void sasl_step(const std::optional<std::string>& input);
    void auth_done(const std::string& authcid, const std::string& password);
    std::string sasl_realm();
    void on_help(const SmtpCommand& c, SmtpReply& r);
    void on_unknown(const SmtpCommand& c, SmtpReply& r);
    // parts of MAIL and RCPT
    void define_sender(const std::string& addr, const Address& a);
    bool esmtp_params(const std::string& params, bool rcpt);
};

} // namespace cfkit
