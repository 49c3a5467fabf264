// How collect() (collect.c) reads a message's header in SMTP: which lines
// are header fields (continuation lines joined to theirs), where the header
// ends, and the counts check_eoh and {msg_size} get. The header checks of
// the fields themselves are check_header()'s (engine/mail/header_check.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/config/headers.hpp"

namespace cfkit {

struct CollectedMessage {
    // The fields chompheader() keeps, in order: "Name: value", continuation
    // lines joined with "\n" (their leading blanks kept), no final newline.
    std::vector<std::string> fields;
    std::size_t header_bytes = 0;  // hdrslen: header bytes incl. newlines and the line that ended it
    std::size_t size = 0;          // e_msgsize: every byte after unstuffing, newlines counted
    // MaxHeadersLength was exceeded: the fields after `fields` were not
    // read (the 552 "Headers too large" goes after their checks).
    bool too_large = false;
};

// `wire` are the lines as the client sends them (a leading '.' is removed,
// as collect() does), without the final ".". `max_headers_length` <= 0:
// no limit.
CollectedMessage collect_message(const std::vector<std::string>& wire, const HeaderTable& headers,
                                 long max_headers_length);

// isheader(): one word, optional blanks, a colon; "--" starts no header.
bool is_header(const std::string& line);

} // namespace cfkit
