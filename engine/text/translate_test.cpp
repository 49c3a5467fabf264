// Macro names, `$` translation and read-time expansion (macro.c, readcf.c).
#include <doctest/doctest.h>

#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {
namespace {

std::string messages(const CollectingReporter& r) {
    std::string s;
    for (const auto& d : r.diagnostics) s += (s.empty() ? "" : "|") + d.message;
    return s;
}

struct MacidCase {
    const char* in;
    const char* want;  // the name as macname() shows it, or "" for failure
    const char* msgs;
};

TEST_CASE("macid_parse: names and sendmail's messages") {
    const MacidCase cases[] = {
        {"x", "x", ""},
        {"{x}", "x", ""},
        {"{foo}", "{foo}", ""},
        {"{a-b}", "{ab}", "Invalid macro/class character -"},
        {"{}", "", "Name required for macro/class"},
        {"", "", "Name required for macro/class"},
        {"{unterminated", "", "Unbalanced { on unterminated|Unable to assign macro/class ID (mid = 0xffffffff)"},
        {"{abcdefghijklmnopqrstuvwxyz}", "",
         "Macro/class name ({abcdefghijklmnopqrstuvwxy}) too long (25 chars max)|"
         "Unable to assign macro/class ID (mid = 0xffffffff)"},
    };
    for (const MacidCase& c : cases) {
        CAPTURE(c.in);
        MacroNames names;
        CollectingReporter rep;
        MacroIdResult r = macid_parse(c.in, 0, names, rep);
        if (*c.want) {
            REQUIRE(r.id != 0);
            CHECK(names.display(static_cast<MacroId>(r.id)) == c.want);
        } else {
            CHECK(r.id == 0);
        }
        CHECK(messages(rep) == c.msgs);
    }
}

TEST_CASE("macid_of_name: the id and messages macid_parse gives {name}, for every kind of name") {
    const char* names_in[] = {"client_addr", "x_1", "opMode", "a-b", "abcdefghijklmnopqrstuvwxyz", "ab}c", "n"};
    for (const char* n : names_in) {
        CAPTURE(n);
        MacroNames fast_names, slow_names;
        CollectingReporter fast_rep, slow_rep;
        const int fast = macid_of_name(n, fast_names, fast_rep);
        const int slow = macid_parse("{" + std::string(n) + "}", 0, slow_names, slow_rep).id;
        CHECK(fast == slow);
        CHECK(messages(fast_rep) == messages(slow_rep));
        // and the next name gets the same id either way
        CHECK(macid_of_name("after", fast_names, fast_rep) == macid_parse("{after}", 0, slow_names, slow_rep).id);
    }
}

TEST_CASE("macid_parse: long names get ids from 0xA2 up ({deliveryMode} 0xA0, {load_avg} 0xA1, {opMode} 0x82)") {
    MacroNames names;
    CollectingReporter rep;
    CHECK(macid_parse("{opMode}", 0, names, rep).id == 0x82);
    CHECK(macid_parse("{deliveryMode}", 0, names, rep).id == 0xA0);
    CHECK(macid_parse("{load_avg}", 0, names, rep).id == 0xA1);
    CHECK(macid_parse("{first}", 0, names, rep).id == 0xA2);
    CHECK(macid_parse("{First}", 0, names, rep).id == 0xA3);  // case-sensitive
    CHECK(macid_parse("{first}", 0, names, rep).id == 0xA2);
    for (int i = 0; i < 92; ++i) macid_parse("{n" + std::to_string(i) + "}", 0, names, rep);
    CHECK(rep.diagnostics.empty());
    CHECK(macid_parse("{onemore}", 0, names, rep).id == 0);
    CHECK(messages(rep) == "Macro/class {onemore}: too many long names|Unable to assign macro/class ID (mid = 0xffffffff)");
}

TEST_CASE("translate_dollars and expand: read-time macros, deferred $&, conditionals") {
    Env env;
    CollectingReporter rep;
    env.macros.set('j', "mail.example.com");
    env.macros.set('x', "X");
    struct Case {
        const char* in;
        const char* want;  // after expansion, rendered by xputs
    } cases[] = {
        {"$j $$ $&j", "mail.example.com $ $&j"},
        {"$*<@$+>", "$*<@$+>"},
        {"$?x yes $| no $.", " yes "},
        {"$?q yes $| no $.", " no "},
        {"a$|b$.c", "a$|b$.c"},       // outside a conditional they stay
        {"${undefined}z", "z"},
        {"$=R $~{Long}", "$=R $~{Long}"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        std::string t = translate_dollars(c.in, 10, env.names, rep);
        CHECK(xputs(expand(t, env, rep), env.names) == c.want);
    }
    CHECK(rep.diagnostics.empty());
}

TEST_CASE("expand: recursion stops at 10 levels with sendmail's message") {
    Env env;
    CollectingReporter rep;
    env.macros.set('a', translate_dollars("<$b>", 10, env.names, rep));
    env.macros.set('b', translate_dollars("[$a]", 10, env.names, rep));
    std::string out = expand(translate_dollars("$a", 10, env.names, rep), env, rep);
    CHECK(messages(rep) == "expand: recursion too deep (10 max)");
    // as sendmail 8.17 prints it for a rule RHS `$a` (checked with -bt =S)
    CHECK(xputs(out, env.names) == "<[<[<[<[<[<$b>]>]>]>]>]>");
}

TEST_CASE("translate_dollars: a comment takes the white space before it, not the next line") {
    MacroNames names;
    CollectingReporter rep;
    std::string t = translate_dollars("R$*\t$@ $1 \t\t # c\n  more", 10, names, rep);
    CHECK(xputs(t, names) == "R$*\\t$@ $1\\n  more");
}

TEST_CASE("munchstring: D-line values") {
    CHECK(munchstring("a\\tb\\nc") == "atb\nc");
    CHECK(munchstring("\"quoted # x\" y") == "quoted # x y");
    CHECK(munchstring("\\#x") == "#x");
}

} // namespace
TEST_CASE("quote_internal_chars: meta bytes and METAQUOTE get a METAQUOTE in front") {
    const struct {
        std::string in, want;
    } rows[] = {
        {"plain text", "plain text"},
        {"a\x91" "b", "a\xff\x91" "b"},
        {"\x80\x9f", "\xff\x80\xff\x9f"},
        {"\xa0\xe9", "\xa0\xe9"},  // above the meta range: left alone
        {"\xff", "\xff\xff"},
        {"", ""},
    };
    for (const auto& r : rows) {
        CAPTURE(r.in);
        CHECK(quote_internal_chars(r.in) == r.want);
    }
}

TEST_CASE("SuppressedErrors: usrerr() goes, syserr(), message() and plain prints stay") {
    CollectingReporter to;
    to.loc = SourceLoc{"t.cf", 3, 1};
    SuppressedErrors quiet(to);
    quiet.usrerr("553 dropped");
    quiet.syserr("buildaddr: no mailer in parsed address");
    quiet.message("a... Transient parse error -- message queued for future delivery");
    quiet.plain("note");
    CHECK(messages(to) == "buildaddr: no mailer in parsed address|"
                         "a... Transient parse error -- message queued for future delivery|note");
    CHECK(to.diagnostics[0].loc.file == "t.cf");  // the place of the reporter it feeds
}

} // namespace cfkit
