// parseaddr() and buildaddr() (parseaddr.c): an address through rulesets 3
// and 0 into sendmail's mailer/host/user triple; the user part then goes
// through ruleset 2, the mailer's R= ruleset and 4. The SMTP server's MAIL,
// RCPT, VRFY and EXPN use it, and so can test mode's /parse.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/mail/reply.hpp"
#include "engine/rewrite/session.hpp"
#include "engine/text/limits.hpp"

namespace cfkit {

struct Address {
    enum class State { Ok, Verified, Expanded, BadAddr, QueueUp, DontSend };
    const Mailer* mailer = nullptr;  // nullptr: the error mailer
    std::string mailer_name;         // as ruleset 0 gave it
    std::string host;                // "" when there is none (allocaddr)
    bool has_host = false;
    std::string user;
    std::string paddr;  // the address as written, up to its delimiter
    std::string fullname;
    State state = State::Ok;
    bool quoted = false;  // the user had a backslash (no aliasing then)
    int parent = -1;      // the alias it came from (an index in a recipient list)
    bool primary = false, rcpt_ok = false;
};

bool same_address(const Address& a, const Address& b);  // sameaddr()

enum AddressFlags : unsigned {
    kSenderAddress = 1,  // RF_SENDERADDR
    kHeaderAddress = 2,  // RF_HEADERADDR
};

struct ParsedAddress {
    // nullopt: prescan or the syntax check failed (parseaddr returned NULL).
    std::optional<Address> address;
    std::vector<AddressError> errors;  // in the order sendmail issues them
    std::size_t end = 0;               // where the address ended (the delimiter)
    bool tempfail = false;             // a ruleset returned EX_TEMPFAIL
    int exit_status = 0;               // an `error` mailer's status for setstat(), 0 if none
    // What e->e_to holds afterwards (parseaddr leaves it pointing at the
    // text, with invalidaddr()'s '?' for 8-bit bytes): later messages that
    // show an address, such as a header check's, put it in front.
    std::string to;
};

// parseaddr(text, delim): `flags` from AddressFlags; `isrcpt` picks the
// recipient forms of the syntax messages. With `live` (test mode) each
// message is also reported there as it happens, in -bt form, so that it
// lands between the rewriting traces where sendmail prints it.
ParsedAddress parse_address(Session& s, const std::string& text, int delim, unsigned flags, bool isrcpt,
                            Reporter* live = nullptr);

// remotename(): an address as it would be handed to mailer `m` (rulesets
// 3, 1 or 2, the mailer's S= or R=, 4, the comments put back). `status`
// becomes 75 when a ruleset failed temporarily.
std::string remote_name(Session& s, const std::string& name, const Mailer& m, unsigned flags, int& status);

struct CrackOptions;
CrackOptions crack_options(const Config& cfg);  // MustQuoteChars, ColonOkInAddr

// cataddr() of tokens as buildaddr() joins them, into a buffer of
// `bufsize` bytes (it holds bufsize - 3 characters): buildaddr's user buffer
// by default; its host buffer and remotename()'s are a byte shorter.
constexpr int kUbufSize = limits::kMaxName + 2;
constexpr int kHbufSize = limits::kMaxName + 1;
constexpr int kLbufSize = limits::kMaxName + 1;
constexpr int kRscheckBufSize = 2 * 8192;  // rscheck()'s ubuf[BUFSIZ * 2], glibc's BUFSIZ
std::string join_tokens(Session& s, const Tokens& t, std::size_t first, std::size_t last, int spacesub,
                        bool external, int bufsize = kUbufSize);

// The first token at or after `from` that starts with `meta_char` ($@,
// $: ...); ws.size() if none.
std::size_t find_meta(const Tokens& ws, std::size_t from, int meta_char);

} // namespace cfkit
