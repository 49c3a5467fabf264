// How sendmail turns a check ruleset's `$#error $@ HOST $: TEXT` result into
// the SMTP reply a client sees (buildaddr() and fmtmsg()), and the small
// string helpers of the SMTP server that other session code shares.
#pragma once

#include <string>

#include "engine/text/tokenizer.hpp"

namespace cfkit {

struct ErrorReply {
    std::string line;      // the reply line without CR LF, e.g. "550 5.7.1 <a@b>... Access denied"
    bool tempfail = false; // the code starts with 4 (the command is still refused)
    int exit_status = 0;   // what buildaddr() sets ExitStat to (setstat): from $@
};

// dsntoexitstat(): an enhanced status code as a sysexits value.
int dsn_exit_status(const std::string& dsn);

// isenhsc(): length of an enhanced status code ("5.7.1") at the start of
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

} // namespace cfkit
