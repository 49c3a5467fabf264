// The interpreter, through -bt output. Expected transcripts are the real
// sendmail's (shared/research/semantics.md appendix A, re-checked by the
// differential suite on testcases/diff/semantics/g.cf and h.cf).
#include <doctest/doctest.h>

#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

using testing::run_bt;

const char* kG =
    "V10\nMlocal, P=/bin/true, A=x\n"
    "Sempty\nSA\nR$*\t$@ A( $1 )\nSB\nR$*\t$@ B( $1 )\n"
    "Smulti\nR$*\t$@ x $>A y $>B z\n"
    "Sskip\nR$*\t$@ $>empty $>A q\n"
    "Sloop\nR$* x\t$1 x\n"
    "Scanon2\nR$*\t$: $1 $# foo\nR$* $# foo\t$@ ok\n"
    "Satprefix\nR$*\t$@ $: $1\n"
    "Sdbl\nR$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\n"
    "R$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\nR$*\t$: $1 $1\n"
    "Sunk\nR$*\t$@ $>nosuch $1\n"
    "Srecur\nR$*\t$: $>recur $1\n";

struct Case {
    const char* input;
    const char* want;
};

TEST_CASE("rewrite: calls, prefixes, loops and limits as sendmail prints them") {
    const Case cases[] = {
        {"multi a",
         "> multi              input: a\nB                  input: z\nB                returns: B ( z )\n"
         "A                  input: y B ( z )\nA                returns: A ( y B ( z ) )\n"
         "multi            returns: x A ( y B ( z ) )\n> "},
        // a skipped call to an empty ruleset hides the $> right after it
        {"skip a", "> skip               input: a\nskip             returns: $> A q\n> "},
        {"loop x", "> loop               input: x\nInfinite loop in ruleset loop, rule 1\nloop             returns: x\n> "},
        // $# later in the workspace does not stop the ruleset
        {"canon2 a", "> canon2             input: a\ncanon2           returns: ok\n> "},
        {"atprefix a", "> atprefix           input: a\natprefix         returns: $: a\n> "},
        {"dbl a", "> dbl                input: a\nrewrite: expansion too long\n== Ruleset dbl (191) status 65\n> "},
        {"unk q", "> unk                input: q\nUnknown ruleset nosuch\nunk              returns: $> nosuch q\n"
                  "== Ruleset unk (190) status 78\n> "},
    };
    for (const Case& c : cases) {
        CAPTURE(c.input);
        CHECK(run_bt(kG, std::string(c.input) + "\n").output == c.want);
    }
}

TEST_CASE("rewrite: recursion stops at level 50: 52 input lines, 51 returns lines") {
    auto r = run_bt(kG, "recur q\n");
    std::size_t inputs = 0, returns = 0, pos = 0;
    while ((pos = r.output.find("   input:", pos)) != std::string::npos) ++inputs, ++pos;
    pos = 0;
    while ((pos = r.output.find(" returns:", pos)) != std::string::npos) ++returns, ++pos;
    CHECK(inputs == 52);
    CHECK(returns == 51);
    CHECK(r.output.find("rewrite: excessive recursion (max 50), ruleset recur\n") != std::string::npos);
    CHECK(r.output.find("== Ruleset recur (189) status 78\n") != std::string::npos);
    CHECK(r.exit_status == 70);
}

TEST_CASE("rewrite: the loop limit counts evaluations of one rule") {
    const char* cf = "V10\nMlocal, P=/bin/true, A=x\nSl\nR$* a\t$1\n";
    std::string a99, a100;
    for (int i = 0; i < 99; ++i) a99 += " a";
    a100 = a99 + " a";
    CHECK(run_bt(cf, "l" + a99 + "\n").output.find("Infinite loop") == std::string::npos);
    CHECK(run_bt(cf, "l" + a100 + "\n").output.find("Infinite loop in ruleset l, rule 1\nl                returns:\n") !=
          std::string::npos);
}

TEST_CASE("rewrite: $& on the RHS is tokenized with the external table at run time") {
    const char* cf = "V10\nMlocal, P=/bin/true, A=x\nSr\nR$*\t$@ <$&x> $1\n";
    CHECK(run_bt(cf, ".Dx a (c) \"q s\" b.c\nr z\n").output ==
          "> > r                  input: z\nr                returns: < a \"q s\" b . c > z\n> ");
    // a repaired value is used; a value that cannot be tokenized ends the ruleset
    CHECK(run_bt(cf, ".Dx <a\nr z\n").output ==
          "> > r                  input: z\n <a... Unbalanced '<'\nr                returns: < < a > > z\n> ");
    CHECK(run_bt(cf, ".Dx \nr z\n").output == "> > r                  input: z\n== Ruleset r (199) status 65\n> ");
}

} // namespace
} // namespace cfkit
