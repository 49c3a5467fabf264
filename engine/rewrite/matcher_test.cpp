// The fast matcher against hand-checked cases (from -bt transcripts) and,
// exhaustively on small inputs, against the slow reference matcher.
#include <doctest/doctest.h>

#include "engine/rewrite/reference_matcher.hpp"
#include "engine/testing/test_support.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {
namespace {

using testing::all_sequences;
using testing::pattern;
using testing::toks;

// "$1=x y|$2=" style summary of the bindings.
std::string bindings(const Tokens& ws, const std::vector<MatchRecord>& recs) {
    std::string s;
    for (std::size_t i = 0; i < recs.size(); ++i) {
        if (i) s += "|";
        s += "$" + std::to_string(i + 1) + "=";
        for (int k = recs[i].first; k <= recs[i].last; ++k) {
            if (k > recs[i].first) s += " ";
            s += ws[static_cast<std::size_t>(k)];
        }
    }
    return s;
}

using World = testing::MatchWorld;

struct Case {
    Tokens lhs;
    Tokens ws;
    const char* want;  // nullptr: no match
};

TEST_CASE("matcher: sendmail's order of spans") {
    World w;
    const Case cases[] = {
        {pattern({"$*", ".", "$+"}), toks({"a", ".", "b", ".", "c", ".", "d"}), "$1=a|$2=b . c . d"},
        {pattern({"$*", "$=R", "$*"}), toks({"x", "example", ".", "com", "y"}), "$1=x|$2=example . com|$3=y"},
        {pattern({"$-", "$-"}), toks({"a", "b"}), "$1=a|$2=b"},
        {pattern({"$-", "$-"}), toks({"a", "b", "c"}), nullptr},
        {pattern({"$~R", "$*"}), toks({"example", ".", "com", "rest"}), "$1=example|$2=. com rest"},
        {pattern({"$@"}), toks({}), ""},
        {pattern({"$@"}), toks({"a"}), nullptr},
        {pattern({"x", "$@", "y"}), toks({"X", "y"}), ""},
        {pattern({"$*", "$&y"}), toks({"a"}), nullptr},  // $&y at the end of input fails, even undefined
        {pattern({"$&m", "$*"}), toks({"A", ".", "B", "c"}), "$1=c"},
        {pattern({"$*", "$&e"}), toks({"a"}), nullptr},
        {pattern({"$=R", "$+"}), toks({"b", "b", "x"}), "$1=b b|$2=x"},
        {pattern({"<", "$=R", ">"}), toks({"<", "[", "127", ".", "0", ".", "0", ".", "1", "]", ">"}),
         "$1=[ 127 . 0 . 0 . 1 ]"},
        {pattern({"\"foo\""}), toks({"foo"}), nullptr},
        {pattern({"$*"}), toks({}), "$1="},
        {pattern({"$+"}), toks({}), nullptr},
    };
    for (const Case& c : cases) {
        CAPTURE(bindings(c.lhs, {}));
        std::vector<MatchRecord> recs;
        bool ok = match_lhs(c.lhs, c.ws, w.env(), recs);
        if (!c.want) {
            CHECK_FALSE(ok);
        } else {
            REQUIRE(ok);
            CHECK(bindings(c.ws, recs) == c.want);
        }
    }
}

TEST_CASE("matcher: a $=X phrase over MAXLINE-3 bytes is compared cut short, as cataddr() cuts it") {
    // (found by review: the phrase built token by token was not cut, so a
    // 2,045-byte member never matched outside -d21.36)
    World w;
    const std::string a(1020, 'r'), b(1021, 'r');
    w.classes.add('S', a + " " + a + " rrr");  // 2,045 bytes: what cataddr() keeps of a a b
    for (const Tokens& in : {Tokens{a, a, b}, Tokens{a, a, b, "."}}) {
        std::vector<MatchRecord> fast, slow;
        bool want = reference_match(pattern({"$=S", "$*"}), in, w.env(), slow);
        CHECK(want);
        CHECK(match_lhs(pattern({"$=S", "$*"}), in, w.env(), fast) == want);
        CHECK(bindings(in, fast) == bindings(in, slow));
        REQUIRE(fast.size() == 2);
        CHECK(fast[0].last == 2);
    }
}

TEST_CASE("matcher: exhaustively equal to the reference matcher on small cases") {
    World w;
    const std::vector<Tokens> patterns =
        all_sequences(pattern({"$*", "$+", "$-", "$=R", "$~R", "$@", "$&m", "a", "b"}), 3);
    const std::vector<Tokens> inputs = all_sequences(toks({"a", "b", "."}), 5);
    CHECK(patterns.size() == 1 + 9 + 81 + 729);
    CHECK(inputs.size() == 364);
    int compared = 0, matched = 0;
    for (const Tokens& p : patterns) {
        for (const Tokens& in : inputs) {
            std::vector<MatchRecord> fast, slow;
            bool a = match_lhs(p, in, w.env(), fast);
            bool b = reference_match(p, in, w.env(), slow);
            ++compared;
            if (a != b || (a && bindings(in, fast) != bindings(in, slow))) {
                CAPTURE(bindings(p, {}));
                CHECK(a == b);
                CHECK(bindings(in, fast) == bindings(in, slow));
                return;
            }
            matched += a;
        }
    }
    CHECK(compared == 820 * 364);
    CHECK(matched > 10000);  // the cases are not trivially all failures
}

} // namespace
} // namespace cfkit
