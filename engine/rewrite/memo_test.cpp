// The ruleset memo: a remembered run is replayed only while what it read
// still holds, and its writes are made again. Each case runs the same
// calls with and without a memo and wants the same answers.
#include <doctest/doctest.h>

#include "engine/rewrite/memo.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/rewrite/session.hpp"
#include "engine/testing/test_support.hpp"
#include "engine/testmode/testmode.hpp"

namespace cfkit {
namespace {

const char* kCf =
    "V10\nMlocal, P=/bin/true, A=x\n"
    "Kput macro\n"
    "Kfix dequote\n"
    "Sleft\nR$&x\t$@ lx\nR$*\t$@ no\n"
    "Sright\nR$*\t$@ <$&x> $1\n"
    "Swrite\nR$*\t$: $(put {mm} $@ $1 $) $1\nR$*\t$@ $&{mm} $&x\n"
    "Sinner\nR$*\t$@ $&y\n"
    "Souter\nR$*\t$: $>inner $1\nR$*\t$@ o $1\n"
    "Snoisy\nR$*\t$@ $>nosuch $1\n"
    "Spure\nR$*\t$@ $(fix $1 $)\n"
    "Kprog program /bin/echo\n"
    "Sprog\nR$*\t$@ $(prog $1 $)\n";

struct World {
    Diagnostics load;
    std::unique_ptr<Config> cfg = testing::compile_fixed(kCf, load);
    RewriteMemo memo{*cfg};
};

// One session's call: `macros` set first ("x=a", "y=" for empty, "x" to unset).
struct Call {
    const char* ruleset;
    std::vector<const char*> macros;
    const char* input;
    const char* want;
    const char* want_mm;  // {mm} afterwards (nullptr: unset)
};

std::string run(World& w, const Call& c, bool with_memo, std::size_t& messages) {
    Session s(*w.cfg);
    CollectingReporter rep;
    s.reporter = &rep;
    if (with_memo) s.memo = &w.memo;
    for (const char* m : c.macros) {
        std::string def(m);
        auto eq = def.find('=');
        MacroId id = static_cast<MacroId>(def[0]);
        if (eq == std::string::npos) s.env.macros.unset(id);
        else s.env.macros.set(id, def.substr(eq + 1));
    }
    Tokens ws;
    std::string in(c.input);
    for (std::size_t p = 0; p < in.size();) {
        auto e = in.find(' ', p);
        if (e == std::string::npos) e = in.size();
        ws.emplace_back(in.substr(p, e - p));
        p = e + 1;
    }
    rewrite(s, ws, w.cfg->find_ruleset(c.ruleset));
    messages += rep.diagnostics.size();
    std::string out;
    for (const auto& t : ws) out += (out.empty() ? "" : " ") + std::string(t);
    const std::string* mm = s.env.macros.get(*s.env.names.find("mm"));
    return out + " | " + (mm ? *mm : std::string("(unset)"));
}

struct Want {
    std::uint64_t hits, stored, not_stored;
};

void play(const std::vector<Call>& calls, Want want) {
    World plain, memo;
    REQUIRE(plain.load.empty());
    std::size_t m_plain = 0, m_memo = 0;
    for (const Call& c : calls) {
        CAPTURE(c.ruleset);
        CAPTURE(c.input);
        const std::string expect = std::string(c.want) + " | " + (c.want_mm ? c.want_mm : "(unset)");
        CHECK(run(plain, c, false, m_plain) == expect);
        CHECK(run(memo, c, true, m_memo) == expect);
    }
    CHECK(m_plain == m_memo);
    CHECK(memo.memo.stats().hits == want.hits);
    CHECK(memo.memo.stats().stored == want.stored);
    CHECK(memo.memo.stats().not_stored == want.not_stored);
}

TEST_CASE("memo: a $& read on the left hand side, set or not, is checked before a run is replayed") {
    // (an unset macro read first: a run that did not record it would answer the later ones)
    play({{"left", {"x"}, "a", "no", nullptr},
          {"left", {"x=a"}, "a", "lx", nullptr},
          {"left", {"x=b"}, "a", "no", nullptr},
          {"left", {"x=a"}, "a", "lx", nullptr},
          {"left", {"x"}, "a", "no", nullptr}},
         {2, 3, 0});
}

TEST_CASE("memo: a $& read on the right hand side is checked too") {
    play({{"right", {"x=a"}, "z", "< a > z", nullptr},
          {"right", {"x=b"}, "z", "< b > z", nullptr},
          {"right", {"x=a"}, "z", "< a > z", nullptr},
          {"right", {"x=a"}, "w", "< a > w", nullptr}},
         {1, 3, 0});
}

TEST_CASE("memo: a macro map write is made again on replay; the run's own writes are not reads") {
    play({{"write", {"x=a"}, "q", "q a", "q"},
          {"write", {"x=a"}, "q", "q a", "q"},
          {"write", {"x=a"}, "r", "r a", "r"},
          {"write", {"x=b"}, "q", "q b", "q"}},
         {1, 3, 0});
}

TEST_CASE("memo: what a called ruleset read is checked for its caller") {
    play({{"outer", {"y=1"}, "z", "o 1", nullptr},
          {"outer", {"y=2"}, "z", "o 2", nullptr},
          {"outer", {"y=1"}, "z", "o 1", nullptr},
          // (called from the top, not from outer: another recursion level, another key)
          {"inner", {"y=2"}, "z", "2", nullptr}},
         {1, 5, 0});
}

TEST_CASE("memo: a run that gave a message is not remembered; file and pure maps are not recorded") {
    // ("\x99" is $> as the workspace holds it)
    play({{"noisy", {}, "a", "\x99 nosuch a", nullptr}, {"noisy", {}, "a", "\x99 nosuch a", nullptr}}, {0, 0, 2});
    play({{"pure", {}, "\"a\"", "a", nullptr}, {"pure", {"x=b"}, "\"a\"", "a", nullptr}}, {1, 1, 0});
}

TEST_CASE("memo: a run that asks a program map is worked out every time (the program runs each time)") {
    play({{"prog", {}, "a", "a", nullptr}, {"prog", {}, "a", "a", nullptr}}, {0, 0, 2});
}

TEST_CASE("memo: it forgets everything when full") {
    World w;
    RewriteMemo small(*w.cfg, 2);
    std::size_t messages = 0;
    const char* inputs[] = {"a", "b", "c", "a"};
    for (const char* in : inputs) {
        Session s(*w.cfg);
        CollectingReporter rep;
        s.reporter = &rep;
        s.memo = &small;
        Tokens ws{in};
        rewrite(s, ws, w.cfg->find_ruleset("pure"));
        messages += rep.diagnostics.size();
    }
    CHECK(messages == 0);
    CHECK(small.stats().flushes == 1);
    CHECK(small.stats().hits == 0);  // "a" was forgotten with the rest
}

} // namespace
} // namespace cfkit

namespace cfkit {
namespace {

// Test mode remembers called rulesets' runs: its output must be the same
// as with every run worked out, across .D and .C lines that change what
// the runs read.
std::string bt_output(const std::string& cf, const std::string& input, bool memo) {
    std::string out;
    TextReporter rep;
    rep.out = &out;
    CompileOptions co;
    co.host = testing::fixed_host();
    co.display_path = "t.cf";
    auto config = compile_cf(parse_cf(cf, "t.cf"), co, rep);
    TestMode tm(*config, rep);
    if (!memo) tm.no_memo();
    std::size_t p = 0;
    while (p < input.size()) {
        std::size_t e = input.find('\n', p);
        out += "> ";
        if (!tm.line(input.substr(p, e - p))) break;
        p = e + 1;
    }
    return out;
}

TEST_CASE("memo in test mode: called rulesets replayed with their output, .D and .C respected") {
    const char* cf =
        "V10\nMlocal, P=/bin/true, A=x\nKput macro\n"
        "Sinner\nR$=W\t$@ class $1\nR$&x\t$@ macro\nR$*\t$@ plain $1\n"
        "Souter\nR$*\t$: $>inner $1\nR$*\t$@ <$1>\n"
        // a called ruleset whose $& value is prescanned into the shared array
        "Sdollar\nR$*\t$@ $&y $1\n"
        "Searly\nR$*\t$: $>dollar $1\nR$*\t$: $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1 $1\n"
        "R$*\t$: $1 $1 $1 $1 $1 $1 $1 $1 $1 $1\n";
    const std::string input =
        "outer a\nouter a\n.Dxa\nouter a\nouter b\n.CWb\nouter b\nouter a\n.Dx\nouter a\n"
        ".Dyq r s\nearly z\nearly z\n.Dyt\nearly z\nouter a\n";
    const std::string with = bt_output(cf, input, true), without = bt_output(cf, input, false);
    CHECK(with == without);
    // (the cases above do what they say)
    CHECK(without.find("outer            returns: < macro >") != std::string::npos);
    CHECK(without.find("outer            returns: < class b >") != std::string::npos);
    CHECK(without.find("dollar           returns: q r s z") != std::string::npos);
}

} // namespace
} // namespace cfkit
