// The SASL pieces the AUTH exchange uses. Decoding follows what Debian's
// libsasl2 2.1.28 sasl_decode64() returned for the same inputs; the AUTH
// replies themselves are checked against the daemon (testcases/sessions/diff/auth).
#include <doctest/doctest.h>

#include "engine/smtp/sasl.hpp"

namespace cfkit {
namespace {

TEST_CASE("sasl_decode64: complete, padded groups only") {
    struct Row {
        const char* in;
        std::optional<std::string> out;
    } rows[] = {
        {"", std::string()},
        {"YWxpY2U=", std::string("alice")},
        {"AGFsaWNlAHNlY3JldA==", std::string("\0alice\0secret", 13)},
        {"YWxpY2U", std::nullopt},     // padding missing
        {"YWxp Y2U=", std::nullopt},   // a blank
        {"YW==YWxp", std::nullopt},    // data after the padding
        {"!!!!", std::nullopt},        // not base64
        {"Y===", std::nullopt},        // '=' too early
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        CHECK(sasl_decode64(r.in) == r.out);
    }
    CHECK(base64_encode(std::string("\0alice\0secret", 13)) == "AGFsaWNlAHNlY3JldA==");
    CHECK(base64_encode("alice") == "YWxpY2U=");
}

TEST_CASE("xtextify: {auth_authen} and the certificate macros") {
    CHECK(xtextify("alice", "=<>\")") == "alice");
    CHECK(xtextify("a=b c", "=<>\")") == "a+3Db+20c");
    CHECK(xtextify("/O=Example Client", "<>\")") == "/O=Example+20Client");
    CHECK(xtextify("x+y\\(z)", "<>\")") == "x+2By+5C+28z+29");
}

TEST_CASE("SaslAccounts: user and realm as Cyrus splits them") {
    SaslAccounts a;
    CHECK(a.empty());
    a.add("alice", "secret");
    a.add("carol@other.example", "pw");
    CHECK(!a.empty());
    CHECK(a.check("alice", "Mail.Example.COM", "secret"));
    CHECK(a.check("alice@mail.example.com", "mail.example.com", "secret"));
    CHECK(!a.check("alice@MAIL.example.com", "mail.example.com", "secret"));  // the realm as written
    CHECK(!a.check("ALICE", "mail.example.com", "secret"));                   // user names: case counts
    CHECK(!a.check("alice", "mail.example.com", "secret "));
    CHECK(a.check("carol@other.example", "mail.example.com", "pw"));
    CHECK(!a.check("carol", "mail.example.com", "pw"));
}

} // namespace
} // namespace cfkit
