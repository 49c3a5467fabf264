// The argument syntax of the SMTP server's commands (srvrsmtp.c): the
// "FROM:" / "TO:" word, the ESMTP parameters of MAIL and RCPT with their
// checks and messages, and HELP's help file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cfkit {

// skipword(): `text` must start with `word` (any case) and a colon. The
// rest after it, or the error reply.
struct SkipWord {
    std::optional<std::string> rest;
    std::string error;
};
SkipWord skip_word(const std::string& text, const std::string& word);

// One parameter as parse_esmtp_args() splits it.
struct EsmtpParam {
    std::string key;
    std::optional<std::string> value;  // nullopt: no '='
};
std::vector<EsmtpParam> split_esmtp_params(const std::string& text);

// What the parameters of one transaction set so far.
struct EsmtpState {
    bool envid = false, ret = false, auth = false;
    long size = 0;
    std::map<std::string, std::string> macros;  // {msg_size}, {dsn_envid}, {dsn_ret}, {auth_author}, {dsn_notify}
};

// mail_esmtp_args() / rcpt_esmtp_args(): "" or the error reply (usrerr text).
std::string mail_param(const EsmtpParam& p, EsmtpState& st);
std::string rcpt_param(const EsmtpParam& p, EsmtpState& st, bool& have_orcpt);

// xtextok() and isatom() of RFC 3461's parameter values.
bool xtext_ok(const std::string& s);
bool is_atom(const std::string& s);

// help(): the reply lines for HELP [topic] from the help file's text
// (`file`: nullopt when there is none or it cannot be read). `expand`
// expands a line's macros (help files of version 2 and up).
std::vector<std::string> help_reply(const std::optional<std::string>& file, const std::string& topic,
                                    const std::string& version,
                                    const std::function<std::string(const std::string&)>& expand);

} // namespace cfkit
