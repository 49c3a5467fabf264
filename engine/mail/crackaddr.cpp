#include "engine/mail/crackaddr.hpp"

#include <array>
#include <cctype>

namespace cfkit {

namespace {

constexpr int kBufSize = 256 + 1;  // MAXNAME_I + 1
constexpr char kMacroExpand = '\x81';

struct TooLong {};

bool is_space(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x80 && std::isspace(u);
}

// The output buffer with sendmail's spare-room bookkeeping: `lim` moves
// down to keep room for the closing quote, parentheses and angle that the
// repair at the end may add.
class Out {
public:
    std::array<char, kBufSize> buf{};
    int bp = 0;
    int lim = kBufSize - 1;
    static constexpr int kEnd = kBufSize - 1;
    bool room() const { return bp < lim && lim <= kEnd; }
    void put(char c) {
        if (!room()) throw TooLong{};
        buf[static_cast<std::size_t>(bp++)] = c;
    }
};

} // namespace

std::string crackaddr(const std::string& text, const CrackOptions& opt) {
    auto at = [&](int i) -> char { return i >= 0 && i < static_cast<int>(text.size()) ? text[static_cast<std::size_t>(i)] : '\0'; };
    Out o;
    try {
        int p = 0;
        while (at(p) != '\0' && is_space(at(p))) o.put(at(p++));  // leading spaces stay
        const int start = p;
        int head = o.bp;       // where the address part of the output begins
        int addr_head = p;     // where it begins in the input
        int copying = 0;       // > 0: inside something copied as is (comment, angle tail)
        int comments = 0, out_comments = 0, angles = 0, brackets = 0;
        bool quoted = false, out_quoted = false, close_angle = false;
        bool wrote_g = false, must_quote = false, seen_angle = false, seen_colon = false;

        // The phrase before '<' or a group's ':' is copied again from the
        // input, quoted when it held characters that need it.
        auto copy_phrase = [&](char stop, bool backslash_alone) {
            o.bp = head;
            if (must_quote) {
                o.put('"');
                --p;  // back over `stop` and the spaces before it
                while (p > start) {
                    --p;
                    if (!is_space(at(p))) break;
                }
                ++p;
            }
            for (int q = addr_head; q < p;) {
                char c = at(q++);
                if (must_quote && c == '"') o.put('\\');
                o.put(c);
            }
            (void)backslash_alone;
            if (must_quote) {
                if (o.bp == (stop == ':' ? head + 1 : 1)) --o.bp;
                else o.put('"');
                char c;
                while ((c = at(p++)) != stop) o.put(c);
                o.put(c);
            }
        };

        char c;
        while ((c = at(p++)) != '\0') {
            if (copying > 0) o.put(c);
            bool address_char = false;
            if (c == '\\') {
                if (comments <= 0 && !quoted) must_quote = true;
                if ((c = at(p++)) == '\0') {
                    --p;
                } else if (copying > 0) {
                    o.put(c);
                }
                address_char = true;
            } else if (c == '"' && comments <= 0) {
                quoted = !quoted;
                if (copying > 0 && o.room()) {
                    o.lim += out_quoted ? -1 : 1;
                    out_quoted = !out_quoted;
                }
                continue;
            } else if (quoted) {
                address_char = true;
            }
            if (!address_char) {
                if (c == '(') {
                    ++comments;
                    if (o.room()) {  // keep room for the ')'
                        --o.lim;
                        ++out_comments;
                        if (copying++ <= 0) {
                            if (o.bp != head) o.put(' ');
                            o.put(c);
                        }
                    }
                }
                if (comments > 0) {
                    if (c == ')') {
                        --comments;
                        --copying;
                        if (o.room()) {
                            --out_comments;
                            ++o.lim;
                        }
                    }
                    continue;
                }
                if (c == ')' && copying > 0 && o.room() && o.bp > head) --o.bp;  // a stray ')'
                if (c == '[') ++brackets;
                else if (c == ']') --brackets;

                if (c == ':' && angles <= 0 && brackets <= 0 && !seen_colon && !opt.colon_ok) {
                    if (at(p) == ':' || at(p) == '.') {  // DECnet host::user, host:.name
                        if (comments <= 0 && !quoted) must_quote = true;
                        if (copying > 0) {
                            o.put(c);
                            o.put(at(p));
                        }
                        ++p;
                        address_char = true;
                    } else {
                        // "group: list;": the group name is kept
                        seen_colon = true;
                        copy_phrase(':', false);
                        while (is_space(at(p))) o.put(at(p++));
                        copying = 0;
                        wrote_g = must_quote = false;
                        head = o.bp;
                        addr_head = p;
                        continue;
                    }
                }
            }
            if (!address_char) {
                if (c == ';' && copying <= 0 && !opt.colon_ok) o.put(c);
                if (opt.must_quote.find(c) != std::string::npos && comments <= 0 && !quoted) must_quote = true;
                if (c == '<') {
                    if (seen_angle) must_quote = true;  // the first of two angles was not one
                    seen_angle = true;
                    angles = 1;
                    if (o.room()) {
                        if (!close_angle) --o.lim;
                        close_angle = true;
                    }
                    copy_phrase('<', true);
                    copying = 0;
                    wrote_g = must_quote = false;
                    continue;
                }
                if (c == '>') {
                    if (angles > 0) {
                        --angles;
                        if (o.room()) {
                            if (close_angle) ++o.lim;
                            close_angle = false;
                        }
                    } else if (o.room()) {  // a stray '>'
                        if (copying > 0 && o.bp > head) --o.bp;
                        must_quote = true;
                        continue;
                    }
                    if (copying++ <= 0) o.put(c);
                    continue;
                }
            }
            // an address character: the first one outside what is copied becomes $g
            if (copying <= 0 && !wrote_g) {
                if (o.bp > 0 && o.buf[static_cast<std::size_t>(o.bp - 1)] == ')') o.put(' ');
                o.put(kMacroExpand);
                o.put('g');
                wrote_g = true;
            }
        }
        // close what is still open
        if (out_quoted && o.bp < Out::kEnd) o.buf[static_cast<std::size_t>(o.bp++)] = '"';
        while (out_comments-- > 0 && o.bp < Out::kEnd) o.buf[static_cast<std::size_t>(o.bp++)] = ')';
        if (close_angle && o.bp < Out::kEnd) o.buf[static_cast<std::size_t>(o.bp++)] = '>';
        if (o.bp < Out::kEnd) return std::string(o.buf.data(), static_cast<std::size_t>(o.bp));
    } catch (const TooLong&) {
    }
    // too long: only the address is kept
    return std::string("<") + kMacroExpand + "g>";
}

} // namespace cfkit
