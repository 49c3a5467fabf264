// NameService and the dns, bestmx and host maps over DNS records. Every
// expected value is what sendmail 8.17 printed for the same records, host
// name mail.example.com and switch "hosts files dns"
// (testcases/diff/dns/dns.cf, run by tools/oracle/difftest.py).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "engine/names/name_service.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {
namespace {

const char* kRecords =
    "foo.example.net A 192.0.2.1\n"
    "foo.example.net A 192.0.2.2\n"
    "foo.example.net MX 10 mx1.example.net\n"
    "foo.example.net MX 30 mx3.example.net\n"
    "foo.example.net MX 20 MX2.Example.NET\n"
    "foo.example.net TXT v=spf1 -all\n"
    "mx1.example.net A 192.0.2.10\n"
    "mxonly.example.net MX 5 mx1.example.net\n"
    "eqlocal.example.net MX 10 mx1.example.net\n"
    "eqlocal.example.net MX 10 mail.example.com\n"
    "dupmx.example.net MX 10 mx1.example.net\n"
    "dupmx.example.net MX 10 mx1.example.net\n"
    "dupmx.example.net MX 20 MX1.example.net\n"
    "nullmx.example.net MX 0 .\n"
    "txtonly.example.net TXT just text\n"
    "temp.example.net TEMP\n"
    "a-name-that-is-rather-long-for-the-message.temp.example.net TEMP\n"
    "Mixed.Example.NET A 192.0.2.20\n"
    "192.0.2.1 PTR foo.example.net\n"
    "192.0.2.3 PTR multi1.example.net\n"
    "192.0.2.3 PTR multi2.example.net\n"
    "192.0.2.99 TEMP\n"
    "www.example.com A 192.0.2.80\n"
    "mxsearch.example.com MX 10 mx1.example.net\n"
    "short A 192.0.2.81\n"
    "2.0.0.127.bl.example.org A 127.0.0.2\n"
    "2.0.0.127.bl.example.org TXT listed\n"
    "99.2.0.192.bl.example.org TEMP\n";

struct Fixture {
    Env env;
    std::unique_ptr<NameService> ns;
    MapTable table;
    MapRuntime runtime;
    CollectingReporter rep;
    MapLookupContext ctx{env, runtime, rep, &table};

    explicit Fixture(std::vector<std::string> services = {"files", "dns"}) {
        env.macros.set('m', "example.com");
        env.classes.add('w', "mail.example.com");
        NameServiceSetup s;
        s.hosts = parse_hosts("127.0.0.1 localhost\n");
        REQUIRE(parse_dns_records(kRecords, "r.dns", s.dns).empty());
        s.services = std::move(services);
        s.hostname = "mail.example.com";
        ns = std::make_unique<NameService>(std::move(s), &env);
        runtime.resolver = ns.get();
        for (const char* k : {"dnsa dns -R A", "dnsaall dns -R A -z,", "dnsmx dns -R MX -z:", "dnsmx1 dns -R MX -z, -Z1",
                              "dnstxt dns -R TXT", "dnsptr dns -R PTR", "dnsaaaa dns -R aaaa",
                              "dnsm dns -R A -m -a.MATCH", "dnsbl dns -R A -a.LISTED -T<TMP> -B bl.example.org",
                              "mx bestmx", "mxall bestmx -z,", "mxm bestmx -m -a.OK", "host host -a. -D",
                              "host2 host -a.FOUND -T<TEMP>"}) {
            table.declare(k, ' ', rep);
        }
        REQUIRE(rep.diagnostics.empty());
    }

    std::string lookup(const char* map, const std::string& key) {
        const MapDef* m = table.find(map);
        REQUIRE(m != nullptr);
        REQUIRE(open_map(*m, ctx));
        rep.diagnostics.clear();
        MapResult r = lookup_map(*m, key, {key}, ctx);
        std::string s;
        for (const auto& d : rep.diagnostics) s += d.message + "|";
        return s + (r.value ? "returns " + *r.value : std::string("no match")) + " (" + std::to_string(r.status) + ")";
    }
};

TEST_CASE("name service: /canon (getcanonname over files, then dns)") {
    Fixture f;
    struct Case {
        const char* host;
        const char* want;  // the buffer, then "?" when not found, "!" for TRY_AGAIN
    } cases[] = {
        {"foo.example.net", "foo.example.net"},
        {"FOO.Example.Net", "FOO.Example.Net"},        // the name as asked, not as recorded
        {"foo.example.net.", "foo.example.net"},       // the final dot goes
        {"mxonly.example.net", "mxonly.example.net"},  // an MX record is enough
        {"txtonly.example.net", "txtonly.example.net?"},
        {"nonexist.example.net.", "nonexist.example.net?"},  // cut even when not found
        {"temp.example.net", "temp.example.net?!"},
        {"www", "www.example.com"},  // the search list: the host name's domain
        {"www.", "www?"},
        {"short", "short?"},  // a single label is only asked with the domain
        {"mxsearch", "mxsearch.example.com"},
        {"localhost", "localhost.example.com"},  // from the hosts file
        {"mixed.example.net", "mixed.example.net"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.host);
        CanonAnswer a = f.ns->getcanonname(c.host, true, true);
        CHECK(a.host + (a.found ? "" : "?") + (a.try_again ? "!" : "") == c.want);
    }
}

TEST_CASE("name service: the switch's order and members") {
    Fixture dns_only({"dns"});
    CHECK(dns_only.ns->getcanonname("localhost", true, true).found == false);
    CHECK(dns_only.ns->getcanonname("www", true, true).host == "www.example.com");
    Fixture files_only({"files"});
    CHECK(files_only.ns->getcanonname("www", true, true).found == false);
    CHECK(files_only.ns->uses_name_server() == false);
    CHECK(files_only.ns->getmxrr("foo.example.net", true).count == 0);
}

TEST_CASE("name service: /mx (getmxrr)") {
    Fixture f;
    struct Case {
        const char* host;
        const char* want;  // count, then the hosts
    } cases[] = {
        {"foo.example.net", "3 mx1.example.net. MX2.Example.NET. mx3.example.net."},
        {"FOO.EXAMPLE.NET.", "3 mx1.example.net. MX2.Example.NET. mx3.example.net."},
        {"eqlocal.example.net", "2 mail.example.com. mx1.example.net."},  // $=w first among equals
        {"dupmx.example.net", "1 mx1.example.net."},
        {"nullmx.example.net", "-2"},
        {"mx1.example.net", "1 mx1.example.net."},  // no MX records: the host itself
        {"txtonly.example.net", "0"},
        {"nonexist.example.net", "0"},
        {"temp.example.net", "-1"},
        {"mxsearch", "1 mx1.example.net."},
        {"www", "1 www.example.com."},
        {"short", "0"},
        {"localhost", "1 localhost.example.com."},
        {"[foo.example.net]", "1 foo.example.net."},
        {"[nonexist.example.net]", "0"},
        {"[192.0.2.1]", "1 [192.0.2.1]"},
        {"[IPv6:2001:db8::1]", "1 [IPv6:2001:db8::1]"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.host);
        MxAnswer a = f.ns->getmxrr(c.host, true);
        std::string got = std::to_string(a.count);
        for (const std::string& h : a.hosts) got += " " + h;
        CHECK(got == c.want);
    }
}

TEST_CASE("name service: dns, bestmx and host map lookups") {
    Fixture f;
    struct Case {
        const char* map;
        const char* key;
        const char* want;
    } cases[] = {
        {"dnsa", "foo.example.net", "returns 192.0.2.1 (0)"},
        {"dnsaall", "FOO.example.net.", "returns 192.0.2.1,192.0.2.2 (0)"},
        {"dnsmx", "foo.example.net", "returns mx1.example.net:mx3.example.net:MX2.Example.NET (0)"},
        {"dnsmx1", "foo.example.net", "returns mx1.example.net (0)"},
        {"dnstxt", "foo.example.net", "returns v=spf1 -all (0)"},
        {"dnsptr", "3.2.0.192.in-addr.arpa", "returns multi1.example.net (0)"},
        {"dnsptr", "4.2.0.192.in-addr.arpa", "no match (68)"},
        {"dnsptr", "99.2.0.192.in-addr.arpa", "no match (75)"},
        {"dnsaaaa", "foo.example.net", "no match (68)"},
        {"dnsa", "txtonly.example.net", "no match (68)"},
        {"dnsa", "temp.example.net", "no match (75)"},
        {"dnsa", "www", "returns 192.0.2.80 (0)"},
        {"dnsa", "short", "returns 192.0.2.81 (0)"},  // res_search asks a single label as it is, last
        {"dnsm", "foo.example.net", "returns foo.example.net.MATCH (0)"},
        {"dnsbl", "2.0.0.127", "returns 127.0.0.2.LISTED (0)"},
        {"dnsbl", "11.2.0.192", "no match (68)"},
        {"dnsbl", "99.2.0.192", "no match (75)"},
        {"mx", "Foo.Example.Net", "returns mx1.example.net. (0)"},
        {"mxall", "foo.example.net", "returns mx1.example.net.,MX2.Example.NET.,mx3.example.net. (0)"},
        {"mxm", "foo.example.net", "returns foo.example.net.OK (0)"},
        {"mx", "txtonly.example.net", "no match (0)"},
        {"mx", "nonexist.example.net", "no match (68)"},
        {"mx", "temp.example.net", "no match (75)"},
        {"mx", "nullmx.example.net", "no match (69)"},
        {"mx", "mxsearch", "no match (68)"},                           // bestmx: no search list
        {"mx", "localhost", "returns localhost.example.com. (68)"},  // found in files, status from the DNS
        {"mx", "[192.0.2.1]", "returns [192.0.2.1] (0)"},
        {"host", "foo.example.net", "returns foo.example.net. (0)"},
        {"host", "nonexist.example.net", "no match (68)"},
        {"host", "temp.example.net", "temp.example.net: Name server timeout|no match (75)"},
        {"host", "[192.0.2.1]", "returns foo.example.net. (0)"},
        {"host", "[192.0.2.3]", "returns multi1.example.net. (0)"},
        {"host", "[192.0.2.4]", "no match (68)"},
        {"host", "[192.0.2.99]", "[192.0.2.99]: Name server timeout|no match (75)"},
        {"host", "[127.0.0.1]", "returns localhost. (0)"},
        {"host2", "a-name-that-is-rather-long-for-the-message.temp.example.net",
         "a-name-that-is-...emp.example.net: Name server timeout|no match (75)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.map);
        CAPTURE(c.key);
        CHECK(f.lookup(c.map, c.key) == c.want);
    }
}

TEST_CASE("dns map: K line options") {
    struct Case {
        const char* line;
        const char* msg;
    } cases[] = {
        {"d dns -R A", ""},
        {"d dns -R\tA", ""},
        {"d dns -RBOGUS", "dns map d: wrong type BOGUS|dns map d: missing -R type"},
        {"d dns -R A\t-z,", "dns map d: wrong type A\t-z,|dns map d: missing -R type"},  // the type ends at a blank only
        {"d dns -z, -Z 3 -B bl.example -r 2 -d5s -x -R TXT", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.line);
        MapTable t;
        CollectingReporter rep;
        t.declare(c.line, ' ', rep);
        std::string got;
        for (const auto& d : rep.diagnostics) got += (got.empty() ? "" : "|") + d.message;
        CHECK(got == c.msg);
        REQUIRE(t.find("d") != nullptr);
        CHECK(t.find("d")->valid);  // the map stays, as in sendmail
    }
}

} // namespace
} // namespace cfkit

namespace cfkit {

TEST_CASE("name service: PTR names that are addresses, and glibc's numeric names") {
    struct Ptr {
        const char* name;
        bool address;
    };
    const Ptr ptrs[] = {
        {"client.example.net", false}, {"203.0.113.30", true}, {"10.1", true},  {"0x7f.1", true},
        {"1.2.3.4.5", false},          {"[192.0.2.1]", true},  {"2001:db8::1", true}, {"255.255.255.255", false},
        {"1a.example", false},
    };
    for (const Ptr& p : ptrs) {
        CAPTURE(std::string(p.name));
        CHECK(ptr_name_is_address(p.name) == p.address);
    }
    struct Fwd {
        const char* name;
        std::optional<std::vector<std::string>> want;
    };
    const Fwd fwds[] = {
        {"client.example.net", std::nullopt},
        {"1.2.3.4.5", std::vector<std::string>{}},
        {"10.1", std::vector<std::string>{"10.0.0.1"}},
        {"192.0.2.7", std::vector<std::string>{"192.0.2.7"}},
        {"1.2.3.", std::nullopt},  // a trailing dot makes it a name
        {"1a.2", std::nullopt},
    };
    for (const Fwd& f : fwds) {
        CAPTURE(std::string(f.name));
        CHECK(digits_dots(f.name) == f.want);
    }
}

} // namespace cfkit

namespace cfkit {

TEST_CASE("name service: the service switch file as sendmail reads it") {
    char dir[] = "/tmp/cfkit-switch-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/service.switch";
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs("# comment line\n"
                   "aliases\tfiles nis   # trailing comment\n"
                   "hosts\n"                 // no methods: skipped
                   "hosts dns  files\n"
                   "passwd files\n"
                   "hosts\tfiles\tdns\n",  // a later line replaces an earlier one
                   f);
        std::fclose(f);
    }
    CHECK(service_switch(path, "hosts") == std::vector<std::string>{"files", "dns"});
    CHECK(service_switch(path, "aliases") == std::vector<std::string>{"files", "nis"});
    // no line for it, or no file: sendmail's fallback
    CHECK(service_switch(path, "netgroup").empty());
    CHECK(service_switch(std::string(dir) + "/none", "hosts") == std::vector<std::string>{"dns", "files"});
    CHECK(service_switch(std::string(dir) + "/none", "aliases") == std::vector<std::string>{"files"});
    std::remove(path.c_str());
    rmdir(dir);
}

TEST_CASE("anynet_ntoa: client addresses as the daemon writes {client_addr}") {
    struct Row {
        const char* in;
        bool compressed;
        const char* out;
    } rows[] = {
        {"192.0.2.1", false, "192.0.2.1"},
        {"2001:db8::5", false, "IPv6:2001:db8:0:0:0:0:0:5"},  // Debian's IPV6_FULL default
        {"2001:db8::5", true, "IPv6:2001:db8::5"},
        {"2001:DB8:0:0:0:0:0:5", true, "IPv6:2001:db8::5"},
        {"::ffff:192.0.2.7", false, "192.0.2.7"},  // v4-mapped: the IPv4 address
        {"::1", false, "IPv6:0:0:0:0:0:0:0:1"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        CHECK(anynet_ntoa(r.in, r.compressed) == r.out);
    }
}

TEST_CASE("host_addresses_v6: the hosts file's IPv6 lines, then AAAA records") {
    NameServiceSetup s;
    s.hosts = parse_hosts("127.0.0.1 localhost\n2001:db8::7 seven.example.com\n");
    REQUIRE(parse_dns_records("v6.example.net AAAA 2001:DB8:0::5\nv6.example.net A 192.0.2.5\n", "r.dns", s.dns).empty());
    s.hostname = "mail.example.com";
    Env env;
    NameService ns(s, &env);
    CHECK(ns.host_addresses_v6("v6.example.net") == std::vector<std::string>{"2001:db8::5"});
    CHECK(ns.host_addresses_v6("seven.example.com") == std::vector<std::string>{"2001:db8::7"});
    CHECK(ns.host_addresses_v6("none.example.net").empty());
    CHECK(ns.host_addresses_v4("v6.example.net") == std::vector<std::string>{"192.0.2.5"});
}

} // namespace cfkit
