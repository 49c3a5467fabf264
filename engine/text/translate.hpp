// The read-time text layer: `$x` to internal bytes (translate_dollars),
// macro names to ids (macid_parse), macro expansion (expand) and D-line value
// unquoting (munchstring). Sendmail: readcf.c, macro.c.
#pragma once

#include <string>
#include <string_view>

#include "engine/text/diagnostic.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

struct MacroIdResult {
    int id = 0;          // 0: no valid name (sendmail's macid_parse returned 0)
    std::size_t end = 0; // index just after the name in the input
};

// Parses a macro/class name at s[pos]: one byte, or `{name}`.
MacroIdResult macid_parse(std::string_view s, std::size_t pos, MacroNames& names, Reporter& rep);
// The id of a long name given without braces (the server's "client_addr"),
// as macid_parse gives `{name}`'s; 0 when it gives none. A well-formed name
// (most are) is interned without building and parsing "{name}".
int macid_of_name(const std::string& name, MacroNames& names, Reporter& rep);

// A .cf line (or a -bt `.D`/`.C` value) to internal form: raw meta bytes are
// quoted, '#' comments go (config_level >= 3), `$$` becomes `$`, `$x` becomes
// MACROEXPAND + id, trailing white space goes.
std::string translate_dollars(std::string_view line, int config_level, MacroNames& names,
                              Reporter& rep);

// Expands MACROEXPAND/CONDIF sequences with the current macro values.
// `bufsize` is the caller's buffer (the result holds at most bufsize-1 bytes).
std::string expand(std::string_view s, const Env& env, Reporter& rep,
                   int bufsize = 2048);

// quote_internal_chars(): raw meta bytes (0x80-0x9f) and METAQUOTE itself
// get a METAQUOTE in front, so that user input cannot pose as an operator.
std::string quote_internal_chars(std::string_view s);

// D-line value: backslash escapes and '"' quote toggling (munchstring()).
std::string munchstring(std::string_view s);

} // namespace cfkit
