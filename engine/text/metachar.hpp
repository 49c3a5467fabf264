// Sendmail's internal byte codes for `$`-sequences in rules (sendmail.h,
// "Special characters in rewriting rules"). Rules and workspaces are byte
// strings in which these stand for the operators; cfkit keeps the same bytes
// so that quirks that depend on them (a map result beginning with 0x99 ...)
// come out the same.
#pragma once

#include <string>

namespace cfkit::meta {

constexpr unsigned char MACROEXPAND = 0x81;   // $x before expansion
constexpr unsigned char MACRODEXPAND = 0x82;  // $&x
constexpr unsigned char LOOKUPBEGIN = 0x85;   // $(
constexpr unsigned char LOOKUPEND = 0x86;     // $)
constexpr unsigned char MATCHZANY = 0x90;     // $*
constexpr unsigned char MATCHANY = 0x91;      // $+
constexpr unsigned char MATCHONE = 0x92;      // $-
constexpr unsigned char MATCHCLASS = 0x93;    // $=X
constexpr unsigned char MATCHNCLASS = 0x94;   // $~X
constexpr unsigned char MATCHREPL = 0x95;     // $1..$9
constexpr unsigned char CANONNET = 0x96;      // $#
constexpr unsigned char CANONHOST = 0x97;     // $@ (LHS: match zero tokens)
constexpr unsigned char CANONUSER = 0x98;     // $:
constexpr unsigned char CALLSUBR = 0x99;      // $>
constexpr unsigned char CONDIF = 0x9A;        // $?x
constexpr unsigned char CONDELSE = 0x9B;      // $|
constexpr unsigned char CONDFI = 0x9C;        // $.
constexpr unsigned char HOSTBEGIN = 0x9D;     // $[
constexpr unsigned char HOSTEND = 0x9E;       // $]
constexpr unsigned char METAQUOTE = 0xFF;     // next byte is literal

constexpr unsigned char MATCHZERO = CANONHOST;

inline bool is_meta(unsigned char c) { return (c & 0xE0) == 0x80; }
inline unsigned char first(const std::string& tok) {
    return tok.empty() ? 0 : static_cast<unsigned char>(tok[0]);
}

} // namespace cfkit::meta
