// The generated rules against the policy's meaning (model.hpp), over many
// more clients than the generated cases hold: each policy below is
// generated as .cf lines, spliced into a small config shaped like
// proto.m4's check rulesets (with and without delay_checks), and every
// client of a sweep (addresses, {client_resolve} values, HELO names, AUTH,
// certificates, access entries) is played through the SMTP server; the
// first refusal must be the one model.hpp computes, with the same reply.
#include <doctest/doctest.h>

#include "engine/smtp/server.hpp"
#include "engine/text/translate.hpp"
#include "engine/testing/test_support.hpp"
#include "rulesets/emit.hpp"
#include "rulesets/generate.hpp"
#include "rulesets/model.hpp"

namespace cfkit::gen {
namespace {

// Mailers, ruleset 0, $=R and proto.m4's D and A lookups, cut down to the
// tagged (mark '!') case: tag:key, then the parent domains (an address
// literal: the literal without its last part) or shorter address prefixes.
#define COMMON                                                        \
    "V10/Berkeley\n"                                                  \
    "Mlocal, P=/bin/true, F=lsDFMAw5:/|@qSPfhn9, S=0, R=0, A=mail\n"  \
    "Mesmtp, P=[IPC], F=mDFMuXa, S=0, R=0, A=TCP $h\n"                \
    "Kaccess hash -o -T<TMPF> /nonexistent/access\n"                  \
    "C{R}198.51.100\n"                                                \
    "S0\n"                                                            \
    "R$+ @ $+\t\t$#esmtp $@ $2 $: $1 @ $2\n"                          \
    "R$+\t\t$#local $: $1\n"                                          \
    "SD\n"                                                            \
    "R<$*> <$+> <! $-> <$*>\t$: < $(access $3:$1 $: ? $) > <$1> <$3> <$4>\n" \
    "R<?> <[$+.$-]> <$-> <$*>\t$@ $>D <[$1]> <?> <! $3> <$4>\n"        \
    "R<?> <[$+::$-]> <$-> <$*>\t$@ $>D <[$1]> <?> <! $3> <$4>\n"       \
    "R<?> <[$+:$-]> <$-> <$*>\t$@ $>D <[$1]> <?> <! $3> <$4>\n"        \
    "R<?> <$+ . $+> <$-> <$*>\t$@ $>D <$2> <?> <! $3> <$4>\n"          \
    "R<?> <$*> <$-> <$*>\t$@ <?> <$3>\n"                               \
    "R<$+> <$*> <$-> <$*>\t$@ <$1> <$4>\n"                             \
    "SA\n"                                                            \
    "R<$*> <$+> <! $-> <$*>\t$: < $(access $3:$1 $: ? $) > <$1> <$3> <$4>\n" \
    "R<?> <$+::$-> <$-> <$*>\t$@ $>A <$1> <?> <! $3> <$4>\n"           \
    "R<?> <$+:$-> <$-> <$*>\t$@ $>A <$1> <?> <! $3> <$4>\n"            \
    "R<?> <$+ . $-> <$-> <$*>\t$@ $>A <$1> <?> <! $3> <$4>\n"          \
    "R<?> <$*> <$-> <$*>\t$@ <?> <$3>\n"                               \
    "R<$+> <$*> <$-> <$*>\t$@ <$1> <$4>\n"

// check_relay/check_mail/check_rcpt calling Local_* as proto.m4 does.
const char* kBase = COMMON
    "SLocal_check_relay\n"
    "Scheck_relay\n"
    "R$*\t\t$: $1 $| $>Local_check_relay $1\n"
    "R$* $| $#$*\t$#$2\n"
    "SLocal_check_mail\n"
    "Scheck_mail\n"
    "R$*\t\t$: $1 $| $>Local_check_mail $1\n"
    "R$* $| $#$*\t$#$2\n"
    "SLocal_check_rcpt\n"
    "Scheck_rcpt\n"
    "R$*\t\t$: $1 $| $>Local_check_rcpt $1\n"
    "R$* $| $#$*\t$#$2\n";

// The same with delay_checks: check_relay and check_mail do not exist;
// check_rcpt runs checkrcpt, then checkmail and checkrelay.
const char* kBaseDelay = COMMON
    "SLocal_check_relay\n"
    "Scheckrelay\n"
    "R$*\t\t$: $1 $| $>Local_check_relay $1\n"
    "R$* $| $#$*\t$#$2\n"
    "SLocal_check_mail\n"
    "Scheckmail\n"
    "R$*\t\t$: $1 $| $>Local_check_mail $1\n"
    "R$* $| $#$*\t$#$2\n"
    "SLocal_check_rcpt\n"
    "Scheckrcpt\n"
    "R$*\t\t$: $1 $| $>Local_check_rcpt $1\n"
    "R$* $| $#$*\t$#$2\n"
    "Scheck_rcpt\n"
    "R$+\t\t$: $1 $| $>checkrcpt $1\n"
    "R$+ $| $#$*\t$#$2\n"
    "R$+ $| $*\t$: $1 $| $>checkmail <$&f>\n"
    "R$* $| $#$*\t$#$2\n"
    "R$* $| $*\t$: $1 $| $>checkrelay $&{client_name} $| $&{client_addr}\n"
    "R$* $| $#$*\t$#$2\n";
#undef COMMON

struct Client {
    Scenario s;
    std::vector<std::string> records;  // the DNS answers that give s.resolve
};

// Clients of every {client_resolve} value and a few addresses the
// exemptions name; each says each HELO in turn.
std::vector<Client> sweep(const std::vector<std::string>& helos) {
    std::vector<Client> base;
    auto ok = [&](const std::string& addr, const std::string& name) {
        Client c;
        c.s.addr = addr;
        c.s.ptr = name;
        c.records = {addr + " PTR " + name, name + " A " + addr};
        base.push_back(c);
    };
    ok("203.0.113.9", "client.example.net");
    ok("10.1.2.3", "host.partner.example");
    ok("10.10.2.3", "host.notpartner.example");
    ok("198.51.100.7", "relay.example.net");
    ok("192.0.2.25", "listed.example.net");
    ok("203.0.113.77", "legacy.customer.example");
    Client fail;
    fail.s.addr = "203.0.113.20";
    fail.s.resolve = "FAIL";
    base.push_back(fail);
    Client temp;
    temp.s.addr = "203.0.113.21";
    temp.s.resolve = "TEMP";
    temp.records = {"203.0.113.21 TEMP"};
    base.push_back(temp);
    Client forged;
    forged.s.addr = "203.0.113.22";
    forged.s.resolve = "FORGED";
    forged.s.ptr = "forged.example.net";
    forged.records = {"203.0.113.22 PTR forged.example.net", "forged.example.net A 192.0.2.200"};
    base.push_back(forged);
    Client loop;
    loop.s.addr = "127.0.0.1";
    loop.s.ptr = "mail.example.com";  // from the hosts file
    base.push_back(loop);

    std::vector<Client> out;
    for (const Client& c : base) {
        for (const std::string& h : helos) {
            Client x = c;
            x.s.helo = h;
            out.push_back(x);
        }
    }
    // the exemptions a script gives by hand, on an otherwise refused client
    Client extra = base[6];  // FAIL
    extra.s.helo = "LIILXQMAIL01";
    Client a = extra;
    a.s.authenticated = true;
    out.push_back(a);
    Client t = extra;
    t.s.verify = "OK";
    t.s.cert_issuer = xtext("/C=XX/O=Example CA");
    out.push_back(t);
    Client t2 = t;
    t2.s.cert_issuer = xtext("/C=ZZ/O=Other");
    out.push_back(t2);
    // access map entries: the address, a parent domain, an address literal's
    // prefix (FAIL: {client_name} is [203.0.113.20]), a value that is not OK
    const struct {
        std::size_t client;
        const char* key;
        const char* value;
    } entries[] = {
        {0, "HeloCheck:203.0.113.9", "OK"},
        {0, "HeloCheck:example.net", "OK"},
        {6, "HeloCheck:[203.0.113]", "OK"},
        {0, "HeloCheck:203.0.113", "REJECT"},
    };
    for (const auto& e : entries) {
        Client acc = base[e.client];
        acc.s.helo = "LIILXQMAIL01";
        acc.s.access = {{e.key, e.value}};
        out.push_back(acc);
    }
    return out;
}

const std::vector<std::string> kHelos = {
    "client.example.net", "LIILXQMAIL01", "mail.example.com", "MAIL.Example.COM", "[127.0.0.1]", "127.0.0.1",
    "192.0.2.1", "[192.0.2.99]", "[203.0.113.9]", "localhost", "localhost.localdomain", "friend", "Friend",
    "host.invalid", "invalid", "a.b.invalid", ".foo", "foo.", "a..b", "[IPv6:2001:db8::1]", "300.1.1.1",
    "x.localhost", "a-b_c.example", "localhost."};

// The reply of `c`'s first refused command, or "" when MAIL and RCPT pass.
std::string play(const Config& cfg, const Client& c) {
    ServerSetup setup;
    setup.sasl_mechs = std::vector<std::string>{"PLAIN"};
    for (const std::string& r : c.records) REQUIRE(parse_dns_records(r, "r", setup.dns).empty());
    SmtpServer srv(cfg, std::move(setup));
    Session& s = srv.session();
    for (const auto& [k, v] : c.s.access) {  // as a script's `map access KEY VALUE` line, before connect
        s.maps.added["access"][ascii_lower(k)] = v;
        s.maps.open_state["access"] = 1;
    }
    srv.connect(ClientInfo{c.s.addr, 0});
    auto set = [&](const char* name, const std::string& v) {
        CollectingReporter quiet;
        MacroIdResult id = macid_parse(name, 0, s.env.names, quiet);
        s.env.macros.set(static_cast<MacroId>(id.id), v);
    };
    if (!c.s.verify.empty()) set("{verify}", c.s.verify);
    if (!c.s.cert_issuer.empty()) set("{cert_issuer}", c.s.cert_issuer);
    srv.command("EHLO " + c.s.helo);
    if (c.s.authenticated) srv.authenticate("alice", "PLAIN");
    for (const char* cmd : {"MAIL FROM:<a@sender.example.org>", "RCPT TO:<postmaster@mail.example.com>"}) {
        SmtpReply r = srv.command(cmd);
        REQUIRE(!r.lines.empty());
        if (r.lines.back()[0] != '2') return r.lines.back();
    }
    return "";
}

std::string expected(const Verdict& v) {
    if (!v.rejected) return "";
    return reply_line(v, v.stage == Stage::Connect ? ""
                         : v.stage == Stage::Mail  ? "<a@sender.example.org>"
                                                   : "<postmaster@mail.example.com>");
}

void check_policy(const char* json, bool delay) {
    Diagnostics diags;
    std::optional<Policy> p = parse_policy(json, "p.json", diags);
    REQUIRE(diags.empty());
    McFacts mc;
    mc.known = true;
    mc.path = "t.mc";
    mc.delay_checks = delay;
    mc.access_db = true;
    std::optional<Generated> g = generate(*p, mc, diags);
    REQUIRE(diags.empty());
    std::string cf = std::string(delay ? kBaseDelay : kBase) + emit(g->block, Format::Cf);
    HostInfo host = testing::fixed_host();
    host.hosts = parse_hosts("127.0.0.1\tmail.example.com localhost\n");
    Diagnostics load;
    auto cfg = testing::compile_fixed(cf, load, host);
    for (const Diagnostic& d : load) CAPTURE(d.message);
    REQUIRE(load.empty());
    World w;
    w.class_w = cfg->env.classes.dump(static_cast<MacroId>('w'));
    w.class_r = cfg->env.classes.dump(static_cast<MacroId>('R'));
    int refused = 0, passed = 0;
    for (const Client& c : sweep(kHelos)) {
        CAPTURE(c.s.addr);
        CAPTURE(c.s.resolve);
        CAPTURE(c.s.helo);
        CAPTURE(c.s.authenticated);
        CAPTURE(c.s.cert_issuer);
        std::string want = expected(evaluate(*p, c.s, w));
        CHECK(play(*cfg, c) == want);
        (want.empty() ? passed : refused)++;
    }
    // the sweep must exercise both outcomes, or it proves nothing
    CHECK(refused > 10);
    CHECK(passed > 5);
}

const char* kEverything = R"({
  "policy": 1,
  "exempt": {"authenticated": true, "tls_verified": true, "tls_issuers": ["/C=XX/O=Example CA"],
             "relay_networks": true, "networks": ["10.1"], "client_domains": ["partner.example"],
             "clients": ["192.0.2.25", "legacy.customer.example"], "access_tag": "HeloCheck",
             "local_submission": true},
  "helo": {"stage": "mail",
           "reject": ["unqualified", "own_name", "own_address", "bare_address", "literal_mismatch", "localhost"],
           "deny_names": ["friend", "*.invalid"],
           "reply": {"code": 550, "dsn": "5.7.1", "text": "bad HELO ${helo} from ${client_name} [${client_addr}]"}},
  "client_resolve": {"stage": "connect",
    "TEMP": {"code": 451, "text": "later ${client_addr}"},
    "FORGED": {"code": 550, "dsn": "5.7.25", "text": "forged ${client_name}"},
    "FAIL": {"code": 554, "text": "no name ${client_addr}${client_resolve}"}}
})";

const char* kRcptStages = R"({
  "policy": 1,
  "exempt": {"networks": ["203.0.113.9"]},
  "helo": {"stage": "rcpt", "reject": ["localhost", "literal_mismatch", "unqualified"],
           "exempt": {"client_domains": ["example.net"]},
           "reply": {"code": 450, "dsn": "4.7.0", "text": "try a real name, not ${helo}"}},
  "client_resolve": {"stage": "rcpt", "FORGED": {"code": 550, "text": "forged"}, "TEMP": {"code": 450, "text": "t"}}
})";

const char* kMailStages = R"({
  "policy": 1,
  "helo": {"stage": "mail", "reject": ["bare_address", "own_address"], "deny_names": ["*.localdomain", "friend"]},
  "client_resolve": {"stage": "mail", "exempt": {"relay_networks": true},
                     "FAIL": {"code": 550, "text": "${client_name} has no name"}}
})";

const char* kWarn = R"({
  "policy": 1, "mode": "warn",
  "helo": {"reject": ["unqualified", "own_name"]},
  "client_resolve": {"FAIL": {"code": 550, "text": "no"}, "TEMP": {"code": 450, "text": "no"}}
})";

} // namespace

TEST_CASE("gen: every check and exemption, generated rules against the policy's model") {
    check_policy(kEverything, false);
    check_policy(kEverything, true);
}

TEST_CASE("gen: checks at rcpt, own exemptions replacing the global ones") {
    check_policy(kRcptStages, false);
    check_policy(kRcptStages, true);
}

TEST_CASE("gen: both sections at mail") {
    check_policy(kMailStages, false);
    check_policy(kMailStages, true);
}

TEST_CASE("gen: warn mode refuses nothing") {
    Diagnostics diags;
    std::optional<Policy> p = parse_policy(kWarn, "p.json", diags);
    REQUIRE(p);
    McFacts mc;
    std::optional<Generated> g = generate(*p, mc, diags);
    REQUIRE(g);
    std::string cf = std::string(kBase) + emit(g->block, Format::Cf);
    HostInfo host = testing::fixed_host();
    Diagnostics load;
    auto cfg = testing::compile_fixed(cf, load, host);
    REQUIRE(load.empty());
    for (const Client& c : sweep({"LIILXQMAIL01", "mail.example.com"})) {
        CAPTURE(c.s.addr);
        CHECK(play(*cfg, c) == "");
    }
}

TEST_CASE("gen: generating twice gives the same bytes") {
    for (const char* json : {kEverything, kRcptStages, kMailStages, kWarn}) {
        Diagnostics diags;
        std::optional<Policy> p = parse_policy(json, "p.json", diags);
        REQUIRE(p);
        McFacts mc;
        std::string a = emit(generate(*p, mc, diags)->block, Format::M4);
        std::string b = emit(generate(*p, mc, diags)->block, Format::M4);
        CHECK(a == b);
    }
}

} // namespace cfkit::gen
