#include "engine/text/render.hpp"

#include <cctype>
#include <cstring>

#include "engine/text/metachar.hpp"

namespace cfkit {

namespace {

char meta_name(unsigned char c) {
    using namespace meta;
    switch (c) {
    case MATCHZANY: return '*';
    case MATCHANY: return '+';
    case MATCHONE: return '-';
    case MATCHCLASS: return '=';
    case MATCHNCLASS: return '~';
    case CANONNET: return '#';
    case CANONHOST: return '@';
    case CANONUSER: return ':';
    case CALLSUBR: return '>';
    case CONDIF: return '?';
    case CONDELSE: return '|';
    case CONDFI: return '.';
    case HOSTBEGIN: return '[';
    case HOSTEND: return ']';
    case LOOKUPBEGIN: return '(';
    case LOOKUPEND: return ')';
    case MACRODEXPAND: return '&';
    default: return 0;
    }
}

// sendmail's macname() for an id byte.
std::string macname(unsigned char id, const MacroNames& names) {
    if (id <= 0x20 || id > 0x7f) {
        const std::string& n = names.name_of(id);
        return n.empty() ? "***UNDEFINED MACRO***" : n;
    }
    return std::string(1, static_cast<char>(id));
}

void print_char(std::string& out, int c) {
    if (c < 0x80 && std::isprint(c)) {
        out.push_back(static_cast<char>(c));
        return;
    }
    if (c == '\n') c = 'n';
    else if (c == '\r') c = 'r';
    else if (c == '\t') c = 't';
    if (c < 0x80 && std::isprint(c)) {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
    } else if (c >= 0x80) {
        out.push_back('^');
        out.push_back(static_cast<char>(c ^ 0100));
    }
    // other ASCII control bytes print nothing
}

} // namespace

void append_xputs(std::string& out, std::string_view s, const MacroNames& names) {
    std::size_t i = 0;
    while (i < s.size()) {
        // Fast path: a run of printable ASCII (isprint() in the C locale)
        // prints as it is, so it is appended in one piece.
        std::size_t run = i;
        while (run < s.size() && printable_ascii(static_cast<unsigned char>(s[run]))) ++run;
        if (run > i) {
            out.append(s.data() + i, run - i);
            i = run;
            if (i >= s.size()) break;
        }
        int c = static_cast<unsigned char>(s[i++]);
        if (c == 0) break;
        if (c >= 0x80) {
            if (c == meta::MATCHREPL) {
                out.push_back('$');
                if (i >= s.size()) continue;
                print_char(out, static_cast<unsigned char>(s[i++]));
                continue;
            }
            if (c == meta::MACROEXPAND || c == meta::MACRODEXPAND) {
                out.push_back('$');
                if (c == meta::MACRODEXPAND) out.push_back('&');
                if (i >= s.size()) continue;
                char k = s[i];
                if (k == '=' || k == '~' || k == '&' || k == '?') {
                    out.push_back(k);
                    ++i;
                }
                unsigned char id = i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
                ++i;
                if (id & 0x80) out += "{" + macname(id, names) + "}";
                else out.push_back(static_cast<char>(id));  // raw, as "%c" prints it
                continue;
            }
            char mn = meta_name(static_cast<unsigned char>(c));
            if (mn) {
                out.push_back('$');
                out.push_back(mn);
            }
            if (c == meta::MATCHCLASS || c == meta::MATCHNCLASS) {
                if (i < s.size()) {
                    unsigned char id = static_cast<unsigned char>(s[i++]);
                    if (id & 0x80) out += "{" + macname(id, names) + "}";
                    else out.push_back(static_cast<char>(id));
                }
            }
            if (mn) continue;
            out += "M-";
            c &= 0x7f;
        }
        print_char(out, c);
    }
}

std::string xputs(std::string_view s, const MacroNames& names) {
    std::string out;
    append_xputs(out, s, names);
    return out;
}

namespace {

// Most tokens are plain printable ASCII (`plain(tok)`): those are gathered
// in a local buffer and appended in large pieces; the rest go through
// append_xputs(). -bt prints two of these lines per ruleset call. `Padded`:
// each token's bytes are followed by TokenPool::kPadding readable bytes (the
// pool's), so a short token is copied in one fixed-size move.
template <bool Padded, class Seq, class Text, class Plain>
void printav_impl(std::string& out, const Seq& toks, Text text, Plain plain, const MacroNames& names) {
    constexpr std::size_t kMove = TokenPool::kPadding;
    constexpr std::size_t kBuf = 1024;
    char buf[kBuf + kMove];
    std::size_t n = 0;
    for (const auto& tok : toks) {
        const std::string_view t = text(tok);
        // (flushed so that a byte stays free after every token: the LF)
        const bool fits = Padded ? t.size() <= kMove : t.size() + 2 <= kBuf;
        if (fits && plain(tok)) {
            const std::size_t room = Padded ? kMove : t.size();
            if (n + 1 + room >= kBuf) {
                out.append(buf, n);
                n = 0;
            }
            buf[n++] = ' ';
            if constexpr (Padded) {
                std::memcpy(buf + n, t.data(), kMove);
            } else {
                for (std::size_t k = 0; k < t.size(); ++k) buf[n + k] = t[k];  // (short: no memcpy call)
            }
            n += t.size();
            continue;
        }
        out.append(buf, n);
        n = 0;
        out.push_back(' ');
        append_xputs(out, t, names);
    }
    buf[n++] = '\n';
    out.append(buf, n);
}

template <class Seq, class Text>
std::string cataddr_impl(const Seq& toks, Text text, std::size_t first, std::size_t last, int size,
                         int spacesub, bool external, const TokenTable& internal, char default_spacesub) {
    std::string out;
    if (size <= 0 || first >= toks.size()) return out;
    if (spacesub == 0) spacesub = static_cast<unsigned char>(default_spacesub);
    int sz = size - 2;
    bool oatom = false;
    for (std::size_t k = first; k < toks.size() && sz > 0; ++k) {
        const std::string& tok = text(toks[k]);
        bool natom = !tok.empty() && internal[static_cast<unsigned char>(tok[0])] == CharType::ATM;
        if (oatom && natom && spacesub != kNoSpaceSep) {
            out.push_back(static_cast<char>(spacesub));
            if (--sz <= 0) break;
        }
        for (std::size_t q = 0; q < tok.size();) {
            if (--sz <= 0) break;
            unsigned char c = static_cast<unsigned char>(tok[q++]);
            if (c == meta::METAQUOTE && external && q < tok.size()) c = static_cast<unsigned char>(tok[q++]);
            out.push_back(static_cast<char>(c));
        }
        if (sz <= 0) break;
        oatom = natom;
        if (k == last) break;
    }
    return out;
}

const std::string& plain_text(const std::string& t) { return t; }
} // namespace

void append_printav(std::string& out, const Tokens& toks, const MacroNames& names) {
    auto plain = [](const std::string& t) {
        for (unsigned char c : t)
            if (!printable_ascii(c)) return false;
        return true;
    };
    printav_impl<false>(out, toks, plain_text, plain, names);
}

void append_printav(std::string& out, const IdTokens& toks, const MacroNames& names) {
    // (the pool knows which tokens are plain, and pads their bytes)
    const TokenPool& pool = token_pool();
    printav_impl<true>(
        out, toks, [&pool](TokId id) { return pool.view(id); }, [&pool](TokId id) { return pool.plain(id); },
        names);
}

std::string printav(const Tokens& toks, const MacroNames& names) {
    std::string out;
    append_printav(out, toks, names);
    return out;
}

std::string printav(const IdTokens& toks, const MacroNames& names) {
    std::string out;
    append_printav(out, toks, names);
    return out;
}

std::string cataddr(const Tokens& toks, std::size_t first, std::size_t last, int size,
                    int spacesub, bool external, const TokenTable& internal,
                    char default_spacesub) {
    return cataddr_impl(toks, plain_text, first, last, size, spacesub, external, internal, default_spacesub);
}

std::string cataddr(const IdTokens& toks, std::size_t first, std::size_t last, int size,
                    int spacesub, bool external, const TokenTable& internal,
                    char default_spacesub) {
    const TokenPool& pool = token_pool();
    return cataddr_impl(toks, [&pool](TokId id) -> const std::string& { return pool.text(id); }, first, last, size,
                        spacesub, external, internal, default_spacesub);
}

} // namespace cfkit
