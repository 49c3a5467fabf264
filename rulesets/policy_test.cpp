// Reading policies: what a valid one becomes, and every error with its
// place and exact words. The generator's refusals are here too.
#include <doctest/doctest.h>

#include "rulesets/generate.hpp"
#include "rulesets/policy.hpp"

namespace cfkit::gen {
namespace {

std::string errors(const std::string& json, const McFacts& mc = {}) {
    Diagnostics diags;
    std::optional<Policy> p = parse_policy(json, "p.json", diags);
    if (p) generate(*p, mc, diags);
    std::string out;
    for (const Diagnostic& d : diags)
        out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": " + d.message + "\n";
    return out;
}

} // namespace

TEST_CASE("policy: a valid policy, normalized") {
    Diagnostics diags;
    std::optional<Policy> p = parse_policy(R"({
      // comments are allowed
      "policy": 1, "mode": "warn", "delay_checks": true,
      "exempt": {"networks": ["10.", "192.168", "192.0.2.7", "2001:db8::5", "2001:DB8"],
                 "clients": ["203.0.113.7", "MX.Partner.Example"], "client_domains": ["Example.COM"],
                 "tls_verified": true, "tls_issuers": ["/C=XX/O=Example CA [test]"]},
      "helo": {"reject": ["unqualified"], "deny_names": ["Friend", "*.Invalid"]}
    })",
                                           "p.json", diags);
    REQUIRE(diags.empty());
    REQUIRE(p);
    CHECK(p->mode == Mode::Warn);
    CHECK(p->delay_checks->value);
    std::vector<std::string> nets;
    for (const auto& n : p->exempt.networks) nets.push_back(n.value);
    CHECK(nets == std::vector<std::string>{"10", "192.168", "192.0.2.7", "IPv6:2001:db8:0:0:0:0:0:5", "IPv6:2001:db8"});
    CHECK(p->exempt.networks[1].origin.path == "$.exempt.networks[1]");
    CHECK(p->exempt.clients_addr.size() == 1);
    CHECK(p->exempt.clients_name[0].value == "mx.partner.example");
    CHECK(p->exempt.client_domains[0].value == "example.com");
    CHECK(p->exempt.tls_issuers[0].value == "/C=XX/O=Example+20CA+20[test]");
    CHECK(p->helo->stage.value == Stage::Mail);
    CHECK(p->helo->deny_exact[0].value == "friend");
    CHECK(p->helo->deny_suffix[0].value == "invalid");
    // the default reply is the seed's
    CHECK(p->helo->reply.code == 550);
    CHECK(p->helo->reply.dsn == "5.7.1");
    CHECK(p->helo->reply.text == "Access denied - bogus HELO ${helo}");
    CHECK(!p->client_resolve);
}

TEST_CASE("policy: reply texts in pieces") {
    Diagnostics diags;
    std::optional<Policy> p = parse_policy(
        R"({"policy": 1, "client_resolve": {"FAIL": {"code": 554, "text": "${client_addr}${client_name} x ${client_resolve}"}}})",
        "p.json", diags);
    REQUIRE(p);
    const Reply& r = p->client_resolve->replies[0].second;
    CHECK(r.dsn == "5.7.1");
    REQUIRE(r.pieces.size() == 4);
    CHECK(r.pieces[0].macro);
    CHECK(r.pieces[0].text == "{client_addr}");
    CHECK(r.pieces[1].text == "{client_name}");
    CHECK(!r.pieces[2].macro);
    CHECK(r.pieces[2].text == " x ");
    CHECK(r.pieces[3].text == "{client_resolve}");
}

TEST_CASE("policy: errors, each with its place and JSON path") {
    struct Case {
        const char* json;
        const char* want;
    };
    const Case cases[] = {
        {"[]", "1:1: $: expected an object, got an array\n"},
        {"{}", "1:1: $: missing \"policy\": 1 (the version of the policy format)\n"},
        {R"({"policy": 2, "helo": {"reject": ["unqualified"]}})",
         "1:12: $.policy: policy format 2 is not known (this cfkit reads format 1)\n"},
        {R"({"policy": 1})", "1:1: $: nothing to generate: give \"helo\" or \"client_resolve\"\n"},
        {R"({"policy": 1, "hello": {}})", "1:15: $.hello: unknown key (did you mean \"helo\"?)\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"]}, "helo": {}})", "1:52: $.helo: given twice\n"},
        {R"({"policy": 1, "mode": 1, "helo": {"reject": ["unqualified"]}})",
         "1:23: $.mode: expected a string, got a number\n"},
        {R"({"policy": 1, "helo": {}})", "1:23: $.helo: nothing to check: give \"reject\" or \"deny_names\"\n"},
        {R"({"policy": 1, "helo": {"reject": "unqualified"}})",
         "1:34: $.helo.reject: expected an array, got a string\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified", "UNQUALIFIED"]}})",
         "1:50: $.helo.reject[1]: \"UNQUALIFIED\" is not a HELO check (unqualified, own_name, own_address, "
         "bare_address, literal_mismatch, localhost)\n"},
        {R"({"policy": 1, "helo": {"stage": "data", "reject": ["unqualified"]}})",
         "1:33: $.helo.stage: \"data\" is not a stage (\"mail\", \"rcpt\")\n"},
        {R"({"policy": 1, "helo": {"deny_names": ["*.", "bad name", "*"]}})",
         "1:39: $.helo.deny_names[0]: \"*.\" is not a HELO name or \"*.domain\" (letters, digits and \"[].-_:\")\n"
         "1:45: $.helo.deny_names[1]: \"bad name\" is not a HELO name or \"*.domain\" (letters, digits and \"[].-_:\")\n"
         "1:57: $.helo.deny_names[2]: \"*\" is not a HELO name or \"*.domain\" (letters, digits and \"[].-_:\")\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 250, "text": "x"}}})",
         "1:69: $.helo.reply.code: 250 is not a rejection: a reply code is 4xx or 5xx\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 550}}})",
         "1:60: $.helo.reply: missing \"text\"\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 550, "dsn": "5.7", "text": "x"}}})",
         "1:81: $.helo.reply.dsn: \"5.7\" is not an enhanced status code (class.subject.detail, such as \"5.7.1\")\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 450, "dsn": "5.7.1", "text": "x"}}})",
         "1:81: $.helo.reply.dsn: 5.7.1 does not agree with code 450 (a 4xx code takes a 4.x.x status)\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 550, "text": "cost $5"}}})",
         "1:82: $.helo.reply.text: a '$' starts a placeholder: write ${helo}, ${client_addr}, ${client_name} or "
         "${client_resolve}\n"},
        {R"({"policy": 1, "helo": {"reject": ["unqualified"], "reply": {"code": 550, "text": "caf\u00e9"}}})",
         "1:82: $.helo.reply.text: reply text is printable ASCII only (SMTP replies are 7-bit, one line)\n"},
        {R"({"policy": 1, "client_resolve": {"FAIL": {"code": 550, "text": "bad ${helo}"}}})",
         "1:64: $.client_resolve.FAIL.text: ${helo} is not known at connect: the client has not said HELO yet\n"},
        {R"({"policy": 1, "client_resolve": {"OK": {"code": 550, "text": "x"}}})",
         "1:34: $.client_resolve.OK: unknown key (known: stage, TEMP, FORGED, FAIL, exempt)\n"},
        {R"({"policy": 1, "client_resolve": {"stage": "connect"}})",
         "1:33: $.client_resolve: nothing to check: give \"TEMP\", \"FORGED\" or \"FAIL\"\n"},
        {R"({"policy": 1, "exempt": {"networks": ["10.1.2.3.4", "::g"], "clients": ["bad_host!"]},
            "helo": {"reject": ["unqualified"]}})",
         "1:39: $.exempt.networks[0]: \"10.1.2.3.4\" is not a network: write an IPv4 address or its first parts "
         "(\"10.\", \"192.168\"), or an IPv6 address or its first whole groups (\"2001:db8\")\n"
         "1:53: $.exempt.networks[1]: \"::g\" is not a network: write an IPv4 address or its first parts "
         "(\"10.\", \"192.168\"), or an IPv6 address or its first whole groups (\"2001:db8\")\n"
         "1:73: $.exempt.clients[0]: \"bad_host!\" is neither an IP address nor a host name\n"},
        {R"({"policy": 1, "exempt": {"networks": ["10.", "10"]}, "helo": {"reject": ["unqualified"]}})",
         "1:46: $.exempt.networks[1]: \"10\" is listed twice\n"},
        {R"({"policy": 1, "exempt": {"client_domains": [".example.com"]}, "helo": {"reject": ["unqualified"]}})",
         "1:45: $.exempt.client_domains[0]: \".example.com\" is not a domain name (\"example.com\", no dot at either "
         "end)\n"},
        {R"({"policy": 1, "exempt": {"tls_issuers": ["/O=X"]}, "helo": {"reject": ["unqualified"]}})",
         "1:26: $.exempt.tls_issuers: issuers narrow \"tls_verified\", which is not true here: set "
         "\"tls_verified\": true\n"},
        {R"({"policy": 1, "exempt": {"access_tag": "Helo:Check"}, "helo": {"reject": ["unqualified"]}})",
         "1:40: $.exempt.access_tag: a tag is a word of letters, digits, '-' and '_' (\"HeloCheck\")\n"},
        {R"({"policy": 1, "client_resolve": {"TEMP": {"code": 421, "text": "x"}}})",
         "1:51: $.client_resolve.TEMP.code: 421 makes sendmail close the connection (at connect it replaces the "
         "greeting): use 450 or 451\n"},
        {R"({"policy": 1, "client_resolve": {"TEMP": {"code": 451, "dsn": "4.7.1000", "text": "x"}}})",
         "1:63: $.client_resolve.TEMP.dsn: \"4.7.1000\" is not an enhanced status code (class.subject.detail, such "
         "as \"5.7.1\")\n"},
        {R"({"policy": 1, "client_resolve": {"TEMP": {"code": 451, "dsn": "04.7.1", "text": "x"}}})",
         "1:63: $.client_resolve.TEMP.dsn: \"04.7.1\" is not an enhanced status code (class.subject.detail, such "
         "as \"5.7.1\")\n"},
        {R"({"policy": 1.0, "client_resolve": {"TEMP": {"code": 4.51e2, "text": "x"}}})", ""},
        {R"({"policy": 1, "exempt": {"clients": ["256.1.1.1", "010.0.0.1"]}, "helo": {"reject": ["unqualified"]}})",
         "1:38: $.exempt.clients[0]: \"256.1.1.1\" is neither an IP address nor a host name\n"
         "1:51: $.exempt.clients[1]: \"010.0.0.1\" is neither an IP address nor a host name\n"},
        // the generator's refusals
        {R"({"policy": 1, "client_resolve": {"stage": "mail", "exempt": {"client_domains": ["example.com"]},
            "FAIL": {"code": 550, "text": "x"}}})",
         "1:81: $.client_resolve.exempt.client_domains[0]: refused: {client_name} is the address in brackets "
         "whenever {client_resolve} is not OK, so a client_resolve check cannot exempt by name; exempt by address\n"},
        {R"({"policy": 1, "client_resolve": {"exempt": {"authenticated": true},
            "FAIL": {"code": 550, "text": "x"}}})",
         "1:62: $.client_resolve.exempt.authenticated: refused: a check at connect runs before the client can "
         "authenticate (AUTH comes after EHLO); move the check to \"mail\" or \"rcpt\"\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(std::string(c.json));
        CHECK(errors(c.json) == std::string(c.want));
    }
}

TEST_CASE("policy: reply texts of at most 200 characters") {
    std::string ok = R"({"policy": 1, "client_resolve": {"FAIL": {"code": 550, "text": ")" + std::string(200, 'x') + "\"}}}";
    CHECK(errors(ok) == "");
    std::string long_text =
        R"({"policy": 1, "client_resolve": {"FAIL": {"code": 550, "text": ")" + std::string(201, 'x') + "\"}}}";
    CHECK(errors(long_text) == "1:64: $.client_resolve.FAIL.text: the reply text is 201 characters; at most 200 "
                               "(sendmail cuts a reply at about 250, with the placeholders' values, and refuses "
                               "longer quoted strings in a rule)\n");
}

TEST_CASE("policy: what the .mc allows") {
    McFacts mc;
    mc.known = true;
    mc.path = "site.mc";
    const char* tag = R"({"policy": 1, "exempt": {"access_tag": "HeloCheck"}, "helo": {"reject": ["unqualified"]}})";
    CHECK(errors(tag, mc) == "1:40: $.exempt.access_tag: refused: site.mc has no access map (FEATURE(access_db)), so "
                             "there is nothing to look the tag up in\n");
    mc.access_db = true;
    CHECK(errors(tag, mc) == "");
    mc.rulesets_with_rules = {"Local_check_mail"};
    CHECK(errors(tag, mc) == "1:62: $.helo: refused: site.mc already has rules in Local_check_mail, where these "
                             "checks go; merge them by hand, or remove them and generate again\n");
    mc.delay_checks = true;  // then the rules form check_mail, which has none
    CHECK(errors(tag, mc) == "");
}

TEST_CASE("policy: placement with and without delay_checks") {
    struct Case {
        Stage stage;
        bool delay;
        const char* ruleset;
        bool fresh;
    };
    const Case cases[] = {
        {Stage::Connect, false, "Local_check_relay", false}, {Stage::Connect, true, "check_relay", true},
        {Stage::Mail, false, "Local_check_mail", false},     {Stage::Mail, true, "check_mail", true},
        {Stage::Rcpt, false, "Local_check_rcpt", false},     {Stage::Rcpt, true, "Local_check_mail", false},
    };
    for (const Case& c : cases) {
        CAPTURE(stage_name(c.stage));
        CAPTURE(c.delay);
        Placement p = place(c.stage, c.delay);
        CHECK(p.ruleset == c.ruleset);
        CHECK(p.new_ruleset == c.fresh);
        CHECK(!p.why.empty());
    }
}

TEST_CASE("policy: xtext as sendmail writes {cert_issuer}") {
    CHECK(xtext("/C=XX/O=Example CA") == "/C=XX/O=Example+20CA");
    CHECK(xtext("a+b\\c(d)<e>\"f") == "a+2Bb+5Cc+28d+29+3Ce+3E+22f");
    CHECK(xtext("=#$") == "=#$");
}

} // namespace cfkit::gen
