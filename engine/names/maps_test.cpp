// Map classes without files: K-line parsing messages and lookups. Expected
// values are sendmail 8.17's (testcases/diff/semantics/m.cf, edge/maps.cf).
#include <doctest/doctest.h>

#include "engine/names/maps.hpp"

namespace cfkit {
namespace {

struct Fixture {
    Env env;
    MapTable table;
    MapRuntime runtime;
    CollectingReporter rep;
    MapLookupContext ctx{env, runtime, rep, &table};

    std::string lookup(const char* map, const std::string& key, std::vector<std::string> args = {}) {
        const MapDef* m = table.find(map);
        REQUIRE(m != nullptr);
        if (!open_map(*m, ctx)) return "not open";
        std::vector<std::string> argv{key};
        argv.insert(argv.end(), args.begin(), args.end());
        MapResult r = lookup_map(*m, key, argv, ctx);
        return (r.value ? "returns " + *r.value : std::string("no match")) + " (" + std::to_string(r.status) + ")";
    }
    std::string messages() const {
        std::string s;
        for (const auto& d : rep.diagnostics) s += (s.empty() ? "" : "|") + d.message;
        return s;
    }
};

TEST_CASE("maps: K line errors") {
    struct Case {
        const char* line;
        const char* msg;
    } cases[] = {
        {"", "readcf: config K line: no map name"},
        {" foo", "readcf: config K line, map foo: no map class"},
        {"foo bar", "readcf: map foo: class bar not available"},
        {"foo hash", "No file name for hash map foo"},
        {"foo hash -x /f", "Illegal option x map foo"},
        {"foo regex ([a-", "pattern-compile-error: Unmatched [, [^, [:, [., or [="},
        {"foo regex -s3 (a)(b)", "field (3) out of range, only 3 substrings in pattern"},
        {"foo sequence nosuch", "Sequence map foo: unknown member map nosuch"},
        {"foo dns -a.", "dns map foo: missing -R type"},
        {"foo arith", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.line);
        Fixture f;
        f.table.declare(c.line, ' ', f.rep);
        CHECK(f.messages() == c.msg);
    }
}

TEST_CASE("maps: lookups in classes that need no file") {
    Fixture f;
    for (const char* k : {"dq dequote", "dq2 dequote -s+ -a.APP", "ar arith", "arpa arpa", "re regex -a@MATCH ^[a-z]+$",
                          "re2 regex -s1,2 ^(.*)@(.*)$", "re3 regex -n -a.no x", "nul null", "mac macro",
                          "seq sequence nul ar", "syslog syslog"}) {
        f.table.declare(k, ' ', f.rep);
    }
    REQUIRE(f.messages().empty());
    struct Case {
        const char* map;
        const char* key;
        std::vector<std::string> args;
        const char* want;
    } cases[] = {
        {"dq", "\"foo\"@bar", {}, "returns foo@bar (0)"},
        {"dq", "\"foo bar\"", {}, "no match (0)"},  // a space left: not dequoted
        {"dq", "foo", {}, "no match (0)"},           // no quotes at all
        {"dq2", "\"a b\"", {}, "returns a+b (0)"},   // only the first option counts
        {"ar", "+", {"1", "2"}, "returns 3 (0)"},
        {"ar", "l", {"1", "2"}, "returns TRUE (0)"},
        {"ar", "/", {"1", "0"}, "no match (0)"},
        {"ar", "+", {"1"}, "no match (78)"},
        {"ar", "x", {"1", "2"}, "no match (78)"},
        {"arpa", "1.2.3.4", {}, "returns 4.3.2.1 (0)"},
        {"arpa", "nonsense", {}, "no match (65)"},
        {"re", "abc", {}, "returns @MATCH (0)"},
        {"re", "ab1", {}, "no match (0)"},
        {"re2", "abc@def", {}, "returns abc\x9b" "def (0)"},  // CONDELSE between the groups
        {"re3", "abc", {}, "returns .no (0)"},
        {"nul", "x", {}, "no match (68)"},
        {"seq", "+", {"2", "3"}, "returns 5 (0)"},
        {"syslog", "hello", {}, "returns  (0)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.map);
        CAPTURE(c.key);
        CHECK(f.lookup(c.map, c.key, c.args) == c.want);
    }
}

TEST_CASE("maps: the macro map sets and clears macros, and returns nothing") {
    Fixture f;
    f.table.declare("mac macro", ' ', f.rep);
    CHECK(f.lookup("mac", "{foo}", {"bar"}) == "returns  (0)");
    auto id = f.env.names.find("foo");
    REQUIRE(id);
    REQUIRE(f.env.macros.get(*id) != nullptr);
    CHECK(*f.env.macros.get(*id) == "bar");
    CHECK(f.lookup("mac", "{foo}") == "returns  (0)");
    CHECK(f.env.macros.get(*id) == nullptr);
    CHECK(f.lookup("mac", "xyz", {"v"}) == "returns  (0)");  // a plain key uses its first byte
    REQUIRE(f.env.macros.get('x') != nullptr);
    CHECK(*f.env.macros.get('x') == "v");
}

TEST_CASE("maps: a map whose file is missing") {
    Fixture f;
    f.table.declare("acc hash /nonexistent/access", ' ', f.rep);
    f.table.declare("opt hash -o /nonexistent/opt", ' ', f.rep);
    CHECK(f.lookup("acc", "foo") == "no match (75)");
    CHECK(f.messages() == "hash map \"acc\": missing map file /nonexistent/access.db: No such file or directory");
    CHECK(f.lookup("acc", "foo") == "no match (75)");  // the message comes once
    CHECK(f.rep.diagnostics.size() == 1);
    CHECK(f.lookup("opt", "foo") == "not open");
}

} // namespace
} // namespace cfkit
