// Session scripts as JSON, for programs. The document is turned into the
// line format (engine/smtp/session_script.hpp) so both mean exactly the same:
//
//   {"connect": "203.0.113.9 name=evil.example.net",   (or {"address", "name", "port"})
//    "dns": ["foo.com A 192.0.2.100", ["foo.com", "MX", "10", "mx.foo.com"]],
//    "steps": ["ehlo client.example",
//              {"mail": "<spam@foo.com>", "expect": "550"},
//              {"data": ["Subject: hi", "", "body"]},
//              {"macro": ["client_resolve", "FORGED"]},
//              "quit"]}
//
// A step is a string (a script line) or an object with one command key
// whose value is a string or a list of words (for data: the message lines),
// and an optional "expect": a string or a list of them, as after `expect`.
#pragma once

#include <string>
#include <vector>

namespace cfkit {

struct JsonScript {
    std::string text;                // the script in the line format
    std::vector<std::string> where;  // for each line of `text`, its place in the JSON ("steps[2]")
};

// false with `error` set ("line 3, column 5: ..." for syntax errors, or the
// element that is wrong).
bool json_session_script(const std::string& json, JsonScript& out, std::string& error);

// True when `text` looks like JSON (its first non-blank byte is '{').
bool looks_like_json(const std::string& text);

} // namespace cfkit
