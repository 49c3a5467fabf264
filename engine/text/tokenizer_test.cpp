// prescan() cases, taken from transcripts of the real sendmail -bt
// (shared/research/semantics.md 1.5) and from its source.
#include <doctest/doctest.h>

#include "engine/text/render.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {
namespace {

std::string join(const Tokens& t) {
    MacroNames names;
    std::string s;
    for (const auto& x : t) s += (s.empty() ? "" : " ") + xputs(x, names);
    return s;
}

struct Case {
    const char* in;
    const char* want;     // tokens joined by one space, as -bt prints them
    const char* errors;   // messages joined by '|'
};

TEST_CASE("prescan: -bt input with the V10 table and m4's OperatorChars") {
    TokenTables t = make_token_tables(".:%@!^/[]+");
    const Case cases[] = {
        {"user@example.com", "user @ example . com", ""},
        {"a (comment) b", "a ( comment ) b", ""},
        {"\"quoted string\"x y", "\"quoted string\" x y", ""},
        {"1.2.3.4", "1 . 2 . 3 . 4", ""},
        {"a;b:c[d]e=f/g", "a ; b : c [ d ] e=f / g", ""},
        {"a\"b c\"d", "a \"b c\" d", ""},
        {"a\\.b c\\\\d", "a\\.b c\\\\d", ""},
        {"e\\!f", "e ! f", ""},  // the backslash goes; "!" is an operator here
        {"trailing\\", "trailing", ""},
        {"$| $# $@", "$| $# $ @", ""},
        {"a>b", "ab", "a>b... Unbalanced '>'"},
        {"\"unterminated", "\"unterminated\"", "\"unterminated... Unbalanced '\"'"},
        {"<a", "< a >", "<a... Unbalanced '<'"},
        {"\"abc\\", "\"abc\\\"\"", "\"abc\\... Unbalanced '\"'|\"abc\\... Unbalanced '\"'"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.in);
        ScanOptions so;
        so.delim = ',';
        ScanResult r = prescan(c.in, t.nocomment, so);
        CHECK(join(r.tokens) == c.want);
        std::string errs;
        for (const auto& e : r.errors) errs += (errs.empty() ? "" : "|") + e;
        CHECK(errs == c.errors);
    }
}

TEST_CASE("prescan: comments vanish with the external table (below V9)") {
    TokenTables t = make_token_tables(".:@[]");
    ScanOptions so;
    so.delim = ',';
    ScanResult r = prescan("a (comment) b", t.external, so);
    CHECK(join(r.tokens) == "a b");
    r = prescan("a) b", t.external, so);
    CHECK(join(r.tokens) == "a b");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "a) b... Unbalanced ')'");
}

TEST_CASE("prescan: address lists split at commas, except in route syntax") {
    TokenTables t = make_token_tables(".:@[]");
    ScanOptions so;
    so.delim = ',';
    std::string in = "a, b,<@x,@y:u@z>";
    ScanResult r = prescan(in, t.nocomment, so);
    CHECK(join(r.tokens) == "a");
    CHECK(in[r.delim_pos] == ',');
    r = prescan(std::string_view(in).substr(r.delim_pos + 1), t.nocomment, so);
    CHECK(join(r.tokens) == "b");
    r = prescan("<@x,@y:u@z>", t.nocomment, so);
    CHECK(join(r.tokens) == "< @ x , @ y : u @ z >");
}

TEST_CASE("prescan: limits give sendmail's messages and no tokens") {
    TokenTables t = make_token_tables(".:@[]");
    ScanOptions so;
    so.bufsize = limits::kRuleBufSize;  // room for 1001 tokens
    std::string many;
    for (int i = 0; i < 501; ++i) many += "a.";
    ScanResult r = prescan(many, t.nocomment, so);
    CHECK_FALSE(r.ok);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].substr(r.errors[0].size() - 24) == "prescan: too many tokens");
    so.bufsize = limits::kPsBufSize;  // addresses: the buffer fills first
    r = prescan(many, t.nocomment, so);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].substr(r.errors[0].size() - 16) == "Address too long");
    r = prescan(std::string(257, 'b'), t.nocomment, so);
    CHECK_FALSE(r.ok);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].find("...") == 100);
    CHECK(r.errors[0].substr(r.errors[0].size() - 23) == "prescan: token too long");
    r = prescan(std::string(256, 'b'), t.nocomment, so);
    CHECK(r.ok);
    CHECK(r.errors.empty());
}

TEST_CASE("prescan: rule text keeps meta bytes as tokens, ONE bytes take the next byte") {
    TokenTables t = make_token_tables(".:@[]");
    ScanOptions so;
    so.delim = '\t';
    so.ignore = true;
    so.bufsize = limits::kRuleBufSize;
    ScanResult r = prescan("\x90<@\x93R\x90>", t.nocomment, so);
    CHECK(join(r.tokens) == "$* < @ $=R $* >");
    r = prescan("\"unbal", t.nocomment, so);  // ignore: an open quote stays open
    CHECK(join(r.tokens) == "\"unbal");
    CHECK(r.errors.empty());
}

} // namespace
} // namespace cfkit
