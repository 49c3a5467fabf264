#include "engine/diagnostic.hpp"

namespace cfkit {

namespace {
// shortenstring(): strings of 203+ bytes become head...tail.
std::string shorten(const std::string& s, std::size_t max) {
    if (s.size() < max) return s;
    std::size_t half = (max - 3) / 2;
    return s.substr(0, half) + "..." + s.substr(s.size() - half);
}
} // namespace

std::string sendmail_text(const Diagnostic& d) {
    std::string out;
    if (d.emit != Emit::Plain && !d.loc.file.empty()) {
        out = shorten(d.loc.file, 83) + ": line " + std::to_string(d.sendmail_line) + ": ";
    }
    out += d.message;
    if (d.emit != Emit::Plain) {
        for (char& c : out) c = static_cast<char>(static_cast<unsigned char>(c) & 0x7f);
    }
    return out;
}

std::string cfkit_text(const Diagnostic& d) {
    std::string out;
    if (!d.loc.file.empty()) {
        out = d.loc.file + ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + ": ";
    }
    switch (d.severity) {
    case Severity::Error: out += "error: "; break;
    case Severity::Warning: out += "warning: "; break;
    case Severity::Note: out += "note: "; break;
    }
    out += d.message;
    return out;
}

} // namespace cfkit
