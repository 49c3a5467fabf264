// Every error reply is built here: how sendmail turns a check ruleset's
// `$#error $@ HOST $: TEXT` result (buildaddr()), a usrerr() or syserr()
// raised while rules run, and a message's text and address (fmtmsg()) into
// the SMTP reply a client sees, or the line test mode prints. The SMTP
// server (engine/smtp/), parseaddr() (address.cpp), header checks and test
// mode all come here; none of them formats a reply of its own.
#pragma once

#include <optional>
#include <string>

#include "engine/text/diagnostic.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {

class Session;
struct Config;

// One message sendmail would issue (usrerr/syserr) while parsing or
// checking: `text` starts with its SMTP code ("553 Unbalanced '<'"), `to`
// is e->e_to then (the address fmtmsg() puts in front).
struct AddressError {
    std::string text;
    std::string to;
    bool syserr = false;
    bool complete = false;  // a finished reply line (an `error` mailer's)
};

struct ErrorReply {
    std::string line;      // the reply line without CR LF, e.g. "550 5.7.1 <a@b>... Access denied"
    bool tempfail = false; // the code starts with 4 (the command is still refused)
    int exit_status = 0;   // what buildaddr() sets ExitStat to (setstat): from $@
};

// dsntoexitstat(): an enhanced status code as a sysexits value.
int dsn_exit_status(const std::string& dsn);

// isenhsc(): length of an enhanced status code ("5.7.1", each part after the
// class 1 to 3 digits) at the start of
// `s` followed by `delim` (or the end when delim is '\0'); 0 if none.
std::size_t enhanced_code_length(const std::string& s, char delim);

// usrerr(fmt) in SMTP: `text` may start with "NNN " and an enhanced code;
// missing parts get 550 and the class's x.0.0. `to` is the current address
// ("<a@b>"), printed before the message for 050/250/252/450/550/553.
// `enhanced` is the code given separately (usrerrenh), if any.
std::string format_reply(const std::string& text, const std::string& to, const std::string& enhanced = "",
                         bool soft_bounce = false);

// The reply for an `error` mailer result. `host` and `user` are the joined
// $@ and $: parts (cataddr'd as buildaddr does); has_user false: no `$:`.
ErrorReply error_mailer_reply(bool has_host, const std::string& host, bool has_user, const std::string& user,
                              const std::string& to, bool soft_bounce = false);

// buildaddr() of a `$#error ...` workspace: the reply it sends.
ErrorReply error_result_reply(Session& s, const Tokens& ws, const std::string& to);

// What a message raised while rules run issues: a syserr() as "554 5.3.0
// TEXT", a usrerr() with `to` in front; plain notes and message()s
// (the host map's "Name server timeout") are no errors: nullopt.
std::optional<AddressError> rule_error(const Diagnostic& d, const std::string& to);

// The SMTP reply line of an issued error: a finished line as it is, any
// other through format_reply().
std::string reply_line(const AddressError& e, bool soft_bounce = false);

// A message as test mode prints it: no reply codes; the address in front
// for the codes that show it (fmtmsg()).
std::string bt_text(const AddressError& e);

} // namespace cfkit
