// MAIL/RCPT argument syntax and HELP, with the messages the real sendmail
// 8.17 daemon sends (testcases/sessions/diff/access/*.expected hold the
// transcripts these rows were checked against).
#include <doctest/doctest.h>

#include "engine/smtp/esmtp_params.hpp"

using namespace cfkit;

TEST_CASE("skipword: the FROM:/TO: word and its messages") {
    struct Row {
        const char* text;
        const char* word;
        const char* rest;   // nullptr: an error
        const char* error;
    };
    const Row rows[] = {
        {"FROM:<a@b>", "from", "<a@b>", ""},
        {"from: <a@b> SIZE=1", "from", "<a@b> SIZE=1", ""},
        {"From :<a@b>", "from", "<a@b>", ""},
        {"TO:", "to", nullptr, "501 5.5.2 Syntax error in parameters scanning \"TO\""},
        {"TO:   ", "to", nullptr, "501 5.5.2 Syntax error in parameters scanning \"TO\""},
        {"<a@b>", "from", nullptr, "501 5.5.2 Syntax error in parameters scanning \"<a@b>\""},
        {"FROM <a@b>", "from", nullptr, "501 5.5.2 Syntax error in parameters scanning \"FROM\""},
        {"TO:<a@b>", "from", nullptr, "501 5.5.2 Syntax error in parameters scanning \"TO\""},
        {"", "to", nullptr, "501 5.5.2 Syntax error in parameters scanning \"\""},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        SkipWord s = skip_word(r.text, r.word);
        if (r.rest) {
            REQUIRE(s.rest);
            CHECK(*s.rest == r.rest);
        } else {
            CHECK(!s.rest);
            CHECK(s.error == r.error);
        }
    }
}

TEST_CASE("ESMTP parameters of MAIL and RCPT") {
    struct Row {
        bool mail;
        const char* params;
        const char* error;  // of the first failing parameter, "" if none fails
    };
    const Row rows[] = {
        {true, "SIZE=1000 BODY=8BITMIME", ""},
        {true, "FOO=bar", "555 5.5.4 FOO parameter unrecognized"},
        {true, "BODY=9BIT", "501 5.5.4 Unknown BODY type 9BIT"},
        {true, "BODY", "501 5.5.2 BODY requires a value"},
        {true, "SIZE", "501 5.5.2 SIZE requires a value"},
        {true, "SIZE=-5", "552 5.2.3 Message size invalid"},
        {true, "RET=HDRS ENVID=abc", ""},
        {true, "RET=HDRS RET=FULL", "501 5.5.0 Duplicate RET parameter"},
        {true, "RET=SOME", "501 5.5.2 Bad argument \"SOME\" to RET"},
        {true, "ENVID=a+2", "501 5.5.4 Syntax error in ENVID parameter value"},
        {true, "ENVID=a+2B ENVID=b", "501 5.5.0 Duplicate ENVID parameter"},
        {true, "BY=120;R", ""},
        {true, "BY=0;R", "501 5.5.4 mode R requires BY time > 0"},
        {true, "BY=10", "501 5.5.2 BY= missing ';'"},
        {true, "BY=10;X", "501 5.5.2 illegal by-mode 'X'"},
        {true, "BY=10;NX", "501 5.5.2 illegal by-trace 'X'"},
        {true, "AUTH=<>", ""},
        {false, "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root@mail.example.com", ""},
        {false, "NOTIFY=BOGUS", "501 5.5.4 Bad argument \"BOGUS\"  to NOTIFY"},
        {false, "NOTIFY=SUCCESS,NEVER", "501 5.5.4 Bad argument \"NEVER\"  to NOTIFY"},
        {false, "NOTIFY=NEVER", ""},
        {false, "FOO", "555 5.5.4 FOO parameter unrecognized"},
        {false, "ORCPT=rfc822", "501 5.5.4 Syntax error in ORCPT parameter value"},
        {false, "ORCPT=rfc822;a ORCPT=rfc822;b", "501 5.5.0 Duplicate ORCPT parameter"},
        {false, "SIZE=10", "555 5.5.4 SIZE parameter unrecognized"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.params);
        EsmtpState st;
        bool orcpt = false;
        std::string got;
        for (const EsmtpParam& p : split_esmtp_params(r.params)) {
            got = r.mail ? mail_param(p, st) : rcpt_param(p, st, orcpt);
            if (!got.empty()) break;
        }
        CHECK(got == r.error);
    }
}

TEST_CASE("HELP from a help file") {
    const std::string file = "#vers\t2\n"
                             "smtp\tThis is sendmail version $v\n"
                             "smtp\tTopics:\n"
                             "mail\tMAIL From:<sender>\n"
                             "rcpt\tRCPT To:<recipient>\n";
    auto expand = [](const std::string& l) {
        std::string out = l;
        std::size_t at = out.find("$v");
        if (at != std::string::npos) out.replace(at, 2, "8.17.1.9");
        return out;
    };
    using V = std::vector<std::string>;
    CHECK(help_reply(file, "", "8.17.1.9", expand) ==
          V{"214-2.0.0 This is sendmail version 8.17.1.9", "214-2.0.0 Topics:", "214 2.0.0 End of HELP info"});
    CHECK(help_reply(file, "MAIL", "8.17.1.9", expand) ==
          V{"214-2.0.0 MAIL From:<sender>", "214 2.0.0 End of HELP info"});
    CHECK(help_reply(file, "nosuchtopic", "8.17.1.9", expand) == V{"504 5.3.0 HELP topic \"nosuchtopi\" unknown"});
    // a file without a version line: sendmail announces itself first
    CHECK(help_reply(std::string("smtp\tHello\n"), "", "8.17.1.9", expand) ==
          V{"214-2.0.0 This is Sendmail version 8.17.1.9", "214-2.0.0 Hello", "214 2.0.0 End of HELP info"});
    CHECK(help_reply(std::nullopt, "", "8.17.1.9", expand) == V{"502 5.3.0 Sendmail 8.17.1.9 -- HELP not implemented"});
}
