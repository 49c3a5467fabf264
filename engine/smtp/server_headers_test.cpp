// Header checks after DATA: each field as collect() reads it, errors held
// until the dot (a later error replaces a held one, except a 4xx after a
// 5xx), then check_eoh and check_eom. The replies are those sendmail
// 8.17's daemon sent in testcases/sessions/diff/headers.
#include <doctest/doctest.h>

#include "engine/smtp/server.hpp"
#include "engine/text/textutil.hpp"
#include "engine/testing/test_support.hpp"

namespace cfkit {
namespace {

const char* kCf =
    "V10/Berkeley\n"
    "Mlocal, P=/bin/true, F=lsDFMAw5:/|@qSPfhn9, S=0, R=0, A=mail\n"
    "Mesmtp, P=[IPC], F=mDFMuXa, S=0, R=0, A=TCP $h\n"
    "HSubject: $>Check_Subject\n"
    "HX-Mailer: $>+Check_XMailer\n"
    "HTo: $>Check_To\n"
    "H*: $>+Check_Star\n"
    "S0\n"
    "R$+ @ $+\t\t$#esmtp $@ $2 $: $1 @ $2\n"
    "SCheck_Subject\n"
    "R$* viagra $*\t\t$#error $: 553 No spam please\n"
    "R$* make money fast $*\t$#error $@ 5.7.1 $: \"550 spam phrase in \" $&{hdr_name} \" (\" $&{hdrlen} \")\"\n"
    "R$* quarantine $*\t$#error $@ quarantine $: \"held for review\"\n"
    "R$* temp $*\t\t$#error $@ 4.7.1 $: \"451 try later\"\n"
    "SCheck_XMailer\n"
    "R$* Bulk $*\t\t$#discard $: discard\n"
    "R$* ( $* ) $*\t\t$#error $: 550 comment kept\n"
    "SCheck_To\n"
    "R$* < $* > $*\t\t$: $2\n"
    "R$+ @ bad.example\t$#error $@ 5.7.1 $: \"550 bad recipient \" $1\n"
    "SCheck_Star\n"
    "R$* forbidden $*\t$#error $@ 5.7.0 $: \"554 forbidden in \" $&{hdr_name} \": \" $&{currHeader}\n"
    "Scheck_eoh\n"
    "R$* $| $*\t\t$: $1 $| $2 $| $&{quarantine}\n"
    "R$* $| $* $| $+\t\t$#error $@ 4.7.0 $: \"452 eoh \" $1 \" \" $2 \" [\" $3 \"]\"\n"
    "R9 $| $*\t\t$#error $@ 5.7.0 $: \"554 nine headers\"\n";

// A server set-up without SASL mechanisms (EHLO lists no AUTH).
ServerSetup no_auth() {
    ServerSetup setup;
    setup.sasl_mechs = std::vector<std::string>{};
    setup.now = 1796000000;  // 2026-11-29 04:53:20 UTC
    setup.pid = 4242;
    return setup;
}

std::string queue_id_of(SmtpServer& srv) {
    const std::string* i = srv.session().env.macros.get(static_cast<MacroId>('i'));
    return i ? *i : std::string();
}

// The reply to the dot, its queue id (this envelope's $i) as QUEUEID.

std::string message_reply(SmtpServer& srv, const std::vector<std::string>& msg) {
    srv.command("MAIL FROM:<a@client.example>");
    srv.command("RCPT TO:<u@dest.example>");
    SmtpReply d = srv.command("DATA");
    REQUIRE(srv.in_data());
    std::string id = queue_id_of(srv);
    REQUIRE(id.size() == 14);
    std::vector<std::string> lines = srv.message(msg).lines;
    REQUIRE(lines.size() == 1);
    std::size_t at = lines[0].find(id);
    return at == std::string::npos ? lines[0] : lines[0].replace(at, id.size(), "QUEUEID");
}

TEST_CASE("sessions: $i is the envelope's queue id, new for each transaction") {
    Diagnostics diags;
    auto cfg = testing::compile_fixed(kCf, diags);
    REQUIRE(diags.empty());
    SmtpServer srv(*cfg, no_auth());
    srv.connect(ClientInfo{"192.0.2.10", 0});
    std::string first = queue_id_of(srv);
    // assign_queueid(): year, month, day, hour, minute, second, the
    // sequence number ((pid ^ now) % 3600 at first) and the pid
    CHECK(first == queue_id(1796000000, (4242 ^ 1796000000) % 3600, 4242));
    srv.command("EHLO client.example");
    CHECK(message_reply(srv, {"Subject: one", ""}) == "250 2.0.0 QUEUEID Message accepted for delivery");
    std::string second = queue_id_of(srv);
    CHECK(second == queue_id(1796000000, (4242 ^ 1796000000) % 3600 + 1, 4242));
}

TEST_CASE("sessions: header checks decide the reply after the dot") {
    struct Row {
        const char* what;
        std::vector<std::string> msg;
        const char* reply;
    };
    const char* ok = "250 2.0.0 QUEUEID Message accepted for delivery";
    const std::vector<Row> rows = {
        {"no check matches", {"Subject: hello", "Comments: viagra", "", "body"}, ok},
        {"$#error without $@", {"Subject: buy viagra now", "", "body"}, "553 5.0.0 No spam please"},
        {"a folded field is checked whole; {hdrlen} counts its newlines",
         {"Subject: how to make money", "\tfast", " and easy", "", "body"},
         "550 5.7.1 spam phrase in Subject (34)"},
        {"$>+ keeps comments", {"X-Mailer: Foo (bar) 2.0", ""}, "550 5.0.0 comment kept"},
        {"$> strips them", {"Subject: hello (viagra)", ""}, ok},
        {"a recipient field: the address in angle brackets", {"To: Joe <joe@bad.example>", ""},
         "550 5.7.1 bad recipient joe"},
        {"discard: accepted", {"X-Mailer: Bulk Sender 3", ""}, ok},
        {"discard does not undo a later error", {"X-Mailer: Bulk Sender 3", "Subject: viagra", ""},
         "553 5.0.0 No spam please"},
        {"a 4xx", {"Subject: temp failure", ""}, "451 4.7.1 try later"},
        {"a later 5xx replaces a held 4xx", {"Subject: temp failure", "To: joe@bad.example", ""},
         "550 5.7.1 bad recipient joe"},
        {"a later 4xx does not replace a 5xx", {"Subject: viagra", "Subject: temp again", ""},
         "553 5.0.0 No spam please"},
        {"a later 5xx replaces a 5xx", {"Subject: viagra", "To: joe@bad.example", ""},
         "550 5.7.1 bad recipient joe"},
        {"quarantine: accepted, {quarantine} set for check_eoh", {"Subject: please quarantine this", ""},
         "452 4.7.0 eoh 1 33 [held for review]"},
        {"check_eoh after the fields: its error replaces theirs",
         {"A: 1", "B: 2", "C: 3", "D: 4", "E: 5", "F: 6", "G: 7", "H: 8", "Subject: temp", ""},
         "554 5.7.0 nine headers"},
        {"H* with {currHeader}: tabs and newlines as blanks", {"X-Note: a", "\tforbidden", "  word", ""},
         "554 5.7.0 forbidden in X-Note:  a  forbidden   word"},
        {"a field after the end of the header is not checked", {"Subject: fine", "no colon", "Subject: viagra", ""},
         ok},
    };
    for (const Row& r : rows) {
        CAPTURE(std::string(r.what));
        Diagnostics diags;
        auto cfg = testing::compile_fixed(kCf, diags);
        REQUIRE(diags.empty());
        SmtpServer srv(*cfg, no_auth());
        srv.connect(ClientInfo{"192.0.2.10", 0});
        srv.command("EHLO client.example");
        CHECK(message_reply(srv, r.msg) == std::string(r.reply));
        // the next transaction starts clean: no held error, no discard, no quarantine
        CHECK(message_reply(srv, {"Subject: fine", ""}) == std::string(ok));
    }
}

} // namespace
} // namespace cfkit

namespace cfkit {
namespace {

TEST_CASE("sessions: MaxMessageSize's 552 comes after check_eoh and replaces its error") {
    struct Row {
        const char* what;
        std::vector<std::string> msg;
        const char* reply;
    };
    const std::vector<Row> rows = {
        {"exactly at the limit (newlines counted)", {"Subject: hello", "", "01234567890123456789012"},
         "250 2.0.0 QUEUEID Message accepted for delivery"},
        {"one byte over", {"Subject: hello", "", "012345678901234567890123"},
         "552 5.2.3 Message exceeds maximum fixed size (40)"},
        {"over, after a header check's 553", {"Subject: viagra", "", "0123456789012345678901234567"},
         "552 5.2.3 Message exceeds maximum fixed size (40)"},
    };
    for (const Row& r : rows) {
        CAPTURE(std::string(r.what));
        Diagnostics diags;
        auto cfg = testing::compile_fixed(std::string(kCf) + "O MaxMessageSize=40\n", diags);
        REQUIRE(diags.empty());
        SmtpServer srv(*cfg, no_auth());
        srv.connect(ClientInfo{"192.0.2.10", 0});
        srv.command("EHLO client.example");
        CHECK(message_reply(srv, r.msg) == std::string(r.reply));
    }
}

} // namespace
} // namespace cfkit
