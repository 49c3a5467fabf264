// Comment removal for .cf lines, as sendmail's translate_dollars() does it.
//
// Shared by the grammar (to split R lines where sendmail splits them) and by
// engine/text/translate.cpp (which also serves `.D` in test mode). Plain C++, no
// PEGTL, so the engine may include it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cfkit {

// Removes '#' comments (only when config_level >= 3, and never a '#' in the
// first byte), the white space before them, and trailing white space.
// `$`-sequences are kept as written, `\#` becomes `#`. If `origin` is given it
// receives, for every output byte, the index of the input byte it came from.
std::string strip_comments(std::string_view line, int config_level,
                           std::vector<std::uint32_t>* origin = nullptr,
                           bool strip_trailing = true);

// Sendmail's SM_ISSPACE: ASCII white space (SP, TAB, LF, VT, FF, CR).
inline bool is_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

} // namespace cfkit
