// check_queue(): planted junk is found, and what only looks like junk
// (an empty df of an empty body, a df another directory's qf uses, young
// files, locked ones) is not called broken.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "engine/queue/check.hpp"
#include "engine/queue/test_queue_dir.hpp"

namespace cfkit::queue {
namespace {

using testing::qf_text;
using testing::TempQueue;

std::vector<std::string> kinds(const std::vector<Finding>& fs) {
    std::vector<std::string> out;
    for (const Finding& f : fs) out.push_back(std::string(verdict_word(f.verdict)) + " " + f.kind + " " + f.id);
    return out;
}

TEST_CASE("check_queue: junk and the things that only look like junk") {
    TempQueue q;
    const time_t old = std::time(nullptr) - 2 * 86400;
    q.write("qfGOOD", qf_text("a@b", {"x@y"}));
    q.write("dfGOOD", "");  // an empty body: not junk
    q.write("dfORPH", "lost body\n", old);
    q.write("dfNEW", "being received\n");
    q.write("qfEMPTY", "", old);
    q.write("dfEMPTY", "x\n");
    q.write("qfFRESH", "");  // sendmail removes an empty qf only when 10 minutes old
    q.write("tfSTALE", "V8\n", old);
    q.write("xfLONE", "transcript\n", old);
    q.write("qfNODF", qf_text("a@b", {"x@y"}));
    q.write("qfBAD", "V8\nT1\nSa\nX?\n.\n");
    q.write("dfBAD", "");
    q.write("QfLOST", qf_text("a@b", {"x@y"}));
    q.write("dfLOST", "");
    Layout l = queue_layout(q.root(), {});
    CheckOptions o;
    o.now = std::time(nullptr);
    std::vector<Finding> fs = check_queue(l, o);
    CHECK(kinds(fs) == std::vector<std::string>{
                           "broken corrupt-qf BAD",
                           "broken empty-qf EMPTY",
                           "young young-empty-qf FRESH",
                           "broken orphan-xf LONE",
                           "note lost-qf LOST",
                           "young young-df NEW",
                           "broken qf-without-df NODF",
                           "broken orphan-df ORPH",
                           "broken stale-tf STALE",
                       });
    for (const Finding& f : fs) {
        CAPTURE(f.kind);
        if (f.kind == "corrupt-qf") {
            CHECK(f.line == 4);
            CHECK(f.message == "bad line \"X?\"");
            CHECK(f.remove.empty());  // kept: it has the envelope
        }
        if (f.kind == "empty-qf") CHECK(f.remove == std::vector<std::string>{q.path("qfEMPTY"), q.path("dfEMPTY")});
        if (f.kind == "qf-without-df") CHECK(f.remove.empty());
        if (f.kind == "orphan-df") CHECK(f.remove == std::vector<std::string>{q.path("dfORPH")});
    }
}

TEST_CASE("check_queue: a df that another directory's qf names (d line), a shared df, a locked qf") {
    TempQueue q;
    q.mkdir("q1");
    q.mkdir("q2");
    const time_t old = std::time(nullptr) - 2 * 86400;
    q.write("q1/qfSPLIT", qf_text("a@b", {"x@y"}, 1700000000, 1, "dq2\n"));
    q.write("q2/dfSPLIT", "body\n", old);
    q.write("q1/dfLINK", "body\n", old);
    REQUIRE(::link(q.path("q1/dfLINK").c_str(), q.path("q2/dfOTHER").c_str()) == 0);
    q.write("q2/qfOTHER", qf_text("a@b", {"x@y"}));
    q.write("q1/qfBUSY", "");
    int fd = ::open(q.path("q1/qfBUSY").c_str(), O_RDONLY);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    Layout l = queue_layout(q.root() + "/q*", {});
    REQUIRE(l.dirs.size() == 2);
    CheckOptions o;
    o.now = std::time(nullptr);
    std::vector<std::string> got = kinds(check_queue(l, o));
    ::close(fd);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"busy locked BUSY", "note shared-df LINK"});
}

TEST_CASE("check_queue: a df whose qf is in a queue directory nearby that was not given is left") {
    TempQueue q;
    q.mkdir("q1");
    q.mkdir("q2");
    const time_t old = std::time(nullptr) - 2 * 86400;
    q.write("q1/qfX", qf_text("a@b", {"x@y"}, 1700000000, 1, "dq2\n"));
    q.write("q2/dfX", "body\n", old);
    Layout only_q2 = queue_layout(q.path("q2"), {});
    CheckOptions o;
    o.now = std::time(nullptr);
    const std::vector<Finding> fs = check_queue(only_q2, o);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].kind == "df-of-other-dir");
    CHECK(fs[0].remove.empty());
}

TEST_CASE("check_queue: an interrupted move is explained, and the same id in two queues is a duplicate") {
    TempQueue q;
    q.mkdir("a");
    q.mkdir("b");
    q.write("b/qfMOVED", qf_text("a@b", {"x@y"}));
    q.write("b/dfMOVED", "body\n");
    REQUIRE(::link(q.path("b/dfMOVED").c_str(), q.path("a/dfMOVED").c_str()) == 0);
    q.write("a/qfTWICE", qf_text("a@b", {"x@y"}));
    q.write("a/dfTWICE", "");
    q.write("b/qfTWICE", qf_text("a@b", {"x@y"}));
    q.write("b/dfTWICE", "");
    Layout l = queue_layout(q.root() + "/a", {});
    Layout lb = queue_layout(q.root() + "/b", {});
    l.dirs.push_back(lb.dirs.front());
    CheckOptions o;
    o.now = std::time(nullptr);
    std::vector<Finding> fs = check_queue(l, o);
    REQUIRE(fs.size() == 2);
    CHECK(fs[0].kind == "unfinished-move");
    CHECK(fs[0].message == "left by an interrupted move: the message is in " + q.root() +
                               "/b with another link to this data file (this link can go)");
    CHECK(fs[0].remove == std::vector<std::string>{q.path("a/dfMOVED")});
    CHECK(fs[1].kind == "duplicate");
    CHECK(fs[1].message == "queued in more than one directory (" + q.root() + "/a, " + q.root() +
                               "/b): it would be delivered more than once");
}

}  // namespace
}  // namespace cfkit::queue
