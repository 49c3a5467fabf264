// The recording matcher must match exactly as the fast one does (it only
// adds a record of how), checked on every small case; and its account of
// a failure and of backtracking, on hand-checked cases. explain_input_*
// on a small ruleset, with the exact text.
#include <doctest/doctest.h>

#include "engine/explain/explain.hpp"
#include "engine/explain/explain_matcher.hpp"
#include "engine/testing/test_support.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {
namespace {

using testing::all_sequences;
using testing::pattern;
using testing::toks;

using World = testing::MatchWorld;

// The wildcards' spans only (the fast matcher's records), as "i:first-last".
std::string wild(const Tokens& lhs, const std::vector<MatchRecord>& recs) {
    std::string s;
    for (const MatchRecord& r : recs) {
        const unsigned char f = meta::first(lhs[static_cast<std::size_t>(r.pattern)]);
        if (f != meta::MATCHZANY && f != meta::MATCHANY && f != meta::MATCHONE && f != meta::MATCHCLASS &&
            f != meta::MATCHNCLASS)
            continue;
        s += std::to_string(r.first) + "-" + std::to_string(r.last) + " ";
    }
    return s;
}

TEST_CASE("explain_match: exhaustively the fast matcher's answers on small cases") {
    World w;
    const std::vector<Tokens> patterns =
        all_sequences(pattern({"$*", "$+", "$-", "$=R", "$~R", "$@", "$&m", "a", "b"}), 3);
    const std::vector<Tokens> inputs = all_sequences(toks({"a", "b", "."}), 5);
    int compared = 0;
    for (const Tokens& p : patterns) {
        for (const Tokens& in : inputs) {
            std::vector<MatchRecord> fast;
            const bool a = match_lhs(p, in, w.env(), fast);
            const MatchStory st = explain_match(p, in, w.env());
            ++compared;
            if (a != st.matched || (a && wild(p, fast) != wild(p, st.spans)) ||
                (!a && (st.fail_element < 0 || st.fail_token < 0))) {
                CAPTURE(compared);
                CHECK(a == st.matched);
                CHECK(wild(p, fast) == wild(p, st.spans));
                return;
            }
        }
    }
    CHECK(compared == 820 * 364);
}

TEST_CASE("explain_match: where a rule stops, and its backtracking") {
    World w;
    struct Row {
        Tokens lhs, ws;
        int fail_element, fail_token, backtracks;
    } rows[] = {
        {pattern({"$*", "<", "$*", ">"}), toks({"a", "b"}), 1, 2, 2},  // "<" never found: the tokens ran out
        {pattern({"$+", "@", "$+"}), toks({"a", "b", "c"}), 1, 3, 2},
        {pattern({"a", "b"}), toks({"a", "c"}), 1, 1, 0},  // "b" expected at token 2
        {pattern({"a"}), toks({"a", "b"}), 1, 1, 0},       // tokens left over
        {pattern({"$=R", "b"}), toks({"c"}), 0, 0, 0},     // no member of R starts here
        {pattern({"$*", "b"}), toks({"a", "a", "b"}), -1, -1, 2},  // matches after two widenings
    };
    for (const Row& r : rows) {
        CAPTURE(r.lhs.size());
        CAPTURE(r.ws.size());
        const MatchStory st = explain_match(r.lhs, r.ws, w.env());
        CHECK(st.fail_element == r.fail_element);
        CHECK(st.fail_token == r.fail_token);
        CHECK(st.backtracks == r.backtracks);
    }
}

TEST_CASE("explain_input_text: a ruleset, a $> call, a repeated rule, why a rule failed") {
    Diagnostics diags;
    auto cfg = testing::compile_fixed("V10\nS3\nR$* < $* > $*\t$2\nR$+ @ $+\t$@ $>9 $1 < @ $2 . >\n"
                                      "S9\nR$* < @ x . > $*\t$1 < @ LOCAL > $2\n",
                                      diags);
    const std::string got = explain_input_text(*cfg, "3 Joe <joe@x>\n", false);
    CHECK(got ==
          "> 3 Joe <joe@x>\n"
          "tokens: \"Joe\" \"<\" \"joe\" \"@\" \"x\" \">\"\n"
          "ruleset 3  input: Joe < joe @ x >\n"
          "  rule 1 (line 3)   $* < $* > $*\n"
          "      matched (after 4 backtracks)\n"
          "        Joe  <  joe @ x  >  (none)\n"
          "        $*   <  $*       >  $*\n"
          "      $1 = Joe\n"
          "      $2 = joe @ x\n"
          "      $3 = (empty)\n"
          "      RHS $2\n"
          "      -> joe @ x\n"
          "  rule 1 (again)    $* < $* > $*\n"
          "      no: \"<\" expected, but the tokens ran out after 3 backtracks\n"
          "  rule 2 (line 4)   $+ @ $+\n"
          "      matched\n"
          "        joe  @  x\n"
          "        $+   @  $+\n"
          "      $1 = joe\n"
          "      $2 = x\n"
          "      RHS $@ $> 9 $1 < @ $2 . >\n"
          "        ruleset 9  input: joe < @ x . >\n"
          "          rule 1 (line 6)   $* < @ x . > $*\n"
          "              matched (after 1 backtrack)\n"
          "                joe  <  @  x  .  >  (none)\n"
          "                $*   <  @  x  .  >  $*\n"
          "              $1 = joe\n"
          "              $2 = (empty)\n"
          "              RHS $1 < @ LOCAL > $2\n"
          "              -> joe < @ LOCAL >\n"
          "          rule 1 (again)    $* < @ x . > $*\n"
          "              no: \"x\" expected at \"LOCAL\" (token 4) after 5 backtracks\n"
          "        returns: joe < @ LOCAL >   [end of the rules]\n"
          "      -> joe < @ LOCAL >\n"
          "returns: joe < @ LOCAL >   [rule 2 returned ($@)]\n"
          "\n");
    const std::string json = explain_input_json(*cfg, ".Dxy\n# c\n3 a\n");
    CHECK(json.rfind("[{\"line\":\".Dxy\",\"kind\":\"command\",\"output\":\"\"},"
                     "{\"line\":\"# c\",\"kind\":\"comment\",\"output\":\"\"},"
                     "{\"line\":\"3 a\",\"kind\":\"explain\",",
                     0) == 0);
    CHECK(json.find("\"why\":\"\\\"<\\\" expected, but the tokens ran out after 1 backtrack\"") != std::string::npos);
}

}  // namespace
}  // namespace cfkit
