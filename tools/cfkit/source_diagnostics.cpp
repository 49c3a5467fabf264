#include "tools/cfkit/source_diagnostics.hpp"

#include <cstdio>

namespace cfkit {

std::string with_source_line(const Diagnostic& d, const std::string& source) {
    std::string out = cfkit_text(d) + "\n";
    if (d.loc.line <= 0) return out;
    std::size_t start = 0;
    for (int n = 1; n < d.loc.line && start != std::string::npos; ++n) {
        start = source.find('\n', start);
        if (start != std::string::npos) ++start;
    }
    if (start == std::string::npos || start > source.size()) return out;
    std::string line = source.substr(start, source.find('\n', start) - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // a TAB before the column stays a TAB, and a UTF-8 character takes one
    // place however many bytes it has, so the caret lines up
    std::string pad;
    for (int i = 0; i + 1 < d.loc.column && static_cast<std::size_t>(i) < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[static_cast<std::size_t>(i)]);
        if ((c & 0xC0) == 0x80) continue;
        pad += c == '\t' ? '\t' : ' ';
    }
    return out + line + "\n" + pad + "^\n";
}

void print_diagnostics(const Diagnostics& diags, const std::string& source) {
    for (const Diagnostic& d : diags) std::fputs(with_source_line(d, source).c_str(), stderr);
}

} // namespace cfkit
