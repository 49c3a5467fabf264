// Matching one rule's LHS against a workspace: the first half of sendmail's
// rewrite(). Backtracking widens the most recent `$*`/`$+`/`$=X` first and
// every wildcard starts with its shortest span (semantics.md 3.2).
// reference_matcher.cpp (test-only) holds a slow, obviously-correct version
// that the tests compare this one against.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/config/rule_facts.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/token_pool.hpp"
#include "engine/text/tokenizer.hpp"

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
    // Called each time a `$&x` element is evaluated (sendmail's -d21.2 line).
    std::function<void(MacroId, const std::string*)> on_macro = {};
    // -d21.35 / -d21.36: every step (ADVANCE, BACKUP, EXTEND, CLMATCH) as
    // sendmail prints it; `names` renders tokens. Stepping is then exactly
    // sendmail's (no shortcut in class matching).
    std::function<void(const std::string&)> on_step = {};
    int step_level = 0;
    const MacroNames* names = nullptr;
    // The workspace's tokens' folded ids (TokenPool::fold), when the caller
    // has them at hand (the interpreter's WorkspaceIndex); else the matcher
    // works them out.
    const TokId* ws_folds = nullptr;
    // The LHS's make_match_ops(), when the caller keeps them (a compiled
    // rule does); else the matcher makes them.
    const MatchOp* lhs_ops = nullptr;
};

// Returns true on a match; `records` then holds one entry per wildcard in
// LHS order ($1, $2, ...).
bool match_lhs(const IdTokens& lhs, const IdTokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records);
// The same on token texts (interned first): for tests and one-off callers.
bool match_lhs(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records);

// sendmail's case-insensitive ASCII comparison of whole tokens. Inline:
// the matcher calls it for every literal it compares.
inline bool token_equal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

} // namespace cfkit
