// The generator's second representation: the lines it will write, as a
// small AST. generate.cpp builds it from a Policy; emit.cpp writes it as m4
// (for sendmail.mc) or as .cf text. Every piece of text a user wrote is
// marked, so that quoting for m4 and escaping for sendmail happen in one
// place (emit.cpp) and never by pasting strings.
#pragma once

#include <string>
#include <vector>

namespace cfkit::gen {

// A piece of a line.
struct Text {
    enum class Kind {
        Fixed,   // cfkit's own text: rule operators, names it chose
        Word,    // a word from the policy (a class member, a tag): m4-quoted, '#' escaped
        String,  // a reply text from the policy: a sendmail quoted string, m4-quoted
    };
    Kind kind = Kind::Fixed;
    std::string s;
};

inline Text fixed(std::string s) { return {Text::Kind::Fixed, std::move(s)}; }
inline Text word(std::string s) { return {Text::Kind::Word, std::move(s)}; }
inline Text quoted(std::string s) { return {Text::Kind::String, std::move(s)}; }

struct Line {
    enum class Kind {
        Comment,  // "# text"
        Class,    // C{name}word word ...
        Map,      // Kname class args
        Ruleset,  // Sname
        Rule,     // R lhs TAB rhs
    };
    Kind kind = Kind::Comment;
    std::string name;         // Class, Map, Ruleset
    std::vector<Text> items;  // Comment: the text; Class: the words; Map: class and args; Rule: the LHS
    std::vector<Text> rhs;    // Rule
};

// What cfkit gen writes: lines for LOCAL_CONFIG and for LOCAL_RULESETS.
struct Block {
    std::string source;           // the policy file, named in the header
    std::vector<Line> config;     // LOCAL_CONFIG
    std::vector<Line> rulesets;   // LOCAL_RULESETS
};

} // namespace cfkit::gen
