// Each check with a config that must fire it and one that must not, with
// exact messages and positions (line:column of the .cf).
#include <doctest/doctest.h>

#include "engine/lint/lint.hpp"
#include "engine/testing/test_support.hpp"
#include "grammar/cf_parser.hpp"

namespace cfkit {
namespace {

// "line:col id: message" for each finding.
std::vector<std::string> lint_text(const std::string& cf, LintOptions opts = {}) {
    CollectingReporter rep;
    CompileOptions co;
    co.host = testing::fixed_host();
    CfFile ast = parse_cf(cf, "t.cf");
    std::unique_ptr<Config> config = compile_cf(ast, co, rep);
    std::vector<std::string> out;
    for (const LintFinding& f : lint_config(ast, *config, rep.diagnostics, opts)) {
        // sendmail's messages show a rule's operators as control bytes: left out here
        std::string m;
        for (char c : f.diag.message)
            if (static_cast<unsigned char>(c) >= 0x20) m += c;
        out.push_back(std::to_string(f.diag.loc.line) + ":" + std::to_string(f.diag.loc.column) + " " + f.id + ": " + m);
    }
    return out;
}

// A config with a local mailer, so that sendmail has nothing to say about it.
const std::string kHead = "V10\nMlocal, P=/bin/true, F=l, A=true\nS0\n";

using V = std::vector<std::string>;

TEST_CASE("lint: each check fires where it should, with its message and position") {
    struct Row {
        const char* what;
        std::string cf;
        V want;
    } rows[] = {
        {"clean", kHead + "R$+\t$#local $: $1\n", {}},
        {"missing TAB", kHead + "R$* < @ $=w >  $: $1\n",
         {"4:1 missing-tab: no TAB after the LHS, so the rule has no RHS (sendmail: \"invalid rewrite line\")"}},
        {"RHS operators after spaces in the LHS", kHead + "R$+ @ foo    $@ ok\tcomment\n",
         {"4:10 lhs-spaces: spaces, not a TAB, before \"$@ ok\": sendmail reads it as part of the LHS"}},
        {"a comment after spaces in the RHS", kHead + "R$+\t$@ $1   local user\n",
         {"4:10 rhs-spaces: spaces, not a TAB, before \"local user\": sendmail copies it into the rewritten address"}},
        {"spaces between RHS tokens are not a comment", kHead + "R$+\t$#local $@ $1    $: $1\n", {}},
        {"leading blanks of the RHS", kHead + "R$+\t   $#local $: $1\n", {}},
        {"a call to an unknown ruleset", kHead + "R$+\t$: $>Nope $1\nR$+\t$#local $: $1\n",
         {"4:8 undefined-ruleset: $>Nope: no ruleset Nope (sendmail: \"Unknown ruleset Nope\")"}},
        {"a quoted name is found", kHead + "R$+\t$: $>\"Other\" $1\nR$+\t$#local $: $1\nSOther\nR$*\t$@ $1\n", {}},
        {"a numbered ruleset without rules", kHead + "R$+\t$: $>98 $1\nR$+\t$#local $: $1\n",
         {"4:8 empty-ruleset-call: $>98: ruleset 98 has no rules"}},
        {"an empty class", kHead + "R$=Q\t$#local $: $1\n",
         {"4:2 empty-class: $=Q: no C or F line fills class Q"}},
        {"a filled class", "V10\nMlocal, P=/bin/true, F=l, A=true\nCQ a b\nS0\nR$=Q\t$#local $: $1\n", {}},
        {"$=R of sendmail-cf, $=w of sendmail", kHead + "R$=R\t$: $1\nR$=w\t$#local $: $1\n", {}},
        {"an undeclared map", kHead + "R$+\t$: $(nomap $1 $)\nR$+\t$#local $: $1\n",
         {"4:8 undeclared-map: $(nomap: no K line declares map nomap"}},
        {"rules after a catch-all return", kHead + "R$*\t$@ $1\nR$+\t$#local $: $1\n",
         {"5:1 unreachable-rule: never tried: the rule at line 4 ends ruleset 0 for every input"}},
        {"a catch-all with $: goes on", kHead + "R$*\t$: $1\nR$+\t$#local $: $1\n", {}},
        {"a rewrite that loops", kHead + "R$*\t$1 x\n",
         {"4:1 endless-loop: `$*` matches this rule's result again: sendmail rewrites until \"Infinite loop in ruleset 0\""}},
        {"macros empty at connect", kHead + "R$+\t$#local $: $1\nSLocal_check_relay\nR$*\t$: $&{auth_type} $&s $&{client_resolve}\n",
         {"6:8 macro-before-set: $&{auth_type} is empty here: check_relay runs at connect, before sendmail sets it",
          "6:22 macro-before-set: $&s is empty here: check_relay runs at connect, before sendmail sets it"}},
        {"under delay_checks check_relay runs at RCPT: a note, and its macros are set",
         kHead + "R$+\t$#local $: $1\nScheckmail\nR$*\t$@ $1\nScheckrelay\nR$*\t$@ $1\nSLocal_check_relay\nR$*\t$: $&s\n",
         {"10:1 delay-checks: with FEATURE(delay_checks) Local_check_relay runs at RCPT time, from check_rcpt after its "
          "exemptions: its rejections come at RCPT, not at connect"}},
        {"the same macros in check_mail", kHead + "R$+\t$#local $: $1\nSLocal_check_mail\nR$*\t$: $&{auth_type} $&s\n", {}},
        {"a macro nobody sets", kHead + "R$+\t$#local $: $&{Nope}\n",
         {"4:16 unset-macro: $&{Nope}: neither sendmail nor this file sets it, so it is always empty"}},
        {"macros that are set: by sendmail, a D line, a macro map",
         "V10\nMlocal, P=/bin/true, F=l, A=true\nD{Mine}x\nKstorage macro\nS0\n"
         "R$*\t$: $(storage {Flag} $@ x $) $&{Flag} $&{Mine} $&{client_addr}\nR$+\t$#local $: $1\n", {}},
        {"two rulesets calling each other on every input",
         kHead + "R$+\t$#local $: $1\nSA\nR$*\t$: $>B $1\nSB\nR$*\t$: $>A $1\n",
         {"6:1 recursion: every input recurses: A -> B -> A (sendmail: \"rewrite: excessive recursion (max 50)\")"}},
        {"a conditional call is a way out", kHead + "R$+\t$#local $: $1\nSA\nR$+ < $* >\t$: $>A $1\n", {}},
        {"positional out of range", kHead + "R$+\t$#local $: $2\n",
         {"4:1 positional-out-of-range: replacement $2 out of bounds: the LHS has fewer wildcards"}},
        {"[$=w] against a bracketed text", kHead + "R$+\t$#local $: $1\nSx\nR$* [$=w]\t$@ ours\n",
         {"6:5 w-brackets: [$=w] matches this host's names in brackets, never its addresses ($=w holds them as [192.0.2.1])"}},
        {"$=w alone", kHead + "R$+\t$#local $: $1\nSx\nR$* $=w\t$@ ours\n", {}},
        {"a line sendmail does not know", kHead + "R$+\t$#local $: $1\nZfoo\n",
         {"5:1 sendmail-error: unknown configuration line \"Zfoo\""}},
        {"an unclosed lookup", kHead + "R$+\t$#local $: $1\nKx dequote\nR$+\t$: $(x $1\n",
         {"6:1 unbalanced-lookup: $( or $[ without its $) or $] (sendmail: \"missing map closing token\")"}},
        {"networks in $=R", "V10\nMlocal, P=/bin/true, F=l, A=true\nCR 10 192.168.1.0 172.16.0.0/12\nS0\nR$+\t$#local $: $1\n",
         {"3:7 network-literal: \"192.168.1.0\" in $=R matches only the address written so; for the network write \"192.168.1\"",
          "3:19 network-literal: \"172.16.0.0/12\" in $=R matches only the address written so; for the network write \"172.16\""}},
        {"a suppression that works", kHead + "R$=Q\t$#local $: $1\t# cfkit-lint: disable=empty-class Q comes from a map\n", {}},
        {"a suppression with nothing to suppress", kHead + "R$+\t$#local $: $1\t# cfkit-lint: disable=empty-class\n",
         {"4:21 unused-suppression: cfkit-lint: disable=empty-class suppresses nothing: no empty-class finding on this line"}},
        {"a suppression of an unknown check", kHead + "R$+\t$#local $: $1\t# cfkit-lint: disable=nosuch\n",
         {"4:21 unused-suppression: cfkit-lint: disable=nosuch suppresses nothing: no check is named nosuch"}},
        {"'<' without '>'", kHead + "R$* < @ $+\t$#local $: $1\n",
         {"4:1 unbalanced: '<' without '>' in the LHS"}},
        {"an open quote", kHead + "R$+\t$#local $: \"$1\n",
         {"4:1 unbalanced: a quote that does not end in the RHS"}},
        {"balanced", kHead + "R$* < @ $+ > \"x y\"\t$#local $: <$1>\n", {}},
        {"a file the machine lacks", kHead + "F{X}/nonexistent/file\nR$+\t$#local $: $1\n",
         {"4:1 host-dependent: fileclass: cannot open '/nonexistent/file': No such file or directory"}},
    };
    auto join = [](const V& v) {
        std::string out;
        for (const std::string& l : v) out += l + "\n";
        return out;
    };
    for (const Row& r : rows) {
        CAPTURE(std::string(r.what));
        CHECK(join(lint_text(r.cf)) == join(r.want));
    }
}

TEST_CASE("lint: a .mc's m4 hazards, at the .mc's lines") {
    const std::string mc =
        "divert(-1)\n"
        "# FEATURE(`promiscuous_relay') is live here too\n"
        "R$*\t$@ $1\n"
        "define(`x', `y')\n"
        "divert(0)dnl\n"
        "OSTYPE(linux)dnl\n"
        "dnl # FEATURE(`nouucp') behind dnl is a comment\n"
        "LOCAL_RULESETS\n"
        "Skip the HELO check for our own clients\n"
        "# a real comment\n"
        "SLocal_check_mail\n"
        "R$*\t$: $1\n"
        "MAILER(smtp)dnl\n"
        "Some text after MAILER is not in a LOCAL block\n";
    std::vector<std::string> got;
    for (const LintFinding& f : lint_mc("x.mc", mc, {}))
        got.push_back(std::to_string(f.diag.loc.line) + ":" + std::to_string(f.diag.loc.column) + " " + f.id + ": " +
                      f.diag.message);
    CHECK(got == std::vector<std::string>{
                     "2:3 m4-comment-live: FEATURE(...) in a # comment: m4 expands it all the same (comment it out with dnl)",
                     "3:1 m4-diverted-away: a .cf line inside divert(-1): m4 throws it away",
                     "9:1 m4-text-to-cf: m4 copies this comment to the .cf, where sendmail reads a \"S\" line (\"S\" then "
                     "\"kip...\"): start it with dnl",
                 });
}

TEST_CASE("lint: commas in a dnsbl message need two levels of m4 quotes") {
    auto ids = [](const std::string& mc) {
        std::vector<std::string> out;
        for (const LintFinding& f : lint_mc("x.mc", mc, {}))
            out.push_back(std::to_string(f.diag.loc.column) + " " + f.id);
        return out;
    };
    // checked with m4 and sendmail-cf: the first loses its reject rule, the second keeps it
    CHECK(ids("FEATURE(`dnsbl', `bl.example', `\"550 Rejected, see site\"')dnl\n") ==
          std::vector<std::string>{"46 m4-comma"});
    CHECK(ids("FEATURE(`dnsbl', `bl.example', ``\"550 Rejected, see site\"'')dnl\n").empty());
    CHECK(ids("FEATURE(`enhdnsbl', `bl.example', `\"550 listed\"', `t', `127.0.0.2.')dnl\n").empty());
    CHECK(ids("FEATURE(`access_db', `hash -T<TMPF> /etc/mail/access, x')dnl\n").empty());
    CHECK(ids("FEATURE(`dnsbl', `bl.example', `\"550 You're listed\"')dnl\n") ==
          std::vector<std::string>{"41 m4-apostrophe"});
}

TEST_CASE("lint: --explain runs the rules behind a finding") {
    CollectingReporter rep;
    CompileOptions co;
    co.host = testing::fixed_host();
    CfFile ast = parse_cf(kHead + "R$*\t$1 x\n", "t.cf");
    std::unique_ptr<Config> config = compile_cf(ast, co, rep);
    LintOptions o;
    o.explain = true;
    std::vector<LintFinding> f = lint_config(ast, *config, rep.diagnostics, o);
    REQUIRE(f.size() == 1);
    CHECK(f[0].id == "endless-loop");
    CHECK(f[0].evidence.rfind("ruleset 0 on \"user@example.com\": \"Infinite loop in ruleset 0, rule 1\"; returns "
                              "\"user @ example . com x x x",
                              0) == 0);
    o.explain = false;
    CHECK(lint_config(ast, *config, rep.diagnostics, o)[0].evidence.empty());
}

TEST_CASE("lint: dnl suppressions in a .mc") {
    const std::string mc =
        "dnl cfkit-lint: disable=m4-comment-live the next line is an example\n"
        "# FEATURE(`nouucp') is live\n"
        "# FEATURE(`x') also live dnl cfkit-lint: disable=m4-comment-live,empty-class\n"
        "OSTYPE(linux)dnl\n";
    std::vector<LintFinding> f = lint_mc("x.mc", mc, {});
    REQUIRE(f.size() == 2);
    apply_mc_suppressions(f, "x.mc", mc, {});
    REQUIRE(f.size() == 1);
    CHECK(f[0].id == "unused-suppression");
    CHECK(f[0].diag.loc.line == 3);
    CHECK(f[0].diag.message == "cfkit-lint: disable=empty-class suppresses nothing: no empty-class finding on this line");
}

TEST_CASE("lint: --disable turns a check off everywhere") {
    LintOptions o;
    o.disabled.insert("empty-class");
    CHECK(lint_text(kHead + "R$=Q\t$#local $: $1\n", o).empty());
}

TEST_CASE("lint: every check has an id, a summary and help") {
    for (const LintCheck& c : lint_checks()) {
        CAPTURE(c.id);
        CHECK(std::string(c.summary).size() > 10);
        CHECK(std::string(c.help).size() > 20);
        CHECK(find_lint_check(c.id) == &c);
    }
}

} // namespace
} // namespace cfkit
