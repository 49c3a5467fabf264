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

TEST_CASE("macro names: copies share the known names and each allocates its own after") {
    MacroNames base;
    MacroId client = *base.intern("client_addr");  // 0xA2, after deliveryMode and load_avg
    CHECK(client == 0xA2);
    MacroNames a = base;
    MacroNames b = base;
    // each copy goes on from the same next id, as each daemon child does
    CHECK(*a.intern("auth_type") == 0xA3);
    CHECK(*b.intern("verify") == 0xA3);
    CHECK(*a.find("auth_type") == 0xA3);
    CHECK_FALSE(b.find("auth_type"));
    CHECK_FALSE(base.find("verify"));
    CHECK(a.name_of(0xA3) == "auth_type");
    CHECK(b.name_of(0xA3) == "verify");
    CHECK(base.name_of(0xA3).empty());
    CHECK(a.display(0xA3) == "{auth_type}");
    CHECK(*a.intern("client_addr") == client);
    // many more names: the copy folds them into a table of its own, same ids
    for (int i = 0; i < 60; ++i) a.intern("n" + std::to_string(i));
    CHECK(*a.find("n0") == 0xA4);
    CHECK(*a.find("n59") == 0xA4 + 59);
    CHECK(a.name_of(0xA4 + 59) == "n59");
    CHECK(*a.find("auth_type") == 0xA3);
    CHECK_FALSE(base.find("n0"));
    CHECK_FALSE(b.find("n0"));
    // until the 96 long ids are used up
    for (int i = 60; i < 96; ++i) a.intern("n" + std::to_string(i));
    CHECK_FALSE(a.intern("one_too_many"));
    CHECK(*b.intern("still_room") == 0xA4);
}

} // namespace
} // namespace cfkit
