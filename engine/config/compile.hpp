// AST -> Config: what sendmail's readcf() does with each line, and what
// main.c does right before and after reading (start-up macros and classes,
// post-read warnings). Messages go to the Reporter in file order, in
// sendmail's words.
#pragma once

#include <memory>

#include "engine/config/config.hpp"
#include "engine/names/hostinfo.hpp"
#include "engine/text/debug_flags.hpp"
#include "grammar/ast.hpp"

namespace cfkit {

struct CompileOptions {
    HostInfo host;             // $j $w $m $k and $=w before the file is read
    bool test_mode = true;     // -bt: "WARNING: Ruleset ... has multiple definitions"
    std::string display_path;  // the name messages use ("-C" argument as given)
    // -O options from the command line: set before the file is read, and
    // the file cannot change them (sendmail's sticky options).
    std::vector<std::string> sticky_options;  // "Name=value"
    // -d flags from the command line: category 0 prints sendmail's start-up
    // lines (build, host names, identity) through the reporter, in order.
    DebugLevels debug{};
};

std::unique_ptr<Config> compile_cf(const CfFile& file, const CompileOptions& opt, Reporter& rep);

// The first tokenization fixes the operator characters; later callers
// (a -bt session on a file with no R lines) use this to fix them.
TokenTables freeze_token_tables(const Options& options, int config_level, const Env& env);

} // namespace cfkit
