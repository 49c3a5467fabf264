#include "engine/textutil.hpp"

#include <cstdlib>
#include <ctime>
#include <vector>

#include <doctest/doctest.h>

namespace cfkit {

TEST_CASE("arpadate writes dates as sendmail on Linux does") {
    const char* saved = std::getenv("TZ");
    std::string old = saved ? saved : "";
    struct Case {
        const char* tz;
        std::time_t t;
        const char* want;
    };
    for (const Case& c : std::vector<Case>{{"UTC0", 0, "Thu, 1 Jan 1970 00:00:00 GMT"},
                                           {"UTC0", 1000000000, "Sun, 9 Sep 2001 01:46:40 GMT"},
                                           {"CET-1", 1000000000, "Sun, 9 Sep 2001 02:46:40 +0100"},
                                           {"EST5", 1000000000, "Sat, 8 Sep 2001 20:46:40 -0500"},
                                           {"IST-5:30", 1700000000, "Wed, 15 Nov 2023 03:43:20 +0530"}}) {
        setenv("TZ", c.tz, 1);
        tzset();
        CAPTURE(c.tz);
        CHECK(arpadate(c.t) == c.want);
    }
    if (saved) setenv("TZ", old.c_str(), 1);
    else unsetenv("TZ");
    tzset();
}

} // namespace cfkit
