// The interpreter's prefilter: the facts it compiles per rule, exactly, and
// that it never turns away a rule the reference matcher would match.
#include <doctest/doctest.h>

#include "engine/rewrite/reference_matcher.hpp"
#include "engine/rewrite/rule_filter.hpp"
#include "engine/testing/test_support.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {
namespace {

using testing::all_sequences;
using testing::pattern;
using testing::toks;

// "min..max first/last [literals]" with folded texts.
std::string describe(const RuleFilter& f, const IdTokens& literals) {
    const TokenPool& pool = token_pool();
    auto name = [&](TokId t) { return t == RuleFilter::kNoFold ? std::string("-") : pool.text(t); };
    std::string s = std::to_string(f.min_tokens) + ".." + (f.max_tokens < 0 ? "" : std::to_string(f.max_tokens)) +
                    " " + name(f.first_fold) + "/" + name(f.last_fold) + " [";
    for (std::size_t k = f.literals; literals[k] != RuleFilter::kNoFold; ++k) {
        if (k > f.literals) s += " ";
        s += name(literals[k]);
    }
    return s + "]";
}

TEST_CASE("rule filter: the facts compiled from an LHS") {
    struct Case {
        Tokens lhs;
        const char* want;
    };
    const Case cases[] = {
        {pattern({"$*", "<", "@", "$+", ">", "$*"}), "4.. -/- [< @ >]"},
        {pattern({"<", "$+", ">"}), "3.. </> [< >]"},
        {pattern({"$-", "$~P", "$@"}), "2..2 -/- []"},
        {pattern({"Local", "$=w", "."}), "3.. local/. [local .]"},
        {pattern({"$&x", "a"}), "1.. -/a [a]"},
        {pattern({}), "0..0 -/- []"},
    };
    for (const Case& c : cases) {
        IdTokens literals{7};  // a filter's literals start where the list ends
        RuleFilter f = make_rule_filter(intern_tokens(c.lhs), literals);
        CHECK(f.literals == 1);
        CHECK(describe(f, literals) == c.want);
    }
}

TEST_CASE("rule filter: never turns away a rule that matches") {
    Classes classes;
    for (const char* w : {"a", "a.b", "b b"}) classes.add('R', w);
    Macros macros;
    macros.set('m', "a.b");
    TokenTables tables = make_token_tables(".:@[]");
    MatchEnv env{classes, macros, tables.internal, ' '};
    const std::vector<Tokens> patterns =
        all_sequences(pattern({"$*", "$+", "$-", "$=R", "$~R", "$@", "$&m", "a", "B", "."}), 3);
    const std::vector<Tokens> inputs = all_sequences(toks({"a", "b", "."}), 5);
    CHECK(patterns.size() == 1 + 10 + 100 + 1000);
    IdTokens literals;
    std::vector<RuleFilter> filters;
    for (const Tokens& p : patterns) filters.push_back(make_rule_filter(intern_tokens(p), literals));
    int matched = 0, skipped = 0;
    WorkspaceIndex index;
    for (const Tokens& in : inputs) {
        index.build(intern_tokens(in));
        for (std::size_t k = 0; k < patterns.size(); ++k) {
            std::vector<MatchRecord> recs;
            const bool match = reference_match(patterns[k], in, env, recs);
            const bool may = index.could_match(filters[k], literals.data());
            if (match && !may) {
                CAPTURE(k);
                CHECK(may);  // a lost match: the filter is wrong
                return;
            }
            matched += match;
            skipped += !may;
        }
    }
    // Both kinds occur (a filter that lets everything through would pass
    // the check above).
    CHECK(matched > 10000);
    CHECK(skipped > 100000);
}

} // namespace
} // namespace cfkit
