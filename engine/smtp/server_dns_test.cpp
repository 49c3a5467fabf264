// Sessions ask the name service (engine/names/name_service.hpp) with the
// script's records, files first: dns and bestmx maps, $[ $], the client's
// PTR name. A small hand-written config; the reply forms are those
// sendmail 8.17's daemon sent in the dnsbl and dnsmx configs of
// testcases/sessions/diff (a 4xx from a rule carries no address, ...).
#include <doctest/doctest.h>

#include "engine/smtp/server.hpp"
#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

const char* kCf =
    "V10/Berkeley\n"
    "Mlocal, P=/bin/true, F=lsDFMAw5:/|@qSPfhn9, S=0, R=0, A=mail\n"
    "Mesmtp, P=[IPC], F=mDFMuXa, S=0, R=0, A=TCP $h\n"
    "Kdnsbl dns -R A -T<TMP>\n"
    "Kdnstxt dns -R TXT -T<TMP>\n"
    "Kmx bestmx -z: -T<TMP>\n"
    "S0\n"
    "R$+ @ $+\t\t$#esmtp $@ $2 $: $1 @ $2\n"
    "R$+\t\t$#local $: $1\n"
    "Scheck_relay\n"
    "R$* $| $-.$-.$-.$-\t$: <?> $(dnsbl $5.$4.$3.$2.bl.example.org. $: OK $) <$5.$4.$3.$2>\n"
    "R<?> OK <$*>\t\t$@ OK\n"
    "R<?> $+ <TMP> <$*>\t$#error $@ 4.4.3 $: \"451 bl.example.org is down\"\n"
    "R<?> $+ <$*>\t\t$#error $@ 5.7.1 $: \"550 listed: \" $(dnstxt $2.bl.example.org. $: $1 $)\n"
    "Scheck_mail\n"
    "R<$+@$+>\t\t$: <$2> $(mx $2 $: none $)\n"
    "R<$+> none\t\t$#error $@ 5.1.8 $: \"553 no mail exchanger for \" $1\n"
    "R<$+> $* <TMP>\t\t$#error $@ 4.4.3 $: \"451 MX lookup failed for \" $1\n"
    "Scheck_rcpt\n"
    "R<$+@$+>\t\t$: <$[ $2 $: none $]>\n"
    "R<none>\t\t\t$#error $@ 5.1.2 $: \"553 unknown host\"\n";

struct Row {
    const char* what;
    const char* client;
    std::vector<const char*> records;
    const char* command;
    std::vector<std::string> reply;
};

std::string lines(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& l : v) out += l + "\n";
    return out;
}

std::vector<std::string> play(const Row& r) {
    HostInfo host = testing::fixed_host();
    host.hosts = parse_hosts("127.0.0.1\tmail.example.com localhost\n");
    Diagnostics diags;
    auto cfg = testing::compile_fixed(kCf, diags, host);
    REQUIRE(diags.empty());
    ServerSetup setup;
    setup.sasl_mechs = std::vector<std::string>{};
    for (const char* rec : r.records) {
        std::string text = rec;
        REQUIRE(parse_dns_records(text, "r", setup.dns).empty());
    }
    SmtpServer srv(*cfg, std::move(setup));
    srv.connect(ClientInfo{r.client, 0});
    return srv.command(r.command).lines;
}

TEST_CASE("sessions: dns, bestmx and host maps answer from the script's records") {
    const std::vector<Row> rows = {
        {"listed, with a TXT reason", "198.51.100.2",
         {"2.100.51.198.bl.example.org A 127.0.0.2", "2.100.51.198.bl.example.org TXT spam source"},
         "MAIL FROM:<a@client.example>",
         {"550 5.7.1 listed: spam source"}},
        {"listed, no TXT record: the A record", "198.51.100.3", {"3.100.51.198.bl.example.org A 127.0.0.4"},
         "MAIL FROM:<a@client.example>", {"550 5.7.1 listed: 127.0.0.4"}},
        {"the list answers SERVFAIL", "198.51.100.4", {"4.100.51.198.bl.example.org TEMP"},
         "MAIL FROM:<a@client.example>", {"451 4.4.3 bl.example.org is down"}},
        {"not listed; the sender domain has MX records", "192.0.2.10",
         {"client.example MX 10 mx.client.example"}, "MAIL FROM:<a@client.example>",
         {"250 2.1.0 <a@client.example>... Sender ok"}},
        {"no MX records: bestmx gives the host itself", "192.0.2.10", {"aonly.example A 192.0.2.9"},
         "MAIL FROM:<a@aonly.example>", {"250 2.1.0 <a@aonly.example>... Sender ok"}},
        {"no such domain", "192.0.2.10", {}, "MAIL FROM:<a@nowhere.example>",
         {"553 5.1.8 <a@nowhere.example>... no mail exchanger for nowhere.example"}},
        {"the MX lookup answers SERVFAIL", "192.0.2.10", {"flaky.example TEMP"}, "MAIL FROM:<a@flaky.example>",
         {"451 4.4.3 MX lookup failed for flaky.example"}},
        {"EHLO names a client from the hosts file (files come first)", "127.0.0.1",
         {"127.0.0.1 PTR other.example"}, "HELO x",
         {"250 mail.example.com Hello mail.example.com [127.0.0.1], pleased to meet you"}},
        {"EHLO names a client by its PTR record", "192.0.2.10",
         {"192.0.2.10 PTR mx.client.example", "mx.client.example A 192.0.2.10"}, "HELO x",
         {"250 mail.example.com Hello mx.client.example [192.0.2.10], pleased to meet you"}},
        {"the PTR name's A record is in the search domain: not forged", "192.0.2.44",
         {"192.0.2.44 PTR mx.client", "mx.client.example.com A 192.0.2.44"}, "HELO x",
         {"250 mail.example.com Hello mx.client [192.0.2.44], pleased to meet you"}},
        {"the PTR name has no A record: forged", "192.0.2.45", {"192.0.2.45 PTR mx.client"}, "HELO x",
         {"250 mail.example.com Hello mx.client [192.0.2.45] (may be forged), pleased to meet you"}},
    };
    for (const Row& r : rows) {
        CAPTURE(std::string(r.what));
        CHECK(lines(play(r)) == lines(r.reply));
    }
}

TEST_CASE("sessions: $[ $] in a check ruleset; a temporary failure's note is not a reply") {
    struct RcptRow {
        const char* what;
        std::vector<const char*> records;
        const char* rcpt;
        std::vector<std::string> reply;
    };
    const std::vector<RcptRow> rows = {
        {"a host with an A record", {"dest.example A 192.0.2.7"}, "RCPT TO:<u@dest.example>",
         {"250 2.1.5 <u@dest.example>... Recipient ok"}},
        {"found in the search domain example.com", {"dest.example.com A 192.0.2.7"}, "RCPT TO:<u@dest>",
         {"250 2.1.5 <u@dest>... Recipient ok"}},
        {"no such host", {}, "RCPT TO:<u@nowhere.example>", {"553 5.1.2 <u@nowhere.example>... unknown host"}},
        // the host map's "851 flaky.example: Name server timeout" goes to
        // a VERB client only: the reply is the rule's
        {"SERVFAIL", {"flaky.example TEMP"}, "RCPT TO:<u@flaky.example>",
         {"553 5.1.2 <u@flaky.example>... unknown host"}},
    };
    for (const RcptRow& r : rows) {
        CAPTURE(std::string(r.what));
        Diagnostics diags;
        auto cfg = testing::compile_fixed(kCf, diags);
        ServerSetup setup;
        setup.sasl_mechs = std::vector<std::string>{};
        std::string err;
        REQUIRE(setup.dns.add({"client.example", "A", "192.0.2.10"}, err));
        for (const char* rec : r.records) REQUIRE(parse_dns_records(rec, "r", setup.dns).empty());
        SmtpServer srv(*cfg, std::move(setup));
        srv.connect(ClientInfo{"192.0.2.10", 0});
        REQUIRE(srv.command("MAIL FROM:<a@client.example>").lines ==
                std::vector<std::string>{"250 2.1.0 <a@client.example>... Sender ok"});
        CHECK(lines(srv.command(r.rcpt).lines) == lines(r.reply));
    }
}

} // namespace
} // namespace cfkit
