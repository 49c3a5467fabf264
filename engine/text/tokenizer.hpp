// The address tokenizer: sendmail's prescan() (parseaddr.c), reimplemented.
//
// Splits a byte string into tokens with one of three character tables:
// External (addresses, `$&` values, map results), Internal (rules below V9,
// map defaults) and NoComments (rules and -bt input from V9 on). The operator
// characters are fixed once, at the first tokenization, and passed in here as
// a value (sendmail patches global tables instead).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/text/limits.hpp"

namespace cfkit {

enum class CharType : std::uint8_t { OPR = 0, ATM = 1, QST = 2, SPC = 3, ONE = 4, ILL = 5 };

using TokenTable = std::array<CharType, 256>;

enum class TableKind { External, Internal, NoComments };

struct TokenTables {
    TokenTable external{}, internal{}, nocomment{};
    const TokenTable& get(TableKind k) const {
        return k == TableKind::External ? external : k == TableKind::Internal ? internal : nocomment;
    }
};

// The tables with `operator_chars` (already macro-expanded) and sendmail's
// fixed delimiters "()<>,;\r\n" made operators.
TokenTables make_token_tables(std::string_view operator_chars);

using Tokens = std::vector<std::string>;

struct ScanOptions {
    int delim = 0;                  // delimiter byte (0: end of string only)
    bool ignore = false;            // readcf mode: no balancing, no messages
    int bufsize = limits::kPsBufSize;
    bool eight_bit_ok = false;      // EightBitAddrOK: keep 0xFF bytes
};

struct ScanResult {
    bool ok = false;                // false: sendmail's prescan returned NULL
    // The tokens; when !ok, the ones finished before the error (they matter
    // because sendmail leaves them in the token array a -bt workspace shares).
    Tokens tokens;
    bool terminated = true;         // the token list was ended (false after an error)
    std::size_t delim_pos = 0;      // where the scan stopped (the delimiter or the end)
    // Messages in -bt form ("addr... Unbalanced '<'"), in the order issued.
    std::vector<std::string> errors;
    // The same messages as usrerr() got them, with their SMTP code
    // ("553 Unbalanced '<'"): the replies of an SMTP server.
    std::vector<std::string> replies;
    // "Address too long": sendmail also cuts its input string to MAXNAME
    // bytes in place; callers whose input outlives the call (a `$&` macro
    // value) must do the same to match later runs.
    bool truncated_input = false;
};

ScanResult prescan(std::string_view addr, const TokenTable& table, const ScanOptions& opt);

} // namespace cfkit
