// Classes share their data between copies until one changes: each side
// must still see only its own changes.
#include <doctest/doctest.h>

#include "engine/text/symbols.hpp"

namespace cfkit {
namespace {

TEST_CASE("classes: a copy and its original each keep their own changes") {
    Classes base;
    base.add('w', "mail.example.com");
    base.add('w', "Mail");
    Classes a = base;
    Classes b = base;
    a.add('w', "extra.example");
    a.copy('w', 'R');
    b.add('x', "other");
    CHECK(base.dump('w') == std::vector<std::string>{"mail.example.com", "Mail"});
    CHECK(base.empty('R'));
    CHECK_FALSE(base.contains('w', "extra.example"));
    CHECK_FALSE(base.contains('x', "other"));
    CHECK(a.contains('w', "EXTRA.example"));
    CHECK(a.contains('R', "mail"));
    CHECK(a.max_length('w') == std::string("mail.example.com").size());
    CHECK_FALSE(a.contains('x', "other"));
    CHECK(b.contains('x', "Other"));
    CHECK_FALSE(b.contains('w', "extra.example"));
    CHECK(b.empty('R'));
    // the original changed after the copies were made: they do not see it
    base.add('w', "late.example");
    CHECK_FALSE(a.contains('w', "late.example"));
    CHECK_FALSE(b.contains('w', "late.example"));
    CHECK(base.may_start_with('w', 'L'));
    CHECK_FALSE(b.may_start_with('w', 'l'));
}

} // namespace
} // namespace cfkit
