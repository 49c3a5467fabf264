// cfkit lint: the mistakes in a .cf that load fine (or that sendmail only
// reports in words that do not say what to do), found from the file as
// written (the AST, for positions and text) and as compiled (rulesets,
// classes, maps). Returns findings; printing them is the program's job.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "grammar/ast.hpp"

namespace cfkit {

// One kind of finding: a stable id (SARIF's rule id, --disable's
// argument), how bad it is, and what it means.
struct LintCheck {
    const char* id;
    Severity severity;
    const char* summary;  // one line
    const char* help;     // why it matters and what to do
};

// Every check, in the order they are documented.
const std::vector<LintCheck>& lint_checks();
const LintCheck* find_lint_check(const std::string& id);

struct LintFinding {
    std::string id;
    Diagnostic diag;   // severity, position (file, line, column) and message
    std::string hint;  // what to change
    // With LintOptions::explain, for the checks the engine can show: the
    // ruleset run on a sample address and what sendmail says about it.
    std::string evidence;
};

struct LintOptions {
    std::set<std::string> disabled;  // --disable ID
    bool explain = false;            // --explain: run the rules that show a finding
};

// The findings for `ast` compiled into `cfg`; `load` holds the messages
// sendmail itself gives while reading the file (they become findings too).
// A comment "cfkit-lint: disable=ID[,ID] [reason]" on a line turns those
// checks off for that line; one that turns nothing off is a finding.
std::vector<LintFinding> lint_config(const CfFile& ast, const Config& cfg, const Diagnostics& load,
                                     const LintOptions& options);

// The m4 hazards of a .mc's own text (`path`, `text`): macros in # comments,
// .cf lines inside divert(-1), comment lines without dnl in the blocks m4
// copies to the .cf. Positions are the .mc's.
std::vector<LintFinding> lint_mc(const std::string& path, const std::string& text, const LintOptions& options);

// A .mc's "dnl cfkit-lint: disable=ID[,ID] reason": the findings at the
// .mc's `path` on that line (or, for a line that is only the dnl comment,
// on the next) are dropped; a suppression that drops nothing is a finding.
void apply_mc_suppressions(std::vector<LintFinding>& findings, const std::string& path, const std::string& text,
                           const LintOptions& options);

} // namespace cfkit
