// SummaryBuilder and format_summary(): qshape's table from messages of
// known ages.
#include <doctest/doctest.h>

#include "engine/queue/summary.hpp"

namespace cfkit::queue {
namespace {

Message msg(long long age_seconds, std::vector<std::string> rcpts, const std::string& sender = "s@a.example") {
    Message m;
    m.qf.has_ctime = true;
    m.qf.ctime = 1000000 - age_seconds;
    m.qf.sender = sender;
    for (const std::string& r : rcpts) m.qf.recipients.push_back({0, "PFD", r, "", "", ""});
    return m;
}

TEST_CASE("address_domain") {
    CHECK(address_domain("user@Example.COM") == "example.com");
    CHECK(address_domain("<user@b.example.>") == "b.example");
    CHECK(address_domain("root") == "(local)");
    CHECK(address_domain("<>") == "(local)");
    CHECK(address_domain("joe@example.org (joe public)") == "example.org");
    CHECK(address_domain("\"Joe\" <joe@Mail.example.org>") == "mail.example.org");
}

TEST_CASE("summary: recipients by domain and age bucket") {
    SummaryBuilder b(1000000, 3, 5);  // columns: T, 5, 10, 20, 20+ (minutes)
    b.add(msg(60, {"a@x.example", "b@x.example"}));
    b.add(msg(7 * 60, {"c@y.example"}));
    b.add(msg(5 * 60, {"d@x.example"}));  // exactly 5 minutes: the 10 column
    b.add(msg(3 * 3600, {"e@y.example", "root"}));
    const Summary& s = b.result();
    CHECK(s.messages == 4);
    CHECK(s.oldest == 3 * 3600);
    CHECK(s.total == std::vector<long>{2, 2, 0, 2});
    CHECK(format_summary(s, 10) ==
          "          T 5 10 20 20+\n"
          "    TOTAL 6 2  2  0   2\n"
          "x.example 3 2  1  0   0\n"
          "y.example 2 0  1  0   1\n"
          "  (local) 1 0  0  0   1\n");
    CHECK(format_summary(s, 1).find("y.example") == std::string::npos);
    SummaryBuilder by_sender(1000000, 3, 5, true);
    by_sender.add(msg(60, {"a@x.example", "b@x.example"}, "s@Sender.example"));
    CHECK(by_sender.result().rows.at("sender.example") == std::vector<long>{1, 0, 0, 0});
}

}  // namespace
}  // namespace cfkit::queue
