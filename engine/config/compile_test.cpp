// Reading a .cf: each bad line gives sendmail's message with its line
// number, and reading goes on. Expected texts are from sendmail 8.17 -bt
// (testcases/diff/semantics/b.cf runs the same lines against the real one).
#include <doctest/doctest.h>

#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

using testing::run_bt;

struct Case {
    const char* lines;  // after "V10\nSfoo\n"
    const char* want;   // the messages before the banner, without "No local mailer defined"
};

TEST_CASE("compile: read-time diagnostics, one table row per message kind") {
    const Case cases[] = {
        {"R$*", "t.cf: line 3: invalid rewrite line \"R\x01*\" (tab expected)\n"},
        {"R$*\t \t", "t.cf: line 3: invalid rewrite line \"R\x01*\" (tab expected)\n"},
        {"R\t$@ x", "t.cf: line 3: R line: null LHS\n"},
        {"R$1 $:\tx", "t.cf: line 3: Inappropriate use of $1-$9 on LHS\nt.cf: line 3: Inappropriate use of $: on LHS\n"},
        {"R$*\t$+", "t.cf: line 3: Inappropriate use of $+ on RHS\n"},
        {"R$*\t$0 $2", "t.cf: line 3: replacement $0 out of bounds\nt.cf: line 3: replacement $2 out of bounds\n"},
        {"R$*\t$( foo $@ a", "t.cf: line 3: missing map closing token\n"},
        {"R$*\t$( foo $( bar $) $)", "t.cf: line 3: cannot nest map lookups\n"},
        {"R$+ $+ $+ $+ $+ $+ $+ $+ $+ $+\tx", "t.cf: line 3: R line: too many wildcards\n"},
        {"S-1", "t.cf: line 3: invalid ruleset name: \"-1\"\n"},
        {"S100", "t.cf: line 3: bad ruleset 100 (100 max)\n"},
        {"Sbar=x", "t.cf: line 3: bad ruleset definition \"bar=x\" (number required after `=')\n"},
        {"Sbaz=150", "t.cf: line 3: bad ruleset number 150 in \"baz=150\" (100 max)\n"},
        {"Sfoo=7", "t.cf: line 3: foo=7: ruleset changed value (old 199, new 7)\n"},
        {"Z junk", "t.cf: line 3: unknown configuration line \"Z junk\"\n"},
        {"Vx", "t.cf: line 3: invalid argument to V line: \"x\"\n"},
        {"V10/xyzzy", "t.cf: line 3: invalid V line vendor code: \"xyzzy\"\n"},
        {"O", "t.cf: line 3: readcf: unknown option name 0x0\n"},
        {"O FooBar=3", "t.cf: line 3: readcf: unknown option name FooBar\n"},
        {"O Ti=5", "t.cf: line 3: readcf: ambiguous option name Ti (matches Timeout and TimeZoneSpec)\n"},
        {"O Timeou.helo=5m", "t.cf: line 3: Option Timeou used as abbreviation for Timeout\n"},
        {"D{a-b}x", "t.cf: line 3: Invalid macro/class character -\n"},
        {"Fx/nonexistent", "t.cf: line 3: fileclass: cannot open '/nonexistent': No such file or directory\n"},
        {"Fx -o /nonexistent", ""},
        {"Mfoo, P=/bin/true", "t.cf: line 3: Mfoo: A= argument required\n"},
        {"Mfoo, P=/bin/true, A=x, Z=3", "t.cf: line 3: Mfoo: unknown mailer equate Z=\n"},
        {"Hbad header", "t.cf: line 3: header syntax error, line \"bad header\"\n"},
        {"R$*\t$@ x\nSfoo", "WARNING: Ruleset foo has multiple definitions\n"},
        {"Dx a\n  b\nR$*\t$0", "t.cf: line 5: replacement $0 out of bounds\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.lines);
        auto r = run_bt(std::string("V10\nSfoo\n") + c.lines + "\n", "");
        std::string pre = r.preamble;
        const std::string tail = "No local mailer defined\n";
        REQUIRE(pre.size() >= tail.size());
        CHECK(pre.substr(pre.size() - tail.size()) == tail);
        CHECK(pre.substr(0, pre.size() - tail.size()) == c.want);
    }
}

TEST_CASE("compile: exit status: the first syserr sets 70 (71 with errno); warnings do not") {
    CHECK(run_bt("V10\nMlocal, P=/bin/true, A=x\n", "").exit_status == 0);
    CHECK(run_bt("V10\n", "").exit_status == 70);  // No local mailer defined
    CHECK(run_bt("V10\nMlocal, P=/bin/true, A=x\nFx/nonexistent\n", "").exit_status == 71);
    CHECK(run_bt("V9\nMlocal, P=/bin/true, A=x\n", "").exit_status == 0);
    CHECK(run_bt("V9\nMlocal, P=/bin/true, A=x\n", "").preamble ==
          "Warning: .cf file is out of date: sendmail 8.17.1.9 supports version 10, .cf file is version 9\n");
}

TEST_CASE("compile: named rulesets count down from 199; =N binds") {
    auto r = run_bt("V10\nMlocal, P=/bin/true, A=x\nSa\nR$*\t$@ a\nSb=5\nR$*\t$@ b\nSc\nR$*\t$: $>b $1\n",
                    "a,b,c x\n=S5\n=S198\n");
    CHECK(r.output ==
          "> a                  input: x\na                returns: a\n"
          "b                  input: a\nb                returns: b\n"
          "c                  input: b\nb                  input: b\nb                returns: b\nc                returns: b\n"
          "> R$* \t\t$@ b \n"
          "> bad ruleset 198 (100 max)\nUndefined ruleset 198\n> ");  // numbers >= 100 are not addressable
}

} // namespace
} // namespace cfkit
