// Writing the generator's rule AST (rule_ast.hpp) as text: m4 to paste into
// sendmail.mc, or the .cf lines m4 would make of it. Quoting lives here
// alone: for m4 (sendmail-cf turns m4 comments off, so every word a user
// wrote is quoted, apostrophes and backquotes included) and for sendmail
// (a '#' starts a comment anywhere in a .cf line; '"' and '\' are escaped
// in quoted strings).
#pragma once

#include <string>

#include "rulesets/rule_ast.hpp"

namespace cfkit::gen {

enum class Format { M4, Cf };

std::string emit(const Block& b, Format f);

// One text in m4 quotes that m4 gives back unchanged: `...', with each
// apostrophe and backquote of `s` written so that it survives.
std::string m4_quote(const std::string& s);

// `s` with every byte outside printable ASCII as '?': for file names in
// comment lines, where a newline would end the comment.
std::string printable(const std::string& s);

// Escapes for a sendmail .cf line: '#' (a comment start) and, inside a
// quoted string, '"' and '\'.
std::string cf_word(const std::string& s);
std::string cf_string(const std::string& s);  // with the double quotes

} // namespace cfkit::gen
