// What the .cf checks and the .mc checks share: making a finding, a text's
// lines, and the "cfkit-lint: disable=ID[,ID] reason" comments.
#pragma once

#include <string>
#include <vector>

#include "engine/lint/lint.hpp"

namespace cfkit {

// A finding of check `id` (its level and summary from the table).
LintFinding make_finding(const std::string& id, const SourceLoc& loc, const std::string& message);

// `text` cut at its newlines.
std::vector<std::string> text_lines(const std::string& text);

struct Suppression {
    SourceLoc loc;       // where the comment is
    int target = 0;      // the line whose findings it drops
    std::string id;
    bool used = false;
};

// The ids after `key` in `line` (none when it is not there), each a
// Suppression at `loc` (its column set to the key's) covering line `target`.
void read_suppressions(const std::string& line, const std::string& key, SourceLoc loc, int target,
                       std::vector<Suppression>& out);

// Drops the findings a suppression covers (same file, line and check), then
// adds an unused-suppression finding for each that covered nothing (unless
// --disable turns that check off).
void apply_suppressions(std::vector<LintFinding>& findings, std::vector<Suppression>& sups, const LintOptions& options);

} // namespace cfkit
