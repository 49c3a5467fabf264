// The JSON reader: values with their positions, comments, and every error
// message with the place it points at.
#include <doctest/doctest.h>

#include "grammar/json.hpp"

namespace cfkit {

namespace {

std::string where(const JsonRead& r) {
    if (r.value) return "ok";
    return std::to_string(r.error.loc.line) + ":" + std::to_string(r.error.loc.column) + ": " + r.error.message;
}

} // namespace

TEST_CASE("json: values, positions, comments") {
    JsonRead r = read_json("// policy\n{ \"a\": [1, -2.5e3, true, false, null],\n  /* b */ \"b\": \"x\\u00e9\\n\\ud83d\\ude00\" }\n",
                           "p.json");
    REQUIRE(r.value);
    const JsonValue& v = *r.value;
    CHECK(v.is(JsonValue::Kind::Object));
    CHECK(v.loc.line == 2);
    CHECK(v.loc.column == 1);
    REQUIRE(v.members.size() == 2);
    CHECK(v.members[0].key == "a");
    CHECK(v.members[0].key_loc.column == 3);
    const JsonValue& a = v.members[0].value;
    REQUIRE(a.items.size() == 5);
    CHECK(a.items[0].text == "1");
    CHECK(a.items[1].text == "-2.5e3");
    CHECK(a.items[1].loc.column == 12);
    CHECK(a.items[2].boolean);
    CHECK(!a.items[3].boolean);
    CHECK(a.items[4].is(JsonValue::Kind::Null));
    const JsonMember* b = v.member("b");
    REQUIRE(b);
    CHECK(b->key_loc.line == 3);
    CHECK(b->key_loc.column == 11);
    CHECK(b->value.text == "x\xc3\xa9\n\xf0\x9f\x98\x80");
    CHECK(v.member("c") == nullptr);
}

TEST_CASE("json: a repeated member is kept twice; member() finds the last") {
    JsonRead r = read_json("{\"a\": 1, \"a\": 2}", "p.json");
    REQUIRE(r.value);
    CHECK(r.value->members.size() == 2);
    CHECK(r.value->member("a")->value.text == "2");
}

TEST_CASE("json: errors point where the text goes wrong") {
    struct Case {
        const char* text;
        const char* want;
    };
    const Case cases[] = {
        {"", "1:1: expected a JSON value"},
        {"  // nothing\n", "2:1: expected a JSON value"},
        {"{} x", "1:4: unexpected text after the JSON value"},
        {"[1 2]", "1:4: expected ',' or ']'"},
        {"[1,]", "1:4: expected a value after ','"},
        {"[,1]", "1:2: expected a value or ']'"},
        {"{\"a\" 1}", "1:6: expected ':' after the member name"},
        {"{\"a\":}", "1:6: expected a value after ':'"},
        {"{\"a\": 1,}", "1:9: expected a member name (a string in double quotes) after ','"},
        {"{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}'"},
        {"{a: 1}", "1:2: expected a member name (a string in double quotes) or '}'"},
        {"{\n  \"a\": \"x\n\"}", "2:10: expected '\"' to end the string (control characters and invalid UTF-8 must not appear in it)"},
        {"\"a\\q\"", "1:4: bad escape: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"},
        {"\"\\ud800\"", "1:1: bad \\u escape: a lone UTF-16 surrogate"},
        {"\"\\udc00\"", "1:1: bad \\u escape: a lone UTF-16 surrogate"},
        {"\"\\ud800\\u0041\"", "1:1: bad \\u escape: a lone UTF-16 surrogate"},
        {"1.", "1:3: expected digits after '.'"},
        {"1e+", "1:4: expected digits in the exponent"},
        {"/* open", "1:8: unterminated /* comment (it runs to the end of the file)"},
        {"tru", "1:1: expected a JSON value"},
        {"\"\xff\"", "1:2: expected '\"' to end the string (control characters and invalid UTF-8 must not appear in it)"},
    };
    for (const Case& c : cases) {
        CAPTURE(std::string(c.text));
        JsonRead r = read_json(c.text, "p.json");
        CHECK(where(r) == std::string(c.want));
        CHECK(r.error.loc.file == (r.value ? "" : "p.json"));
    }
}

TEST_CASE("json: nesting is limited") {
    std::string deep(65, '[');
    deep += std::string(65, ']');
    JsonRead r = read_json(deep, "p.json");
    CHECK(where(r) == "1:65: arrays and objects nested more than 64 deep");
    std::string ok(64, '[');
    ok += std::string(64, ']');
    CHECK(read_json(ok, "p.json").value);
}

} // namespace cfkit
