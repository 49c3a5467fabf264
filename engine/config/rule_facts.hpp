// What the compiler works out once per rule for the interpreter: the
// matcher's view of each LHS element (MatchOp) and the prefilter's facts
// (RuleFilter). Part of the compiled configuration (config.hpp), so that
// compiling never needs the matcher; engine/rewrite/ reads them.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/text/token_pool.hpp"

namespace cfkit {

// What the matcher asks of each LHS element, in one 8-byte entry: its first
// byte (the operator, or a literal's), its case-folded id, and the class or
// macro id of `$=X`, `$~X`, `$&x`. Made once per rule (make_match_ops());
// otherwise the matcher would look each element up in the pool at every step.
struct MatchOp {
    TokId fold = 0;
    unsigned char kind = 0;
    unsigned char id = 0;
};
std::vector<MatchOp> make_match_ops(const IdTokens& lhs);

// Facts about a rule's LHS that let the interpreter skip a rule that cannot
// match without running the matcher (the result is the same). They are
// kept apart from the Rules, packed in one small array per ruleset: trying
// rules walks 32 bytes per rule, not the Rules' scattered strings.
struct RuleFilter {
    static constexpr TokId kNoFold = ~TokId{0};
    std::uint64_t literal_bits = 0;  // TokenPool::bit() of every literal LHS token
    // The first and last LHS elements when they are literals (kNoFold
    // otherwise): they must be the workspace's.
    TokId first_fold = kNoFold, last_fold = kNoFold;
    std::int32_t min_tokens = 0;   // the fewest workspace tokens the LHS can match
    std::int32_t max_tokens = -1;  // the most (-1: no limit, the LHS has $* $+ $=X $&x)
    // Where the literals' folded ids start in Ruleset::filter_literals, in
    // LHS order, ended by kNoFold: each must match its own workspace token,
    // in that order.
    std::uint32_t literals = 0;
};

// The filter of an LHS (interned); its literals' folded ids, ended by
// RuleFilter::kNoFold, are appended to `literals`.
RuleFilter make_rule_filter(const IdTokens& lhs, IdTokens& literals);

} // namespace cfkit
