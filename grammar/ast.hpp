// The first of cfkit's three representations: a .cf file exactly as written.
//
// grammar/cf_parser.cpp builds it with PEGTL; engine/config/compile.cpp turns it into
// compiled rulesets (engine/config/config.hpp). Nothing here knows sendmail's
// semantics beyond how a line is split into fields, and nothing here includes
// PEGTL, so engine/ and tools/ can use it freely.
#pragma once

#include <string>
#include <vector>

namespace cfkit {

// A position in a source file. Lines and columns count from 1; column counts
// bytes. `line` is the physical line where the thing starts.
struct SourceLoc {
    std::string file;
    int line = 0;
    int column = 0;
};

// A piece of a line: its text (after comment removal, see comments.hpp) and
// where that text starts in the file.
struct Field {
    std::string text;
    SourceLoc loc;
    bool present = false;
};

// Line kinds, one per key letter sendmail's readcf() dispatches on.
enum class LineKind {
    Blank,      // empty or only a comment
    Comment,    // '#' in column 1
    Version,    // V
    Define,     // D  (macro)
    Class,      // C  (class words)
    FileClass,  // F  (class from file / program / map)
    Ruleset,    // S
    Rule,       // R
    Map,        // K
    Mailer,     // M
    Option,     // O
    Header,     // H
    Priority,   // P
    Env,        // E
    Queue,      // Q
    Trusted,    // T
    Milter,     // X
    Unknown,    // anything else (L and G included: not compiled into 8.17 here)
};

const char* line_kind_name(LineKind k);

// One logical line: a physical line plus its continuation lines (those that
// start with a space or a TAB). Sendmail numbers a logical line by its *last*
// physical line in messages; `report_line` holds that number.
struct CfLine {
    LineKind kind = LineKind::Blank;
    SourceLoc loc;          // first byte of the logical line
    int report_line = 0;    // the line number sendmail prints for this line
    std::string raw;        // the logical line as read (CR LF -> LF, fold LFs kept)
    std::string text;       // `raw` after '#' comments and trailing white space are removed
    int config_level = 0;   // the V level in force when this line was read

    // Fields; which are present depends on `kind`.
    Field name;     // D/C/F: macro or class name; K: map name; M: mailer name;
                    // O: option name (one letter, or the long name)
    Field value;    // the rest after the name (D/C/F/K/M/O/V/S/H/P/E/Q/T/X)
    Field lhs;      // R
    Field rhs;      // R
    Field comment;  // R: text after the TAB that ends the RHS

    // R lines without a TAB between LHS and RHS (sendmail: "tab expected").
    bool missing_tab = false;
};

struct CfFile {
    std::string path;
    std::vector<CfLine> lines;
};

} // namespace cfkit
