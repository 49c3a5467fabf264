// crackaddr() (headers.c): the "fancy" form of an address, with the address
// proper replaced by the `$g` macro and the comments and phrase kept:
// "Real Name <real@example.com> (Comment)" -> "Real Name <$g> (Comment)".
// remotename() and test mode's /parse use it.
#pragma once

#include <string>

namespace cfkit {

struct CrackOptions {
    std::string must_quote = "@,;:\\()[].'";  // MustQuoteChars
    bool colon_ok = false;                    // ColonOkInAddr (true below V6)
};

// The result holds the byte 0x81 ('\201', MACROEXPAND) before the `g`.
std::string crackaddr(const std::string& addr, const CrackOptions& opt);

} // namespace cfkit
