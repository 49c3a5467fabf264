// parse_qf(): the fields of a version 8 control file, fgetfolded()'s
// continuation lines, and what readqf() would refuse, with the line.
#include <doctest/doctest.h>

#include "engine/queue/qf.hpp"

namespace cfkit::queue {
namespace {

TEST_CASE("parse_qf: the fields queueup() writes") {
    const char* text =
        "V8\nT1796671813\nK1796671900\nN2\nP60121\nI253/3/1234\nB8BITMIME\nMDeferred: Connection refused\n"
        "Fws\n$_root@localhost\nSsender@example.org\nZenv-1\nAsender@example.org\n"
        "Qrfc822;orig@example.com\nrRFC822; rcpt@example.com\nMrecipient status\nRPFD:rcpt@example.com\n"
        "RPF:other@example.net\nH??Received: by mail\n\tcontinued\nH??Subject: x\n.\n";
    QueueFile q = parse_qf(text);
    CHECK(q.problems.empty());
    CHECK(q.version == 8);
    CHECK(q.ctime == 1796671813);
    CHECK(q.last_try == 1796671900);
    CHECK(q.attempts == 2);
    CHECK(q.priority == 60121);
    CHECK(q.body_type == "8BITMIME");
    CHECK(q.status == "Deferred: Connection refused");
    CHECK(q.flags == "ws");
    CHECK(q.sender == "sender@example.org");
    CHECK(q.envid == "env-1");
    REQUIRE(q.recipients.size() == 2);
    CHECK(q.recipients[0].flags == "PFD");
    CHECK(q.recipients[0].address == "rcpt@example.com");
    CHECK(q.recipients[0].orcpt == "rfc822;orig@example.com");
    CHECK(q.recipients[0].final_rcpt == "RFC822; rcpt@example.com");
    CHECK(q.recipients[0].status == "recipient status");
    CHECK(q.recipients[1].orcpt.empty());
    CHECK(q.recipients[1].status.empty());
    REQUIRE(q.headers.size() == 2);
    CHECK(q.headers[0] == "??Received: by mail\n\tcontinued");
    CHECK(q.lines[18].line == 19);  // the Received line; its continuation folds in
    CHECK(q.lines[19].line == 21);
    CHECK(q.terminated);
}

TEST_CASE("parse_qf: what readqf() refuses, with the line") {
    struct Row {
        const char* text;
        std::vector<std::pair<int, std::string>> want;
    } rows[] = {
        {"", {{0, "empty control file (sendmail removes it with its data file)"}}},
        {"V9\nT1\nSa\n.\n", {{1, "version 9 is newer than sendmail 8.17's 8"}}},
        {"V8\nT1\nSa\nX what\n.\n", {{4, "bad line \"X what\""}}},
        {"V8\nT1\nSa\n", {{0, "incomplete: no '.' line at the end"}}},
        {"V8\nT1\nSa\n.\nRx:y\n", {{5, "extra or bogus data after the '.' line (sendmail: SECURITY ALERT)"}}},
        {"V8\nT1\nRPFD:a\n.\n", {{0, "no sender (S line)"}}},
        {"V8\nSa\n.\n", {{0, "no creation time (T line)"}}},
        {"V8\nT1\nSa\nRPFD\n.\n", {{4, "recipient line without ':' and address"}}},
        {"V8\nT1\nFrom a b\nSa\n.\n", {{3, "a \"From \" line (sendmail: SECURITY ALERT: bogus qf line)"}}},
        {"V8\nT1\nSa\nBbinary\n.\n", {{4, "unknown body type \"binary\""}}},
        {"V8\nT1\nSa\nAa=b\n.\n", {{4, "AUTH= parameter is not xtext (sendmail: SECURITY ALERT)"}}},
        {"V8\nT1\nSa\nA+4\n.\n", {{4, "AUTH= parameter is not xtext (sendmail: SECURITY ALERT)"}}},
        {"V8\nT1\nSa\nA+41b\n.\n", {}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        QueueFile q = parse_qf(r.text);
        std::vector<std::pair<int, std::string>> got;
        for (const QfProblem& p : q.problems) got.push_back({p.line, p.message});
        CHECK(got == r.want);
    }
}

TEST_CASE("parse_qf: CR LF lines and version 0 recipients") {
    QueueFile q = parse_qf("T5\r\nSa\r\nRuser@b\r\n.\r\n");
    CHECK(q.problems.empty());
    REQUIRE(q.recipients.size() == 1);
    CHECK(q.recipients[0].address == "user@b");  // no flags before version 1
    CHECK(q.recipients[0].flags.empty());
}

}  // namespace
}  // namespace cfkit::queue
