// The grammar: folding, line kinds, fields and their positions.
#include <doctest/doctest.h>

#include "grammar/cf_parser.hpp"
#include "grammar/comments.hpp"

namespace cfkit {
namespace {

TEST_CASE("grammar: continuation lines fold; messages use the last physical line") {
    CfFile f = parse_cf("V10\nDxone\n two\n\tthree\nSfoo\r\nR$*\t$@ x\n", "t.cf");
    REQUIRE(f.lines.size() == 4);
    CHECK(f.lines[1].kind == LineKind::Define);
    CHECK(f.lines[1].raw == "Dxone\n two\n\tthree");
    CHECK(f.lines[1].loc.line == 2);
    CHECK(f.lines[1].report_line == 4);
    CHECK(f.lines[2].raw == "Sfoo");  // CR LF counts as LF
    CHECK(f.lines[3].report_line == 6);
}

TEST_CASE("grammar: a last line without LF keeps the previous line number (sendmail counts LFs)") {
    CfFile f = parse_cf("V10\nSfoo", "t.cf");
    REQUIRE(f.lines.size() == 2);
    CHECK(f.lines[1].report_line == 1);
}

struct KindCase {
    const char* line;
    LineKind kind;
};

TEST_CASE("grammar: one line kind per key letter") {
    const KindCase cases[] = {
        {"V10", LineKind::Version},   {"Dxy", LineKind::Define},      {"Cwfoo", LineKind::Class},
        {"Fw/x", LineKind::FileClass}, {"S0", LineKind::Ruleset},     {"R$*\tx", LineKind::Rule},
        {"Kx arith", LineKind::Map},   {"Mlocal, P=x", LineKind::Mailer}, {"OB.", LineKind::Option},
        {"HFoo: x", LineKind::Header}, {"Pbulk=-60", LineKind::Priority}, {"EX=1", LineKind::Env},
        {"Qmqueue", LineKind::Queue},  {"Troot", LineKind::Trusted},  {"Xmilter", LineKind::Milter},
        {"Lfoo", LineKind::Unknown},   {"# x", LineKind::Comment},    {"", LineKind::Blank},
    };
    for (const KindCase& c : cases) {
        CAPTURE(c.line);
        CfFile f = parse_cf(std::string("V10\n") + c.line + "\n", "t.cf");
        REQUIRE(f.lines.size() == 2);
        CHECK(f.lines[1].kind == c.kind);
    }
}

TEST_CASE("grammar: a first line that starts with a space is its own (unknown) line") {
    CfFile f = parse_cf(" x\nV10\n", "t.cf");
    REQUIRE(f.lines.size() == 2);
    CHECK(f.lines[0].kind == LineKind::Unknown);
    CHECK(f.lines[0].text == " x");
}

TEST_CASE("grammar: R lines split at TABs, with positions") {
    CfFile f = parse_cf("V10\nR$* < @ $+ >\t\t$@ $1\tcomment here\nR$*\n", "t.cf");
    const CfLine& r = f.lines[1];
    CHECK(r.lhs.text == "$* < @ $+ >");
    CHECK(r.lhs.loc.line == 2);
    CHECK(r.lhs.loc.column == 2);
    CHECK(r.rhs.text == "$@ $1");
    CHECK(r.rhs.loc.column == 15);
    CHECK(r.comment.text == "comment here");
    CHECK_FALSE(r.missing_tab);
    CHECK(f.lines[2].missing_tab);
}

struct CommentCase {
    const char* in;
    int level;
    const char* want;
};

TEST_CASE("grammar: '#' comments from V3 on, as translate_dollars removes them") {
    const CommentCase cases[] = {
        {"Dy\"quoted # not\" # c", 10, "Dy\"quoted"},
        {"R$+ # c\t$@ x", 10, "R$+"},          // the comment eats the TAB
        {"R$#x\t$@ x", 10, "R$#x\t$@ x"},      // $# is not a comment
        {"Dx a\\#b", 10, "Dx a#b"},             // \# keeps a '#'
        {"Dx a # c\n more", 10, "Dx a\n more"}, // the continuation survives
        {"Dx a # c", 2, "Dx a # c"},            // before V3 '#' is literal
        {"Dxa   ", 10, "Dxa"},
    };
    for (const CommentCase& c : cases) {
        CAPTURE(c.in);
        CHECK(strip_comments(c.in, c.level) == c.want);
    }
}

TEST_CASE("grammar: the V line sets the comment rule for the lines after it") {
    CfFile f = parse_cf("Dx a # c\nV10\nDy a # c\n", "t.cf");
    CHECK(f.lines[0].text == "Dx a # c");
    CHECK(f.lines[2].text == "Dy a");
}

} // namespace
} // namespace cfkit
