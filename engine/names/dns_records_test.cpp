// The records-file parser and DnsRecords::query(): the replies of the DNS
// server in tools/oracle/daemon_session.py for the same records.
#include <doctest/doctest.h>

#include "engine/names/dns_records.hpp"

namespace cfkit {
namespace {

TEST_CASE("dns records file: bad lines, with their place") {
    struct Case {
        const char* text;
        const char* want;  // "line:col: message" of each diagnostic, joined by |
    } cases[] = {
        {"foo.example A 192.0.2.1\n# comment\n\nfoo.example MX 10 mx.example\n", ""},
        {"foo.example\n", "1:1: expected NAME TYPE [DATA]"},
        {"  foo.example A 300.1.1.1\n", "1:3: expected NAME A IPv4-ADDRESS"},
        {"foo.example A\n", "1:1: expected NAME A IPv4-ADDRESS"},
        {"foo.example MX mx.example\n", "1:1: expected NAME MX PREFERENCE HOST"},
        {"foo.example MX 70000 mx.example\n", "1:1: MX preference 70000 is above 65535"},
        {"foo.example PTR bar\n", "1:1: expected ADDRESS PTR NAME"},
        {"2001:db8::1 PTR v6.example\n", ""},
        {"foo.example TEMP now\n", "1:1: TEMP takes no data"},
        {"foo.example TXT\n", "1:1: expected NAME TXT TEXT"},
        {"foo.example AAAA ::1\n", ""},
        {"foo.example AAAA 192.0.2.1\n", "1:1: expected NAME AAAA IPv6-ADDRESS"},
        {"foo.example AAAA 2001:db8::1 x\n", "1:1: expected NAME AAAA IPv6-ADDRESS"},
        {"a A 192.0.2.1\r\nb CNAME a\r\nc A 192.0.2.3\nd X\n",
         "2:1: unknown record type CNAME (A, AAAA, MX, PTR, TXT or TEMP)|4:1: unknown record type X (A, AAAA, MX, PTR, "
         "TXT or TEMP)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        DnsRecords r;
        Diagnostics d = parse_dns_records(c.text, "r.dns", r);
        std::string got;
        for (const Diagnostic& x : d) {
            CHECK(x.loc.file == "r.dns");
            got += (got.empty() ? "" : "|") + std::to_string(x.loc.line) + ":" + std::to_string(x.loc.column) + ": " +
                   x.message;
        }
        CHECK(got == c.want);
    }
}

TEST_CASE("dns records: the good lines of a file with bad ones still count") {
    DnsRecords r;
    Diagnostics d = parse_dns_records("a A 192.0.2.1\nb BAD\nc TXT two   words\n", "r.dns", r);
    CHECK(d.size() == 1);
    CHECK(r.a.at("a") == std::vector<std::string>{"192.0.2.1"});
    CHECK(r.txt.at("c") == std::vector<std::string>{"two words"});
}

std::string show(const DnsRecords::Reply& r) {
    switch (r.rcode) {
    case DnsRecords::Rcode::NxDomain: return "NXDOMAIN";
    case DnsRecords::Rcode::ServFail: return "SERVFAIL";
    case DnsRecords::Rcode::NoError: break;
    }
    std::string s = "NOERROR";
    for (const auto& rr : r.answers) {
        std::string v = rr.value;
        if (rr.type == rrtype::AAAA) {  // 16 bytes: shown in hex
            v.clear();
            for (unsigned char c : rr.value) v += "0123456789abcdef"[c >> 4], v += "0123456789abcdef"[c & 15];
        }
        s += " " + std::to_string(rr.type) + ":" + (rr.pref ? std::to_string(rr.pref) + " " : "") + v;
    }
    return s;
}

TEST_CASE("dns records: one question, the server's reply") {
    DnsRecords r;
    Diagnostics d = parse_dns_records("Foo.Example A 192.0.2.1\n"
                                      "foo.example MX 20 MX2.Example.\n"
                                      "foo.example MX 10 mx1.example\n"
                                      "foo.example TXT hello world\n"
                                      "192.0.2.1 PTR Foo.Example.\n"
                                      "temp.example TEMP\n"
                                      "192.0.2.9 TEMP\n"
                                      "v6.example AAAA 2001:DB8::1\n"
                                      "v6.example AAAA ::ffff:192.0.2.5\n"
                                      "2001:DB8:0::1 PTR V6.Example.\n"
                                      "2001:db8::9 TEMP\n",
                                      "r.dns", r);
    REQUIRE(d.empty());
    struct Case {
        const char* name;
        int type;
        const char* want;
    } cases[] = {
        {"foo.example", rrtype::A, "NOERROR 1:192.0.2.1"},
        {"FOO.EXAMPLE.", rrtype::A, "NOERROR 1:192.0.2.1"},
        {"foo.example", rrtype::MX, "NOERROR 15:20 MX2.Example 15:10 mx1.example"},  // file order, case kept
        {"foo.example", rrtype::TXT, "NOERROR 16:hello world"},
        {"foo.example", rrtype::AAAA, "NOERROR"},  // the name exists: no data
        {"v6.example", rrtype::AAAA,
         "NOERROR 28:20010db8000000000000000000000001 28:00000000000000000000ffffc0000205"},
        {"v6.example", rrtype::A, "NOERROR"},
        {"bar.example", rrtype::A, "NXDOMAIN"},
        {"temp.example", rrtype::MX, "SERVFAIL"},
        {"1.2.0.192.in-addr.arpa", rrtype::PTR, "NOERROR 12:Foo.Example"},
        {"1.2.0.192.in-addr.arpa", rrtype::A, "NOERROR"},
        {"2.2.0.192.in-addr.arpa", rrtype::PTR, "NXDOMAIN"},
        {"9.2.0.192.in-addr.arpa", rrtype::PTR, "SERVFAIL"},
        {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", rrtype::PTR, "NOERROR 12:V6.Example"},
        {"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA.", rrtype::PTR, "NOERROR 12:V6.Example"},
        {"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", rrtype::PTR, "NXDOMAIN"},
        {"9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", rrtype::PTR, "SERVFAIL"},
        {"1.0.0.8.b.d.0.1.0.0.2.ip6.arpa", rrtype::PTR, "NXDOMAIN"},  // not 32 nibbles: no address
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CAPTURE(c.type);
        CHECK(show(r.query(c.name, c.type)) == c.want);
    }
}

} // namespace
} // namespace cfkit
