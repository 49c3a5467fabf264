// Sendmail 8.17's limits, with its numbers (conf.h, sendmail.h, conf.c,
// parseaddr.c). Each has a test that reaches it and checks the message.
#pragma once

#include <cstddef>

namespace cfkit::limits {

constexpr int kMaxAtom = 1000;            // MAXATOM: tokens per workspace / prescan
constexpr int kMaxName = 256;             // MAXNAME: bytes per token
constexpr int kMaxTestAddress = 255;      // -bt address length (MAXNAME - 1)
constexpr int kPsBufSize = kMaxName + kMaxAtom;  // PSBUFSIZE: token text buffer
constexpr int kMaxLine = 2048;            // MAXLINE: expanded rule half, input line
constexpr int kRuleBufSize = kMaxLine + kMaxAtom;  // readcf's rule tokenizer buffer
constexpr int kMacBufSize = 4096;         // MACBUFSIZE: expansion scratch
constexpr int kMaxMatch = 9;              // MAXMATCH: wildcards per LHS
constexpr int kMaxMapArgs = 10;           // MAX_MAP_ARGS (8 usable)
constexpr int kMaxKey = 1024;             // MAXKEY: map key
constexpr int kMaxRulesets = 200;         // MAXRWSETS: 0-99 numbered, 100-199 named
constexpr int kMaxSubr = 16;              // MAX_SUBR: calls per RHS (15 usable)
constexpr int kMaxRuleRecursion = 50;     // MaxRuleRecursion
constexpr int kLoopLimit = 100;           // applications of one rule in a row
constexpr int kMaxMacroRecursion = 10;    // MaxMacroRecursion
constexpr int kMaxMacroNameLen = 25;      // MAXMACNAMELEN
constexpr int kFirstLongMacroId = 0xA0;   // long macro ids: 0xA0..0xFF
constexpr int kMaxMacroId = 0xFF;
constexpr int kMaxPriorities = 25;        // MAXPRIORITIES (P lines)
constexpr int kMaxMailers = 25;           // MAXMAILERS
constexpr int kMaxMapStack = 128;         // MAXMAPSTACK: sequence members, alias maps (12 upstream; Debian's maxseq.patch)
constexpr int kStabSize = 2003;           // symbol table buckets (class dump order)
constexpr int kShortenLen = 203;          // MAXSHORTSTR for "addr... " prefixes
constexpr long kMaxHeadersLength = 32 * 1024;  // MAXHDRSLEN: MaxHeadersLength default
constexpr std::size_t kMustQuoteMax = 40;     // MustQuoteChars this long are ignored (setoption's buf[50])

} // namespace cfkit::limits
