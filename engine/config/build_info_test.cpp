#include "engine/config/build_info.hpp"

#include <doctest/doctest.h>

#include "engine/text/debug_flags.hpp"

namespace cfkit {

TEST_CASE("print_options wraps as sm_printoptions does") {
    // the first line starts at column 7; a name that would pass column 63 starts a new line
    std::vector<std::string> got = print_options(" Compiled with:", {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBBBBB",
                                                                     "CCCCCCCC", "D"});
    std::vector<std::string> want = {" Compiled with: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA BBBBBBBBBBBBBBBBBBBBBBBBB",
                                     "\t\tCCCCCCCC D"};
    CHECK(got == want);
    CHECK(print_options("x:", {}) == std::vector<std::string>{"x:"});
}

TEST_CASE("build_info_lines follows the level of category 0") {
    DebugLevels d{};
    CHECK(build_info_lines(d).empty());
    apply_debug_spec(d, "0.1");
    std::vector<std::string> one = build_info_lines(d);
    REQUIRE(!one.empty());
    CHECK(one[0].rfind("Version 8.17.1.9\n Compiled with: DNSMAP", 0) == 0);
    apply_debug_spec(d, "0.10");
    std::vector<std::string> ten = build_info_lines(d);
    CHECK(ten.size() > one.size());
    CHECK(ten.back() == "      Pid file:\t/var/run/sendmail/mta/sendmail.pid (default)");
}

TEST_CASE("apply_debug_spec parses tTflag syntax") {
    struct Case {
        const char* spec;
        int category;
        int level;
    };
    for (const Case& c : std::vector<Case>{{"21.12", 21, 12}, {"0", 0, 1}, {"0-3.4", 2, 4}, {"ANSI,21.2", 21, 2},
                                           {"99.7", 99, 7}, {"5-2.3", 3, 0}}) {
        DebugLevels d{};
        apply_debug_spec(d, c.spec);
        CAPTURE(c.spec);
        CHECK(d[static_cast<std::size_t>(c.category)] == c.level);
    }
}

} // namespace cfkit
