// The mailq listing's pieces (prtstr, convtime, the marks and lines) on
// queues written here. The whole listing is compared with the real
// `sendmail -bp` on queues the real daemon wrote by tools/oracle/queuediff.py.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/queue/mailq.hpp"
#include "engine/queue/test_queue_dir.hpp"

namespace cfkit::queue {
namespace {

using testing::qf_text;
using testing::TempQueue;

TEST_CASE("append_prtstr: prtstr()'s columns and escapes") {
    struct Row {
        const char* in;
        int ml;
        const char* want;
    } rows[] = {
        {"abc", 39, "abc"},
        {"abcdef", 3, "abc"},
        {"a\\b", 39, "a\\\\b"},
        {"a\\", 2, "a"},  // no room left for the doubled backslash
        {"a\tb", 39, "a\\011b"},
        {"\x83g", 39, "\\203g"},
        {"ab\x01", 5, "ab"},  // an escape needs 4 columns and leaves one
        {"ab\x01", 7, "ab\\001"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        std::string o;
        append_prtstr(o, r.in, r.ml);
        CHECK(o == r.want);
    }
}

TEST_CASE("convtime: sendmail's time values") {
    struct Row {
        const char* in;
        char unit;
        long long want;
    } rows[] = {
        {"30", 'm', 1800}, {"30m", 'm', 1800}, {"1h30m", 'm', 5400}, {"2d", 'm', 172800},
        {"1w", 's', 604800}, {"45s", 'm', 45}, {"-5m", 'm', -300}, {"now", 'm', 0},
        {"7x", 's', 7},  // an unknown unit: "Invalid time unit", then the default one
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        CHECK(convtime(r.in, r.unit) == r.want);
    }
}

std::string listing(const TempQueue& q, ListOptions o = {}) {
    setenv("TZ", "UTC", 1);
    tzset();
    Layout l = queue_layout(q.root(), {});
    REQUIRE(l.errors.empty());
    std::string out;
    print_queue(l, o, Filter{}, [&out](std::string_view s) { out.append(s); });
    return out;
}

TEST_CASE("print_queue: an empty queue, then entries in priority order") {
    TempQueue q;
    CHECK(listing(q) == q.root() + " is empty\n\t\tTotal requests: 0\n");
    q.write("qfAAA", qf_text("<a@example.org>", {"b@example.com"}, 1700000000, 500));
    q.write("dfAAA", "hello\n");
    q.write("qfBBB", qf_text("c@example.org", {"d@example.com"}, 1700000060, 100));
    // no df: size -1, and readqf()'s complaint between the id and the mark
    const std::string head = "\t\t" + q.root() +
                             " (2 requests)\n-----Q-ID----- --Size-- -----Q-Time----- "
                             "------------Sender/Recipient-----------\n";
    CHECK(listing(q) == head +
                            "          BBBreadqf: cannot open ./dfBBB: No such file or directory\n"
                            "       -1 Tue Nov 14 22:14 c@example.org\n\t\t\t\t\t d@example.com\n"
                            "          AAA        6 Tue Nov 14 22:13 <a@example.org>\n\t\t\t\t\t b@example.com\n"
                            "\t\tTotal requests: 2\n");
}

TEST_CASE("print_queue: status, body type, quarantine and no T line") {
    TempQueue q;
    q.write("qfAAA", "V8\nP1\nMDeferred: Connection refused by example.com.\nB8BITMIME\nSa@b\nRPFD:x@y\n.\n");
    q.write("dfAAA", "");
    const std::string got = listing(q);
    CHECK(got.find("          AAA        0 Thu Jan  1 00:00 a@b\n    "
                   "  8BITMIME   (Deferred: Connection refused by example.com.)\n\t\t\t\t\t x@y (no control file)\n") !=
          std::string::npos);
    TempQueue h;
    h.write("hfAAA", "V8\nT1700000000\nP1\nqspam\nSa@b\nRPFD:x@y\n.\n");
    ListOptions o;
    o.mode = QueueMode::Quarantine;
    CHECK(listing(h, o).find("a@b\n     QUARANTINE: spam\n\t\t\t\t\t x@y\n") != std::string::npos);
    CHECK(listing(h).find("is empty") != std::string::npos);  // -bp shows only qf files
}

TEST_CASE("print_queue: the marks: locked, too young, load too high") {
    TempQueue q;
    q.write("qfAAA", qf_text("a@b", {"x@y"}));
    q.write("dfAAA", "");
    int fd = ::open(q.path("qfAAA").c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    CHECK(listing(q).find("          AAA*       0 ") != std::string::npos);
    ListOptions byname;
    byname.order = SortOrder::Filename;  // gatherq() does not open the files: no lock seen
    CHECK(listing(q, byname).find("          AAA        0 ") != std::string::npos);
    ::close(fd);
    ListOptions young;
    young.min_queue_age = 3600;
    young.now = 1700000000 + 60;
    q.write("qfAAA", "V8\nT1700000000\nK1700000000\nN1\nP1\nSa@b\n.\n");
    CHECK(listing(q, young).find("          AAA-") != std::string::npos);
    ListOptions loaded;
    loaded.current_la = 20;  // QueueLA 8: queue when pri > 600000 / 13
    loaded.queue_la = 8;
    q.write("qfAAA", "V8\nT1700000000\nP50000\nSa@b\n.\n");
    CHECK(listing(q, loaded).find("          AAAX") != std::string::npos);
}

TEST_CASE("print_queue: MaxQueueRunSize prints only so many") {
    TempQueue q;
    for (const char* id : {"A1", "A2", "A3"}) q.write(std::string("qf") + id, qf_text("a@b", {"x@y"}));
    ListOptions o;
    o.max_queue_run = 2;
    const std::string got = listing(q, o);
    CHECK(got.find("(3 requests, only 2 printed)\n") != std::string::npos);
    CHECK(got.find("Total requests: 3\n") != std::string::npos);
}

}  // namespace
}  // namespace cfkit::queue
