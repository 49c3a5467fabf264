// The sendmail binary cfkit stands in for, Debian's build of 8.17.1.9: what
// its -d0.x start-up lines say about how it was compiled.
#pragma once

#include <string>
#include <vector>

#include "engine/text/debug_flags.hpp"

namespace cfkit {

// The lines sendmail prints before it reads the file: -d0.1 version and
// compile options, -d0.10 OS defines and default paths, -d0.12 libsm,
// -d0.13 FFR defines, -d0.14 OpenSSL versions.
std::vector<std::string> build_info_lines(const DebugLevels& debug);

// sm_printoptions(): names wrapped after 63 columns, continuation lines
// indented with two tabs; `label` starts the first line.
std::vector<std::string> print_options(const std::string& label, const std::vector<const char*>& names);

} // namespace cfkit
