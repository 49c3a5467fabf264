// See comments.hpp. Mirrors the scan order of sendmail's translate_dollars():
// one pass left to right in which `$` plus a macro name is stepped over as a
// unit, so the '#' of `$#` never starts a comment.
#include "grammar/comments.hpp"

#include <cctype>

namespace cfkit {

namespace {
constexpr std::size_t kMaxMacroName = 25;  // MAXMACNAMELEN

bool is_name_char(unsigned char c) {
    return c < 0x80 && (std::isalnum(c) || c == '_');
}
} // namespace

std::string strip_comments(std::string_view in, int config_level,
                           std::vector<std::uint32_t>* origin, bool strip_trailing) {
    std::string out;
    std::vector<std::uint32_t> org;
    out.reserve(in.size());
    org.reserve(in.size());
    auto put = [&](std::size_t i) {
        out.push_back(in[i]);
        org.push_back(static_cast<std::uint32_t>(i));
    };
    std::size_t i = 0;
    const std::size_t n = in.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(in[i]);
        if (c == '#' && !out.empty() && config_level >= 3) {
            unsigned char prev = static_cast<unsigned char>(out.back());
            if (prev == '\\') {  // "\#": drop the backslash, keep the '#'
                out.back() = '#';
                org.back() = static_cast<std::uint32_t>(i);
                ++i;
                continue;
            }
            if (prev == 0x81) {  // a raw MACROEXPAND byte: sendmail lets it through
                put(i++);
                continue;
            }
            // Drop the white space before the '#' (never the first byte), then
            // everything up to the next LF, which stays.
            while (out.size() > 1 && is_space(static_cast<unsigned char>(out.back())) &&
                   out.back() != '\n') {
                out.pop_back();
                org.pop_back();
            }
            while (i < n && in[i] != '\n') ++i;
            if (i < n) put(i++);  // the LF itself is not looked at again
            continue;
        }
        if (c == '$' && i + 1 < n) {
            if (in[i + 1] == '$') {
                put(i++);
                put(i++);
                continue;
            }
            put(i++);
            char k = in[i];
            if (k == '=' || k == '~' || k == '&' || k == '?') {
                put(i++);
                if (i >= n) break;
            }
            if (in[i] != '{') {
                put(i++);  // a one-byte name
                continue;
            }
            // `{name}`: macid_parse stops at '}', at the end, or after 25 name bytes.
            put(i++);
            std::size_t valid = 0;
            while (i < n && in[i] != '}' && valid < kMaxMacroName) {
                if (is_name_char(static_cast<unsigned char>(in[i]))) ++valid;
                put(i++);
            }
            if (i < n && in[i] == '}') put(i++);
            continue;
        }
        put(i++);
    }
    // Trailing white space goes, but never the first byte.
    while (strip_trailing && out.size() > 1 && is_space(static_cast<unsigned char>(out.back()))) {
        out.pop_back();
        org.pop_back();
    }
    if (origin) *origin = std::move(org);
    return out;
}

} // namespace cfkit
