#include "engine/text/token_pool.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cfkit {

TEST_CASE("token pool: one id per text, folds compare like sendmail's matcher") {
    TokenPool pool;
    struct Row {
        std::string a, b;
        bool same_id, same_fold;
    };
    const Row rows[] = {
        {"example", "example", true, true},
        {"Example", "EXAMPLE", false, true},
        {"example", "examples", false, false},
        {"", "", true, true},
        {"\x91", "\x91", true, true},           // `$+` keeps its meta byte
        {"\xC4X", "\xC4x", false, true},         // only ASCII A-Z is folded
        {"\xC4", "\xE4", false, false},          // 8-bit letters are not
        {"[", "{", false, false},                // 0x5B is no letter
    };
    for (const Row& r : rows) {
        CAPTURE(r.a);
        CAPTURE(r.b);
        TokId a = pool.intern(r.a), b = pool.intern(r.b);
        CHECK((a == b) == r.same_id);
        CHECK((pool.fold(a) == pool.fold(b)) == r.same_fold);
        CHECK(pool.text(a) == r.a);
        CHECK(pool.first(a) == (r.a.empty() ? 0 : static_cast<unsigned char>(r.a[0])));
        if (r.same_fold) CHECK(pool.bit(a) == pool.bit(b));
    }
}

TEST_CASE("token pool: texts and ids stay put while it grows") {
    TokenPool pool;
    TokId first = pool.intern("Hello");
    const std::string& text = pool.text(first);
    for (int i = 0; i < 20000; ++i) pool.intern("tok" + std::to_string(i));
    CHECK(text == "Hello");
    CHECK(pool.intern("Hello") == first);
    CHECK(pool.intern("tok12345") == pool.intern(std::string("tok") + "12345"));
    CHECK(pool.text(pool.fold(first)) == "hello");
    CHECK(pool.size() == 20002);  // "Hello", "hello" and the 20,000
}

TEST_CASE("token pool: marks and printability by the text") {
    TokenPool pool;
    struct Row {
        std::string text;
        unsigned char marks;
        bool plain;
    };
    const Row rows[] = {
        {"user", 0, true},
        {"\x85", TokenPool::kMarkLookup, false},   // `$(`
        {"\x9d", TokenPool::kMarkLookup, false},   // `$[`
        {"\x99", TokenPool::kMarkCall, false},     // `$>`
        {"\x86", 0, false},                        // `$)`: nothing to look for
        {"\"quoted\"", TokenPool::kMarkQuoted, true},
        {"back\\slash", TokenPool::kMarkQuoted, true},
        {"\x99\"x", TokenPool::kMarkCall | TokenPool::kMarkQuoted, false},
        {"tab\there", 0, false},
        {"\x7e", 0, true},                         // '~' is printable, DEL is not
        {"\x7f", 0, false},
        {"", 0, true},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        TokId id = pool.intern(r.text);
        CHECK(pool.marks(id) == r.marks);
        CHECK(pool.plain(id) == r.plain);
    }
}

TEST_CASE("token pool: growing while the folded form is interned") {
    // Mixed-case texts intern their folded form first; with the table near
    // its limit that inner intern grows it, and the outer insert must still
    // land in the grown table.
    TokenPool pool;
    std::vector<TokId> ids;
    for (int i = 0; i < 5000; ++i) ids.push_back(pool.intern("Tok" + std::to_string(i)));
    for (int i = 0; i < 5000; ++i) {
        CAPTURE(i);
        REQUIRE(pool.intern("Tok" + std::to_string(i)) == ids[static_cast<std::size_t>(i)]);
        REQUIRE(pool.text(pool.fold(ids[static_cast<std::size_t>(i)])) == "tok" + std::to_string(i));
        REQUIRE(pool.intern("tok" + std::to_string(i)) == pool.fold(ids[static_cast<std::size_t>(i)]));
    }
    CHECK(pool.size() == 10000);
}

TEST_CASE("token pool: interning a token list and back") {
    Tokens toks{"user", "@", "Example", ".", "COM"};
    IdTokens ids = intern_tokens(toks);
    REQUIRE(ids.size() == 5);
    CHECK(token_texts(ids) == toks);
    CHECK(token_pool().fold(ids[2]) == token_pool().intern("example"));
}

} // namespace cfkit
