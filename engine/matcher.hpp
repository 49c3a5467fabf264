// Matching one rule's LHS against a workspace: the first half of sendmail's
// rewrite(). Backtracking widens the most recent `$*`/`$+`/`$=X` first and
// every wildcard starts with its shortest span (semantics.md 3.2).
// reference_matcher.cpp (test-only) holds a slow, obviously-correct version
// that the tests compare this one against.
#pragma once

#include <string>
#include <vector>

#include "engine/symbols.hpp"
#include "engine/tokenizer.hpp"

namespace cfkit {

// What one wildcard matched: workspace tokens [first, last] (last = first-1
// for an empty `$*`). `pattern` is the LHS index of the wildcard.
struct MatchRecord {
    int pattern = 0;
    int first = 0;
    int last = -1;
};

struct MatchEnv {
    const Classes& classes;
    const Macros& macros;
    const TokenTable& internal;  // decides where cataddr puts a space in `$=X` phrases
    char space_sub = ' ';
};

// Returns true on a match; `records` then holds one entry per wildcard in
// LHS order ($1, $2, ...).
bool match_lhs(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records);

// sendmail's case-insensitive ASCII comparison of whole tokens.
bool token_equal(const std::string& a, const std::string& b);

} // namespace cfkit
