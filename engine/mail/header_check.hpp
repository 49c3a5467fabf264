// The header check of chompheader() (headers.c): a header whose field has a
// check ruleset (`H name: $>ruleset`, or the default `H*: $>ruleset`) is
// run through it with {currHeader}, {hdr_name}, {hdrlen} and {addr_type}
// set, the way rscheck() runs it.
#pragma once

#include <optional>
#include <string>

#include "engine/mail/reply.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit {

struct HeaderCheck {
    std::string ruleset;
    Tokens result;                      // the workspace at the end
    std::optional<ErrorReply> error;    // a `$#error` result (not quarantine)
    bool discard = false;
    std::optional<std::string> quarantine;
};

// nullopt when the field has no check ruleset (or it does not exist).
// `value` is the text after the colon, leading blanks included. Messages
// from the rules go to s.reporter (not for unstructured fields).
// `to` is the envelope's current address (e->e_to), shown in front of the
// check's error message for the codes that show one.
std::optional<HeaderCheck> check_header(Session& s, const std::string& name, const std::string& value,
                                        const std::string& to = std::string());

} // namespace cfkit
