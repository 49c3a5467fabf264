// Turning tokens back into text: sendmail's xputs()/printav() (how -bt shows
// a token) and cataddr() (how tokens are joined into a string for class
// lookups, map keys and the resolved triple).
#pragma once

#include <string>
#include <string_view>

#include "engine/text/symbols.hpp"
#include "engine/text/token_pool.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {

// One token or string as -bt prints it: meta bytes as `$*`, `$={name}`,
// control bytes dropped, 8-bit bytes as `M-x`.
std::string xputs(std::string_view s, const MacroNames& names);
// The same, appended to `out` (no temporary string: -bt prints a lot).
void append_xputs(std::string& out, std::string_view s, const MacroNames& names);

// A token list as -bt prints it after "input:": " tok" each, then LF.
std::string printav(const Tokens& toks, const MacroNames& names);
void append_printav(std::string& out, const Tokens& toks, const MacroNames& names);
std::string printav(const IdTokens& toks, const MacroNames& names);
void append_printav(std::string& out, const IdTokens& toks, const MacroNames& names);

constexpr int kNoSpaceSep = 256;  // cataddr: never insert a separator

// Joins toks[first..last] (inclusive; last == npos: to the end). A separator
// goes only between two tokens that both start with an atom byte of the
// internal table. `size` is the buffer size sendmail would use (the result
// holds at most size-2 bytes). `spacesub` 0 means `default_spacesub`.
std::string cataddr(const Tokens& toks, std::size_t first, std::size_t last, int size,
                    int spacesub, bool external, const TokenTable& internal,
                    char default_spacesub);
std::string cataddr(const IdTokens& toks, std::size_t first, std::size_t last, int size,
                    int spacesub, bool external, const TokenTable& internal,
                    char default_spacesub);

} // namespace cfkit
