#include "engine/text/diagnostic.hpp"

#include "engine/text/textutil.hpp"

namespace cfkit {

std::string sendmail_text(const Diagnostic& d) {
    std::string out;
    if (d.emit != Emit::Plain && !d.loc.file.empty()) {
        out = shorten(d.loc.file, 83) + ": line " + std::to_string(d.sendmail_line) + ": ";
    }
    size_t start = out.size();
    out += d.message;
    if (d.emit != Emit::Plain) {
        // fmtmsg() masks the "to... " prefix and the message with 0177 but
        // not the file name; a byte 0x80 so becomes a NUL, and the message
        // is printed as a C string: it ends there.
        for (size_t i = start; i < out.size(); ++i) {
            out[i] = static_cast<char>(static_cast<unsigned char>(out[i]) & 0x7f);
            if (out[i] == '\0') {
                out.resize(i);
                break;
            }
        }
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
