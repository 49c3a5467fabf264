// The $#error → SMTP reply table, from replies observed with the real
// sendmail 8.17 daemon (shared/research/testmode-and-smtp.md, B5).
#include <doctest/doctest.h>

#include "engine/mail/reply.hpp"

using namespace cfkit;

TEST_CASE("error mailer results become the replies sendmail sends") {
    struct Row {
        bool has_host;
        const char* host;
        bool has_user;
        const char* user;
        const char* want;
    };
    const std::string to = "<e@x.example>";
    const Row rows[] = {
        {false, "", true, "550 plain text reply", "550 5.0.0 <e@x.example>... plain text reply"},
        {true, "5.7.1", true, "550 dsn from host part", "550 5.7.1 <e@x.example>... dsn from host part"},
        {true, "5.7.1", true, "\"550 quoted text\"", "550 5.7.1 <e@x.example>... quoted text"},
        {false, "", true, "\"553 5.1.8 enh in text\"", "553 5.1.8 <e@x.example>... enh in text"},
        {true, "4.7.1", true, "\"450 tempfail\"", "450 4.7.1 <e@x.example>... tempfail"},
        {true, "4.7.1", true, "no code here", "553 5.3.0 <e@x.example>... no code here"},
        {true, "tempfail", true, "\"451 named code\"", "451 4.0.0 named code"},
        {true, "4.7.0", true, "\"421 shutting down\"", "421 4.7.0 shutting down"},
        {true, "5.7.1", true, "\"550 5.7.0 both enh\"", "550 5.7.0 <e@x.example>... both enh"},
        {true, "4.7.1", true, "\"550 conflicting class\"", "550 4.7.1 <e@x.example>... conflicting class"},
        {true, "75", true, "\"451 numeric exit code\"", "451 4.0.0 numeric exit code"},
        {false, "", true, "\"250 positive code\"", "250 2.0.0 <e@x.example>... positive code"},
        {true, "5.7.1", true, "\"550-multi\"", "553 5.3.0 <e@x.example>... 550-multi"},
        {true, "5.7.1", false, "", "554 5.3.5 buildaddr: no user"},
        {false, "", true, "550", "553 5.3.0 <e@x.example>... 550"},
        {true, "5.7.1", true, "\"554 5.7.1\"\" two quoted\"", "554 5.7.1 two quoted"},
        {true, "nouser", true, "550 named nouser", "550 5.0.0 <e@x.example>... named nouser"},
        {true, "5.1.1", true, "550 5.1.1", "550 5.1.1 <e@x.example>... 5.1.1"},
        {true, "5.7.1", true, "\"550 percent %s here\"", "550 5.7.1 <e@x.example>... percent %s here"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.user);
        CHECK(error_mailer_reply(r.has_host, r.host, r.has_user, r.user, to).line == r.want);
    }
}

TEST_CASE("replies without a current address have no prefix; 4xx is a temporary failure") {
    ErrorReply r = error_mailer_reply(true, "4.7.1", true, "\"450 try later\"", "");
    CHECK(r.line == "450 4.7.1 try later");
    CHECK(r.tempfail);
    CHECK_FALSE(error_mailer_reply(true, "5.7.1", true, "550 no", "").tempfail);
}

TEST_CASE("SoftBounce turns 5 into 4 in the code and the enhanced code") {
    CHECK(error_mailer_reply(true, "5.7.1", true, "550 no", "<a@b>", true).line == "450 4.7.1 <a@b>... no");
}

TEST_CASE("enhanced status codes as isenhsc() reads them") {
    CHECK(enhanced_code_length("5.7.1 text", ' ') == 5);
    CHECK(enhanced_code_length("4.123.456", '\0') == 9);
    // at most 3 digits a part: sendmail reads "4.123.4567" as no code (diff/edge/enhanced-codes)
    CHECK(enhanced_code_length("4.123.4567", '\0') == 0);
    CHECK(enhanced_code_length("5.1234.1 x", ' ') == 0);
    CHECK(enhanced_code_length("3.1.1 x", ' ') == 0);
    CHECK(enhanced_code_length("5.7. x", ' ') == 0);
    CHECK(enhanced_code_length("5.7.1x", ' ') == 0);
}
