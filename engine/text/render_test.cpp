// printav(): the two token forms print alike, meta bytes as -bt shows them.
#include <doctest/doctest.h>

#include <string>

#include "engine/text/render.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/token_pool.hpp"

namespace cfkit {

TEST_CASE("printav: the same line from token texts and from interned ids") {
    MacroNames names;
    struct Row {
        Tokens toks;
        std::string want;
    };
    const Row rows[] = {
        {{}, "\n"},
        {{"user", "@", "example", ".", "com"}, " user @ example . com\n"},
        {{"\x96", "local", "\x98", "joe"}, " $# local $: joe\n"},
        {{"\x93" "w", "\xe9t\xe9"}, " $=w M-itM-i\n"},
        {{"tab\there"}, " tab\\there\n"},  // a TAB shows as \t
        // a plain token that fills the buffer, then a meta one, then more
        {{std::string(1021, 'a'), "\x91", std::string(1022, 'b'), "c"},
         " " + std::string(1021, 'a') + " $+ " + std::string(1022, 'b') + " c\n"},
        {{std::string(1500, 'x'), "y"}, " " + std::string(1500, 'x') + " y\n"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.want.size());
        CHECK(printav(r.toks, names) == r.want);
        CHECK(printav(intern_tokens(r.toks), names) == r.want);
    }
    // many short tokens: the buffer is flushed between them
    Tokens many(600, "ab");
    std::string want;
    for (int i = 0; i < 600; ++i) want += " ab";
    CHECK(printav(many, names) == want + "\n");
    CHECK(printav(intern_tokens(many), names) == want + "\n");
}

} // namespace cfkit
