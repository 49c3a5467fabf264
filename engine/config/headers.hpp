// Header fields (headers.c): what sendmail knows about each field name
// (conf.c's HdrInfo table plus `H` lines that name a check ruleset), the
// default headers of `H` lines, and chompheader() for a header a user
// gives: its flags, and the header check ruleset it calls.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cfkit {

// H_* flag bits as sendmail defines them (test mode prints them).
enum HeaderFlag : unsigned long {
    kHEoh = 0x1, kHRcpt = 0x2, kHDefault = 0x4, kHResent = 0x8, kHCheck = 0x10, kHACheck = 0x20,
    kHForce = 0x40, kHTrace = 0x80, kHFrom = 0x100, kHValid = 0x200, kHReceiptTo = 0x400,
    kHErrorsTo = 0x800, kHCte = 0x1000, kHCtype = 0x2000, kHBcc = 0x4000, kHEncodable = 0x8000,
    kHStripComm = 0x10000, kHBindLate = 0x20000, kHUser = 0x40000,
};

struct HeaderInfo {
    unsigned long flags = 0;
    std::optional<std::string> ruleset;  // `H name: $>ruleset` (or `$>+ruleset`)
};

struct DefaultHeader {
    std::string name;
    unsigned long flags = 0;
};

// The fields of one configuration: the built-in table, then what `H` lines add.
class HeaderTable {
public:
    HeaderTable();
    // stab(name, ST_HEADER, ST_FIND): nullptr for a field sendmail knows nothing of.
    const HeaderInfo* find(const std::string& name) const;
    HeaderInfo& enter(const std::string& name);  // ST_ENTER
    std::vector<DefaultHeader> defaults;         // from `H` lines, in order

private:
    std::map<std::string, HeaderInfo> info_;  // by lower-case name
};

// A header line split as chompheader() splits it: `?flags?` (config lines
// only), the name, the value after the colon (leading blanks kept).
struct HeaderLine {
    bool ok = false;
    bool conditional = false;  // ?flags? or ?$x?
    std::string name, value;
};
HeaderLine split_header(const std::string& line, bool config_line);

} // namespace cfkit
