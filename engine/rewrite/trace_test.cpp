// The structured trace that `cfkit run --trace/--json` prints.
#include <doctest/doctest.h>

#include "engine/rewrite/rewrite.hpp"
#include "engine/rewrite/trace.hpp"
#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

TEST_CASE("trace: rules tried, bindings, positions and nested calls, in order") {
    const char* cf =
        "V10\nMlocal, P=/bin/true, A=x\n"
        "Sinner\nR$+\t$@ <$1>\n"
        "Souter\nR$- @ $+\t$: $>inner $2\nR$*\t$@ done $1\n";
    CollectingReporter load;
    CompileOptions co;
    co.host = testing::fixed_host();
    co.display_path = "t.cf";
    auto config = compile_cf(parse_cf(cf, "t.cf"), co, load);
    TraceRecorder rec;
    CollectingReporter rep;
    Session s(*config);
    s.reporter = &rep;
    s.observer = &rec;
    Tokens ws = testing::toks({"u", "@", "h"});
    CHECK(rewrite(s, ws, config->find_ruleset("outer")) == 0);
    CHECK(ws == testing::toks({"done", "<", "h", ">"}));

    std::string seq;
    for (const TraceEvent& e : rec.events) {
        static const char* k[] = {"enter", "return", "try", "match", "fail", "rewritten", "message"};
        seq += std::string(k[static_cast<int>(e.kind)]) + "@" + std::to_string(e.depth) + " ";
    }
    CHECK(seq ==
          "enter@0 try@0 match@0 enter@1 try@1 match@1 rewritten@1 return@1 rewritten@0 "
          "try@0 match@0 rewritten@0 return@0 ");
    const TraceEvent& first_match = rec.events[2];
    REQUIRE(first_match.bindings.size() == 2);
    CHECK(first_match.bindings[0] == testing::toks({"u"}));
    CHECK(first_match.bindings[1] == testing::toks({"h"}));
    CHECK(rec.events[1].loc.file == "t.cf");
    CHECK(rec.events[1].loc.line == 6);
    CHECK(rec.events[1].rule == 1);
}

} // namespace
} // namespace cfkit
