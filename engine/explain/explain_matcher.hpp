// A matcher that records how it matched, for explanations: every span a
// wildcard tried (backtracking is a wildcard widened after the rest failed),
// and, when the rule does not match, the deepest point it reached and why
// it stopped there. Slow and simple, as reference_matcher.cpp is; its
// answers are checked against the fast matcher in explain_matcher_test.cpp.
#pragma once

#include <string>
#include <vector>

#include "engine/rewrite/matcher.hpp"

namespace cfkit {

struct MatchStep {
    int element = 0;  // LHS index
    int first = 0, last = -1;  // the span tried (last = first - 1: empty)
    bool widened = false;      // a wider span than this wildcard's first try
};

struct MatchStory {
    bool matched = false;
    std::vector<MatchRecord> spans;  // on a match: every LHS element's span, literals too
    std::vector<MatchStep> steps;    // wildcard spans tried, in order (at most kMaxSteps kept)
    int step_count = 0;              // all of them
    int backtracks = 0;              // widenings
    // On failure: the LHS element that got furthest and could not go on
    // (== lhs size: the pattern ended with tokens left over), and the
    // furthest token it stopped at (== size: the tokens ran out).
    int fail_token = -1;
    int fail_element = -1;
    static constexpr int kMaxSteps = 60;
};

MatchStory explain_match(const Tokens& lhs, const Tokens& ws, const MatchEnv& env);

}  // namespace cfkit
