// collect()'s reading of a message header, with the counts sendmail 8.17
// gave check_eoh in testcases/sessions/diff/headers (eoh-order, header-end).
#include <doctest/doctest.h>

#include "engine/smtp/collect.hpp"

namespace cfkit {
namespace {

TEST_CASE("is_header: one word, blanks, a colon") {
    struct Row {
        const char* line;
        bool want;
    };
    const Row rows[] = {
        {"Subject: x", true},  {"Subject  : x", true}, {"Subject:", true},     {"X-A.b_c: x", true},
        {"Subject x: y", false}, {" Subject: x", false}, {": x", false},      {"--X: x", false},
        {"-X: x", true},       {"no colon", false},    {"", false},            {"Sub\x80ject: x", false},
        {"A\t: x", true},
    };
    for (const Row& r : rows) {
        CAPTURE(std::string(r.line));
        CHECK(is_header(r.line) == r.want);
    }
}

TEST_CASE("collect_message: fields, where the header ends, hdrslen and the size") {
    struct Row {
        const char* what;
        std::vector<std::string> wire;
        long max;
        std::vector<std::string> fields;
        std::size_t header_bytes;
        std::size_t size;
        bool too_large;
    };
    const std::string name100 = "X" + std::string(99, 'a');
    const std::string name101 = "X" + std::string(100, 'a');
    const std::vector<Row> rows = {
        {"blank line: counted in the header bytes", {"Subject: hi", "", "body"}, 0, {"Subject: hi"}, 13, 18, false},
        {"continuation lines join with newlines", {"Subject: hi", " folded", "X-Show: 1", ""}, 0,
         {"Subject: hi\n folded", "X-Show: 1"}, 31, 31, false},
        {"a tab continues too", {"Subject: a", "\tb", ""}, 0, {"Subject: a\n\tb"}, 15, 15, false},
        {"no blank line: the first body line counts", {"X-Show: 1", "body starts without a blank line", "Subject: x"},
         0, {"X-Show: 1"}, 43, 54, false},
        {"headers only", {"Subject: only headers, no blank line, no body", "X-Show: 1"}, 0,
         {"Subject: only headers, no blank line, no body", "X-Show: 1"}, 56, 56, false},
        {"a UNIX From line is skipped, its bytes count",
         {"From alice@client.example.net Tue Dec  1 05:00:00 2026", "X-Show: 1", ""}, 0, {"X-Show: 1"}, 66, 66,
         false},
        {"From without the blank is a header", {"From: a@b", ""}, 0, {"From: a@b"}, 11, 11, false},
        {"a name of 101 characters ends the header", {"Subject: a", name101 + ": x", "Subject: b"}, 0,
         {"Subject: a"}, 11 + 105, 127, false},
        {"a name of 100 characters does not", {name100 + ": x", ""}, 0, {name100 + ": x"}, 105, 105, false},
        {"Message: ends the header", {"Message: x", "Subject: b", ""}, 0, {}, 11, 23, false},
        {"a blank first line is body", {" Subject: x", ""}, 0, {}, 12, 13, false},
        {"a leading dot is removed", {"..Subject: x", ".", "body"}, 0, {".Subject: x"}, 13, 18, false},
        {"a dotted line does not continue a field", {"Subject: a", ". b", ""}, 0, {"Subject: a"}, 14, 15, false},
        {"MaxHeadersLength: the field that crosses it is not read", {"A: 1", "B: 22", "C: 3", ""}, 8, {"A: 1"}, 9,
         17, true},
        {"exactly at the limit", {"A: 1", ""}, 6, {"A: 1"}, 6, 6, false},
    };
    HeaderTable table;
    for (const Row& r : rows) {
        CAPTURE(std::string(r.what));
        CollectedMessage m = collect_message(r.wire, table, r.max);
        CHECK(m.fields == r.fields);
        CHECK(m.header_bytes == r.header_bytes);
        CHECK(m.size == r.size);
        CHECK(m.too_large == r.too_large);
    }
}

} // namespace
} // namespace cfkit
