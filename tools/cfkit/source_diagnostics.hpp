// Printing cfkit's own diagnostics for a file the user wrote (DNS records,
// a policy): "file:line:col: error: message", the line, and a caret.
#pragma once

#include <string>

#include "engine/text/diagnostic.hpp"

namespace cfkit {

// The diagnostic as text, with `source`'s line and a caret under the column.
std::string with_source_line(const Diagnostic& d, const std::string& source);

// Each of `diags` to stderr, with_source_line().
void print_diagnostics(const Diagnostics& diags, const std::string& source);

} // namespace cfkit
