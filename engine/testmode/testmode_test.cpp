// Test-mode commands and messages (main.c testmodeline()).
#include <doctest/doctest.h>

#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

using testing::run_bt;

const char* kCf = "V10\nMlocal, P=/bin/true, A=x\nCX one two  three\nSName\nR$=X $*\t$@ in-X $2\nR$*\t$@ $1\n";

struct Case {
    const char* input;
    const char* want;
};

TEST_CASE("testmode: commands") {
    const Case cases[] = {
        {"", "> > "},
        {"# comment", "> > "},
        {"foo", "> No address!\n> "},
        {".", "> Usage: .[DC]macro value(s)\n> "},
        {".X foo", "> Unknown \".\" command .X foo\n> "},
        {".Dxfoo bar\n$x", "> > foo bar\n> "},
        {".D{v} hi $j\n${v}", "> >  hi $j\n> "},  // the value keeps its leading space
        {"$", "> Name required for macro/class\n> "},
        {"$q", "> Undefined\n> "},
        {"$*", "> $*\n> "},
        {"$=X", "> one\ntwo\nthree\n> "},  // symbol-table order, not sorted
        {"=Sfoo", "> Undefined ruleset foo\n> "},
        {"=", "> Usage: =Sruleset or =M\n> "},
        {"-", "> Usage: -d{debug arguments}\n> "},
        {"-x", "> Unknown \"-\" command -x\n> "},
        {"/foo", "> Unknown \"/\" command /foo\n> "},
        {"/expand $j", "> $j> "},
        {"/tryflags HS\n${addr_type}", "> > h s\n> "},
        {"Name one rest", "> Name               input: one rest\nName             returns: in-X rest\n> "},
        {"Name a,,b", "> Name               input: a\nName             returns: a\nName               input: b\nName             returns: b\n> "},
        {"Name,nosuch a", "> Name               input: a\nName             returns: a\nUndefined ruleset nosuch\n> "},
        {",3 a", "> invalid ruleset name: \",3\"\nUndefined ruleset ,3\n> "},
        {"300 a", "> bad ruleset 300 (100 max)\nUndefined ruleset 300\n> "},
        {"=M",
         "> mailer 0 (prog): P=/bin/sh S=0/0 R=0/0 M=0 U=-1:-1 F=9Dloqsu L=0 E=\\n T=X-Unix/X-Unix/X-Unix r=100 A=sh -c $u\n"
         "mailer 1 (*file*): P=[FILE] S=0/0 R=0/0 M=0 U=-1:-1 F=9DEFMPloqsu L=0 E=\\n T=X-Unix/X-Unix/X-Unix r=100 A=FILE $u\n"
         "mailer 2 (*include*): P=/dev/null S=0/0 R=0/0 M=0 U=-1:-1 F=su L=0 E=\\n T=<undefined>/<undefined>/<undefined> r=100 A=INCLUDE $u\n"
         "mailer 3 (local): P=/bin/true S=0/0 R=0/0 M=0 U=-1:-1 F= L=0 E=\\r\\n T=<undefined>/<undefined>/<undefined> r=100 A=x\n> "},
        {"-d21.12\nName one", "> > Name               input: one\n-----trying rule: $=X $*\n-----rule matches: $@ in-X $2\n"
                                "rewritten as: in-X\nName             returns: in-X\n> "},
        {"/quit\nName x", "> "},
    };
    for (const Case& c : cases) {
        CAPTURE(c.input);
        CHECK(run_bt(kCf, std::string(c.input) + "\n").output == c.want);
    }
}

TEST_CASE("testmode: the address check before tokenizing") {
    std::string ok(255, 'b'), tolong(256, 'b');
    CHECK(run_bt(kCf, "Name " + ok + "\n").output.find("input: " + ok) != std::string::npos);
    CHECK(run_bt(kCf, "Name " + tolong + "\n").output == "> Address \"" + ok + "\" too long (255 bytes max)\n> ");
    auto r = run_bt(kCf, "Name a\x85" "b\n");
    CHECK(r.output == "> 8-bit character in mailbox address \"a?b\"\n> ");
    CHECK(r.exit_status == 64);
}

} // namespace
} // namespace cfkit
