// Reads a .cf file into the AST (ast.hpp). Every byte sequence is accepted:
// sendmail reports bad lines and goes on, and so does cfkit, but the reports
// are made by engine/config/compile.cpp, which knows sendmail's words for them.
#pragma once

#include <string>
#include <string_view>

#include "grammar/ast.hpp"

namespace cfkit {

CfFile parse_cf(std::string_view content, const std::string& path);

} // namespace cfkit
