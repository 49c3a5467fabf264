// The case file `cfkit replay --sessions` writes: expectations go after
// the very step that differed, found by its place in the script.
#include <doctest/doctest.h>

#include "engine/replay/replay.hpp"

namespace cfkit::replay {
namespace {

TEST_CASE("case_text: an expectation after the step that differed, not after every same-looking one") {
    RebuiltSession s;
    s.first_line = 7;
    s.stamp = "Dec  7 20:10:00";
    SessionOutcome o;
    // the same recipient in two transactions; only the first one's verdict changed
    o.script =
        "connect 192.168.1.7 name=pc7.lan.example resolve=OK\n"
        "ehlo pc7.lan.example\n"
        "mail <me@lan.example>\n"
        "rcpt <friend@far.example>\n"
        "rset\n"
        "mail <me@lan.example>\n"
        "rcpt <friend@far.example>\n"
        "rset\n"
        "quit\n";
    Difference d;
    d.what = "recipient";
    d.address = "friend@far.example";
    d.before = Verdict::Kind::Rejected;
    d.after = Verdict::Kind::Accepted;
    d.script_line = 3;
    Difference c;
    c.what = "connection";
    c.before = Verdict::Kind::Accepted;
    c.after = Verdict::Kind::Rejected;
    c.script_line = 0;
    CHECK(case_text(s, o, {d, c}, false) ==
          "# rebuilt by cfkit replay from log line 7 (Dec  7 20:10:00); expectations: the logged verdicts\n"
          "connect 192.168.1.7 name=pc7.lan.example resolve=OK\n"
          "# the connection was accepted\n"
          "ehlo pc7.lan.example\n"
          "mail <me@lan.example>\n"
          "rcpt <friend@far.example>\n"
          "expect /^5/\n"
          "rset\n"
          "mail <me@lan.example>\n"
          "rcpt <friend@far.example>\n"
          "rset\n"
          "quit\n");
    d.script_line = 6;
    d.before = Verdict::Kind::TempFailed;
    const std::string second = case_text(s, o, {d}, true);
    CHECK(second.find("the baseline config's verdicts") != std::string::npos);
    CHECK(second.find("rcpt <friend@far.example>\nrset\nmail <me@lan.example>\nrcpt <friend@far.example>\n"
                      "expect /^4/\nrset\n") != std::string::npos);
}

}  // namespace
}  // namespace cfkit::replay
