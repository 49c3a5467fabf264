#include "engine/text/textutil.hpp"

#include <arpa/inet.h>
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

TEST_CASE("queue_id builds assign_queueid()'s ids") {
    struct Row {
        std::time_t t;
        unsigned seq;
        long pid;
        const char* want;
    };
    const Row rows[] = {
        {1796113452, 1234, 1728, "6B18OCKY001728"},   // 2026-12-01 08:24:12 UTC
        {1796113452, 0, 1, "6B18OC00000001"},
        {1796113452, 3599 + 3600, 4194304, "6B18OCxx4194304"},  // seq wraps; long pids are not cut
        {946684799, 59, 99, "dBVNxx0x000099"},  // 1999-12-31 23:59:59: minute and second % 62
    };
    for (const Row& r : rows) {
        CAPTURE(r.want);
        CHECK(queue_id(r.t, r.seq, r.pid) == r.want);
    }
}

TEST_CASE("IPv6 text forms and reverse labels") {
    struct Row {
        const char* addr;
        const char* full;     // sm_inet6_ntop()
        const char* reverse;  // reverse_labels_v6()
    };
    const Row rows[] = {
        {"2001:db8::1", "2001:db8:0:0:0:0:0:1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"},
        {"::", "0:0:0:0:0:0:0:0", "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"},
        {"FE80::ABCD:1", "fe80:0:0:0:0:0:abcd:1", "1.0.0.0.d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.addr);
        unsigned char a[16];
        REQUIRE(inet_pton(AF_INET6, r.addr, a) == 1);
        CHECK(full_ipv6(a) == r.full);
        CHECK(full_ipv6(std::string(r.addr)) == r.full);
        CHECK(reverse_labels_v6(a) == r.reverse);
    }
    CHECK(full_ipv6(std::string("not-an-address")) == "not-an-address");
    const unsigned char v4[4] = {192, 0, 2, 1};
    CHECK(reverse_labels_v4(v4) == "1.2.0.192");
}

} // namespace cfkit
