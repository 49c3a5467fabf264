// Reading sendmail's log lines (the formats of srvrsmtp.c, parseaddr.c's
// rscheck() and envelope.c's logsender()) and grouping them into sessions.
#include <doctest/doctest.h>

#include "engine/replay/maillog.hpp"

namespace cfkit::replay {
namespace {

TEST_CASE("parse_log_line: classic and RFC 3339 stamps, queue ids, other programs") {
    struct Row {
        const char* in;
        bool ok;
        const char* stamp;
        long pid;
        const char* qid;
        const char* msg;
    } rows[] = {
        {"Dec  7 20:10:01 mail sm-mta[1001]: 6B7KA1aa001001: from=<a@b>, size=3", true, "Dec  7 20:10:01", 1001,
         "6B7KA1aa001001", "from=<a@b>, size=3"},
        {"Dec 17 20:10:01 mail sendmail[7]: NOQUEUE: connect from x [1.2.3.4]", true, "Dec 17 20:10:01", 7, "NOQUEUE",
         "connect from x [1.2.3.4]"},
        {"2026-12-07T20:10:01.123+00:00 mail sm-mta[9]: STARTTLS=server, relay=x [1.2.3.4], verify=OK", true,
         "2026-12-07T20:10:01.123+00:00", 9, "", "STARTTLS=server, relay=x [1.2.3.4], verify=OK"},
        {"Dec  7 20:10:01 mail postfix/smtpd[1]: connect from x", false, "", 0, "", ""},
        {"not a syslog line", false, "", 0, "", ""},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        std::optional<LogLine> l = parse_log_line(r.in);
        REQUIRE(l.has_value() == r.ok);
        if (!l) continue;
        CHECK(l->stamp == r.stamp);
        CHECK(l->pid == r.pid);
        CHECK(l->qid == r.qid);
        CHECK(l->msg == r.msg);
    }
}

TEST_CASE("log_fields and parse_relay") {
    auto f = log_fields("ruleset=check_rcpt, arg1=<a@b>, relay=x.example [192.0.2.1] (may be forged), "
                        "reject=550 5.7.1 <a@b>... Relaying denied, really");
    CHECK(f["ruleset"] == "check_rcpt");
    CHECK(f["arg1"] == "<a@b>");
    CHECK(f["relay"] == "x.example [192.0.2.1] (may be forged)");
    CHECK(f["reject"] == "550 5.7.1 <a@b>... Relaying denied, really");
    CHECK(log_fields("to=<a@b>,<c@d>, delay=00:00:00")["to"] == "<a@b>,<c@d>");
    // whole results, edge cases of the ", NAME=" split included
    using Fields = std::map<std::string, std::string>;
    struct FieldsRow {
        const char* in;
        Fields want;
    } field_rows[] = {
        {"", {}},
        {"no fields here", {}},
        {"lead text, a=1, b=2", {{"a", "1"}, {"b", "2"}}},
        {"a=1, , b=2", {{"a", "1, "}, {"b", "2"}}},
        {"a=x, y, b=, c-d_e=3", {{"a", "x, y"}, {"b", ""}, {"c-d_e", "3"}}},
        {"a=1, b=2, ", {{"a", "1"}, {"b", "2, "}}},
        {"a=1, =2, b=3", {{"a", "1, =2"}, {"b", "3"}}},
        {"a=1, a=2", {{"a", "2"}}},
    };
    for (const FieldsRow& r : field_rows) {
        CAPTURE(r.in);
        CHECK(log_fields(r.in) == r.want);
    }
    struct Row {
        const char* in;
        const char* name;
        const char* addr;
        bool forged;
    } rows[] = {
        {"x.example [192.0.2.1]", "x.example", "192.0.2.1", false},
        {"[192.0.2.1]", "", "192.0.2.1", false},
        {"x.example [192.0.2.1] (may be forged)", "x.example", "192.0.2.1", true},
        {"root@localhost [127.0.0.1]", "localhost", "127.0.0.1", false},
        {"v6.example [IPv6:2001:db8::5]", "v6.example", "2001:db8::5", false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        std::optional<Relay> rel = parse_relay(r.in);
        REQUIRE(rel);
        CHECK(rel->name == r.name);
        CHECK(rel->addr == r.addr);
        CHECK(rel->forged == r.forged);
    }
    CHECK_FALSE(parse_relay("localhost"));
}

// The sessions a rebuilder makes of these lines, in the order it closes them.
template <std::size_t N>
std::vector<RebuiltSession> rebuild(const char* const (&lines)[N]) {
    std::vector<RebuiltSession> got;
    SessionRebuilder b([&got](RebuiltSession&& s) { got.push_back(std::move(s)); });
    std::size_t n = 0;
    for (const char* l : lines) b.add(*parse_log_line(l), ++n);
    b.finish();
    return got;
}

TEST_CASE("SessionRebuilder: sessions by process, recipients by queue id, rejects in place") {
    const char* lines[] = {
        "Dec  7 20:10:00 mail sm-mta[11]: NOQUEUE: connect from c.example [198.51.100.7]",
        "Dec  7 20:10:01 mail sm-mta[11]: AUTH=server, relay=c.example [198.51.100.7], authid=alice, mech=PLAIN, bits=0",
        "Dec  7 20:10:01 mail sm-mta[11]: Q1aaaaaaaaa011: ruleset=check_rcpt, arg1=<x@far.example>, "
        "relay=c.example [198.51.100.7], reject=550 5.7.1 <x@far.example>... Relaying denied",
        "Dec  7 20:10:02 mail sm-mta[11]: Q1aaaaaaaaa011: from=<a@c.example>, size=9, class=0, nrcpts=2, "
        "proto=ESMTP, daemon=MTA, relay=c.example [198.51.100.7]",
        "Dec  7 20:10:02 mail sm-mta[12]: NOQUEUE: ruleset=check_mail, arg1=<bad@x>, relay=[203.0.113.9], "
        "reject=451 4.1.8 Domain of sender address bad@x does not resolve",
        "Dec  7 20:10:03 mail sm-mta[13]: Q1aaaaaaaaa011: to=<y@here.example>,<z@here.example>, delay=00:00:01, "
        "mailer=local, pri=1, stat=Sent",
    };
    const std::vector<RebuiltSession> got = rebuild(lines);
    REQUIRE(got.size() == 2);
    const RebuiltSession& a = got[0].pid == 11 ? got[0] : got[1];
    const RebuiltSession& c = got[0].pid == 11 ? got[1] : got[0];
    CHECK(a.client.name == "c.example");
    CHECK(a.auth_id == "alice");
    REQUIRE(a.txns.size() == 1);
    CHECK(a.txns[0].sender == "a@c.example");
    REQUIRE(a.txns[0].rcpts.size() == 3);  // the reject in place, then the delivering process's to= line
    CHECK(a.txns[0].rcpts[0].logged.kind == Verdict::Kind::Rejected);
    CHECK(a.txns[0].rcpts[1].address == "y@here.example");
    CHECK(a.txns[0].rcpts[2].logged.kind == Verdict::Kind::Accepted);
    CHECK(c.client.name.empty());
    REQUIRE(c.txns.size() == 1);
    CHECK(c.txns[0].mail.kind == Verdict::Kind::TempFailed);
    CHECK(c.txns[0].mail.ruleset == "check_mail");
}

TEST_CASE("SessionRebuilder: two hosts' logs merged, the same pid and queue id on each") {
    const char* lines[] = {
        "Dec  7 20:10:00 mx1 sm-mta[11]: NOQUEUE: connect from a.example [198.51.100.1]",
        "Dec  7 20:10:00 mx2 sm-mta[11]: NOQUEUE: connect from b.example [198.51.100.2]",
        "Dec  7 20:10:01 mx1 sm-mta[11]: Q1aaaaaaaaa011: from=<s1@a.example>, size=9, class=0, nrcpts=1, "
        "proto=ESMTP, daemon=MTA, relay=a.example [198.51.100.1]",
        "Dec  7 20:10:01 mx2 sm-mta[11]: Q1aaaaaaaaa011: from=<s2@b.example>, size=9, class=0, nrcpts=1, "
        "proto=ESMTP, daemon=MTA, relay=b.example [198.51.100.2]",
        "Dec  7 20:10:02 mx2 sm-mta[12]: Q1aaaaaaaaa011: to=<r2@here.example>, delay=00:00:01, mailer=local, "
        "pri=1, stat=Sent",
        "Dec  7 20:10:02 mx1 sm-mta[13]: Q1aaaaaaaaa011: to=<r1@here.example>, delay=00:00:01, mailer=local, "
        "pri=1, stat=Sent",
    };
    const std::vector<RebuiltSession> got = rebuild(lines);
    REQUIRE(got.size() == 2);  // one session per host, though both were process 11
    const RebuiltSession& one = got[0].host == "mx1" ? got[0] : got[1];
    const RebuiltSession& two = got[0].host == "mx1" ? got[1] : got[0];
    CHECK(one.host == "mx1");
    CHECK(two.host == "mx2");
    CHECK(one.client.name == "a.example");
    CHECK(two.client.name == "b.example");
    REQUIRE(one.txns.size() == 1);
    REQUIRE(two.txns.size() == 1);
    CHECK(one.txns[0].sender == "s1@a.example");
    CHECK(two.txns[0].sender == "s2@b.example");
    // each host's delivery line finds its own host's session by the queue id
    REQUIRE(one.txns[0].rcpts.size() == 1);
    REQUIRE(two.txns[0].rcpts.size() == 1);
    CHECK(one.txns[0].rcpts[0].address == "r1@here.example");
    CHECK(two.txns[0].rcpts[0].address == "r2@here.example");
}

TEST_CASE("SessionRebuilder: the HELO name at LogLevel 14, User unknown, AUTH in its place") {
    const char* lines[] = {
        "Dec  7 20:41:12 mail sendmail[60]: 6B7KfCaV000060: <-- EHLO roaming.example",
        "Dec  7 20:41:12 mail sendmail[60]: 6B7KfCaV000060: ruleset=check_rcpt, arg1=<x@far.example>, "
        "relay=roaming.example [192.0.2.21], reject=550 5.7.1 <x@far.example>... Relaying denied",
        "Dec  7 20:41:12 mail sendmail[60]: 6B7KfCaV000060: <nobody@mail.example.com>... User unknown",
        "Dec  7 20:41:12 mail sendmail[60]: AUTH=server, relay=roaming.example [192.0.2.21], authid=alice, mech=PLAIN",
        "Dec  7 20:41:12 mail sendmail[60]: 6B7KfCaW000060: from=<a@roaming.example>, size=3, class=0, nrcpts=1, "
        "proto=ESMTPA, daemon=MTA, relay=roaming.example [192.0.2.21]",
    };
    const std::vector<RebuiltSession> got = rebuild(lines);
    REQUIRE(got.size() == 1);
    const RebuiltSession& s = got[0];
    CHECK(s.helo == "roaming.example");
    REQUIRE(s.txns.size() == 2);
    REQUIRE(s.txns[0].rcpts.size() == 2);
    CHECK(s.txns[0].rcpts[1].address == "nobody@mail.example.com");
    CHECK(s.txns[0].rcpts[1].logged.kind == Verdict::Kind::Rejected);
    CHECK(s.auth_at == 1);  // after the first transaction, before the second
}

}  // namespace
}  // namespace cfkit::replay
