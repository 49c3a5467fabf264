// The queue operations on queues written here: what moves, what is
// written, and what is refused (with the exact reason). The real sendmail
// reads the results in tools/oracle/queuediff.py.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/queue/ops.hpp"
#include "engine/queue/test_queue_dir.hpp"

namespace cfkit::queue {
namespace {

using testing::qf_text;
using testing::TempQueue;

Message message(const Layout& l, const std::string& name) {
    std::optional<Message> m = read_message(l, l.dirs.front(), name);
    REQUIRE(m);
    return *m;
}

TEST_CASE("move_message: qf, df and xf move as a unit; a dry run touches nothing") {
    TempQueue q;
    q.mkdir("src");
    q.mkdir("dst");
    q.write("src/qfM1", qf_text("a@b", {"x@y"}));
    q.write("src/dfM1", "body\n");
    q.write("src/xfM1", "transcript\n");
    Layout src = queue_layout(q.path("src"), {});
    Layout dst = queue_layout(q.path("dst"), {});
    OpResult dry = move_message(message(src, "qfM1"), dst.dirs.front(), false);
    CHECK_FALSE(dry.skipped);
    CHECK_FALSE(dry.done);
    CHECK(q.exists("src/qfM1"));
    CHECK_FALSE(q.exists("dst/dfM1"));
    OpResult r = move_message(message(src, "qfM1"), dst.dirs.front(), true);
    CHECK(r.done);
    CHECK(r.files == std::vector<std::string>{q.path("src/qfM1"), q.path("src/dfM1"), q.path("src/xfM1")});
    for (const char* f : {"qfM1", "dfM1", "xfM1"}) {
        CAPTURE(f);
        CHECK_FALSE(q.exists(std::string("src/") + f));
        CHECK(q.exists(std::string("dst/") + f));
    }
    CHECK(q.read("dst/dfM1") == "body\n");
}

TEST_CASE("move_message: refusals") {
    TempQueue q;
    q.mkdir("src");
    q.mkdir("dst");
    q.write("src/qfD", qf_text("a@b", {"x@y"}, 1700000000, 1, "dq2\n"));
    q.write("src/qfL", qf_text("a@b", {"x@y"}));
    q.write("src/dfL", "");
    q.write("src/qfE", qf_text("a@b", {"x@y"}));
    q.write("src/dfE", "mine\n");
    q.write("dst/dfE", "another message's\n");
    Layout src = queue_layout(q.path("src"), {});
    Layout dst = queue_layout(q.path("dst"), {});
    CHECK(move_message(message(src, "qfD"), dst.dirs.front(), true).reason ==
          "its data file is in another queue directory (d line \"q2\"): moving the control file alone would lose the body");
    CHECK(move_message(message(src, "qfE"), dst.dirs.front(), true).reason ==
          "dfE already exists in " + q.path("dst") + " (another message's data)");
    CHECK(move_message(message(src, "qfL"), src.dirs.front(), true).reason == "already in " + q.path("src"));
    int fd = ::open(q.path("src/qfL").c_str(), O_RDONLY);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    OpResult r = move_message(message(src, "qfL"), dst.dirs.front(), true);
    ::close(fd);
    CHECK(r.skipped);
    CHECK(r.reason == "locked by a running sendmail");
    CHECK(q.exists("src/qfL"));
}

TEST_CASE("move_message: a move interrupted after the link finishes when run again") {
    TempQueue q;
    q.mkdir("src");
    q.mkdir("dst");
    q.write("src/qfM", qf_text("a@b", {"x@y"}));
    q.write("src/dfM", "body\n");
    REQUIRE(::link(q.path("src/dfM").c_str(), q.path("dst/dfM").c_str()) == 0);
    Layout src = queue_layout(q.path("src"), {});
    Layout dst = queue_layout(q.path("dst"), {});
    CHECK(move_message(message(src, "qfM"), dst.dirs.front(), true).done);
    CHECK(q.exists("dst/qfM"));
    CHECK_FALSE(q.exists("src/dfM"));
}

TEST_CASE("quarantine_message and release_message: the q line before S, as sendmail -Q writes it") {
    TempQueue q;
    const std::string text = "V8\nT1\nP1\nFs\nSa@b\nRPFD:x@y\nH??Received: by\n\tx\n.\n";
    q.write("qfQ", text);
    q.write("dfQ", "");
    Layout l = queue_layout(q.root(), {});
    OpResult r = quarantine_message(message(l, "qfQ"), "bad sender", true);
    CHECK(r.done);
    CHECK_FALSE(q.exists("qfQ"));
    CHECK(q.read("hfQ") == "V8\nT1\nP1\nFs\nqbad sender\nSa@b\nRPFD:x@y\nH??Received: by\n\tx\n.\n");
    CHECK(quarantine_message(message(l, "hfQ"), "bad sender", true).reason == "already quarantined with that reason");
    CHECK(quarantine_message(message(l, "hfQ"), "other", true).done);
    CHECK(q.read("hfQ").find("\nqother\nSa@b\n") != std::string::npos);
    CHECK(release_message(message(l, "hfQ"), true).done);
    CHECK(q.read("qfQ") == text);
    CHECK_FALSE(q.exists("hfQ"));
    CHECK_FALSE(q.exists("tfQ"));
    CHECK(release_message(message(l, "qfQ"), true).reason == "not quarantined");
}

TEST_CASE("remove_files: a locked control file is not removed") {
    TempQueue q;
    q.write("qfX", "");
    q.write("dfX", "");
    int fd = ::open(q.path("qfX").c_str(), O_RDONLY);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    OpResult r = remove_files("X", q.root(), {q.path("qfX"), q.path("dfX")}, true);
    ::close(fd);
    CHECK(r.reason == "locked by a running sendmail");
    CHECK(q.exists("dfX"));
    CHECK(remove_files("X", q.root(), {q.path("qfX"), q.path("dfX")}, true).done);
    CHECK_FALSE(q.exists("qfX"));
    CHECK_FALSE(q.exists("dfX"));
}

}  // namespace
}  // namespace cfkit::queue
