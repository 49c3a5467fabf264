// See tokenizer.hpp. The state machine and its tables are sendmail's
// (documented in shared/research/semantics.md 1.4); the code is cfkit's.
#include "engine/text/tokenizer.hpp"

#include <cctype>
#include <cstdio>

#include "grammar/comments.hpp"

namespace cfkit {

namespace {

using CT = CharType;

// Flags on a state transition: M = drop this byte, B = end the token first.
constexpr std::uint8_t kM = 0x10, kB = 0x20, kTypeMask = 0x0f;

constexpr std::uint8_t t(CT s, std::uint8_t flags = 0) {
    return static_cast<std::uint8_t>(static_cast<std::uint8_t>(s) | flags);
}

// kStateTab[state][char type]
constexpr std::uint8_t kStateTab[6][6] = {
    /* OPR */ {t(CT::OPR, kB), t(CT::ATM, kB), t(CT::QST, kB), t(CT::SPC, kM | kB), t(CT::ONE, kB), t(CT::ILL, kM | kB)},
    /* ATM */ {t(CT::OPR, kB), t(CT::ATM), t(CT::QST, kB), t(CT::SPC, kM | kB), t(CT::ONE, kB), t(CT::ILL, kM | kB)},
    /* QST */ {t(CT::QST), t(CT::QST), t(CT::OPR), t(CT::QST), t(CT::QST), t(CT::QST)},
    /* SPC */ {t(CT::OPR), t(CT::ATM), t(CT::QST), t(CT::SPC, kM), t(CT::ONE), t(CT::ILL, kM | kB)},
    /* ONE */ {t(CT::OPR), t(CT::OPR), t(CT::OPR), t(CT::OPR), t(CT::OPR), t(CT::ILL, kM | kB)},
    /* ILL */ {t(CT::OPR, kB), t(CT::ATM, kB), t(CT::QST, kB), t(CT::SPC, kM | kB), t(CT::ONE, kB), t(CT::ILL, kM)},
};

TokenTable base_table(TableKind kind) {
    TokenTable tab;
    tab.fill(CT::ATM);
    for (int c = 0x09; c <= 0x0D; ++c) tab[c] = CT::SPC;
    tab[' '] = CT::SPC;
    tab['"'] = CT::QST;
    tab['('] = tab[')'] = (kind == TableKind::NoComments) ? CT::OPR : CT::SPC;
    if (kind != TableKind::External) {
        for (int c = 0x80; c <= 0x9F; ++c) tab[c] = CT::OPR;
        tab[0x82] = tab[0x93] = tab[0x94] = tab[0x95] = CT::ONE;
        tab[0xFF] = CT::ONE;
    }
    return tab;
}

constexpr int kNoChar = -1;

} // namespace

TokenTables make_token_tables(std::string_view operator_chars) {
    TokenTables t;
    t.external = base_table(TableKind::External);
    t.internal = base_table(TableKind::Internal);
    t.nocomment = base_table(TableKind::NoComments);
    std::string ops(operator_chars);
    ops += "()<>,;\r\n";
    for (unsigned char c : ops) {
        for (TokenTable* tab : {&t.internal, &t.external, &t.nocomment}) {
            if ((*tab)[c] == CT::ATM) (*tab)[c] = CT::OPR;
        }
    }
    return t;
}

ScanResult prescan(std::string_view addr, const TokenTable& tab, const ScanOptions& opt) {
    ScanResult res;
    res.tokens.reserve(16);  // most addresses: one allocation, not several
    const std::size_t n = addr.size();
    std::size_t p = 0;
    // Everything here treats `addr` as a C string: reading past the end gives NUL.
    auto read = [&]() -> int {
        int ch = p < n ? static_cast<unsigned char>(addr[p]) : 0;
        ++p;
        return ch;
    };
    auto fail = [&](const std::string& msg) {
        res.errors.push_back(msg);
    };
    // usrerr("553 ...") while e_to points at the address: "addr... msg".
    auto err553 = [&](const std::string& msg, const char* code = "553") {
        res.replies.push_back(std::string(code) + " " + msg);
        std::string to(addr.substr(0, addr.find('\0')));
        std::string prefix;
        if (!to.empty()) {
            if (to.size() >= static_cast<std::size_t>(limits::kShortenLen)) {
                std::size_t half = (limits::kShortenLen - 3) / 2;
                to = to.substr(0, half) + "..." + to.substr(to.size() - half);
            }
            prefix = to + "... ";
        }
        fail(prefix + msg);
    };

    bool bslash = false, route = false;
    int cmnt = 0, angle = 0;
    CT state = CT::ATM;
    int c = kNoChar;
    int used = 0;  // bytes of the token buffer in use (token bytes + one NUL each)
    const int limit = opt.bufsize - 5;

    // An error: sendmail returns NULL, with the tokens finished so far left
    // in its static token array and no terminating NULL written.
    auto finish_null = [&]() {
        res.ok = false;
        res.terminated = false;
        res.delim_pos = p > 0 ? p - 1 : 0;
        return res;
    };

    do {
        std::string tok;
        int xlen = 0;
        for (;;) {
            if (c != kNoChar && !bslash) {
                if (used >= limit) {
                    err553("Address too long", "553 5.1.1");
                    res.truncated_input = addr.size() > static_cast<std::size_t>(limits::kMaxName);
                    return finish_null();
                }
                if (c == 0xFF && !opt.eight_bit_ok) c &= 0x7f;
                tok.push_back(static_cast<char>(c));
                ++used;
                ++xlen;
            }
            c = read();
            if (c == 0) {
                if (opt.ignore) break;
                if (state == CT::QST) {
                    err553("Unbalanced '\"'");
                    c = '"';
                } else if (cmnt > 0) {
                    err553("Unbalanced '('");
                    c = ')';
                } else if (angle > 0) {
                    c = '>';
                    err553("Unbalanced '<'");
                } else {
                    break;
                }
                --p;
            } else if (c == opt.delim && cmnt <= 0 && state != CT::QST) {
                if (angle <= 0) break;
                if (opt.delim == ',' && !route && !opt.ignore) {
                    err553("Unbalanced '<'");
                    c = '>';
                    --p;
                }
            }

            if (bslash) {
                bslash = false;
                if (cmnt > 0) {
                    c = kNoChar;
                    continue;
                }
                if (c != '!' || state == CT::QST) {
                    if (used >= limit) {
                        err553("Address too long", "553 5.1.1");
                        res.truncated_input = addr.size() > static_cast<std::size_t>(limits::kMaxName);
                        return finish_null();
                    }
                    tok.push_back('\\');
                    ++used;
                    ++xlen;
                    continue;  // c is stored, unexamined, at the top of the loop
                }
            }

            if (c == '\\') {
                bslash = true;
            } else if (state == CT::QST) {
                // nothing is special inside quotes
            } else if (c == '(' && tab['('] == CT::SPC) {
                ++cmnt;
                c = kNoChar;
            } else if (c == ')' && tab['('] == CT::SPC) {
                if (cmnt <= 0) {
                    if (!opt.ignore) {
                        err553("Unbalanced ')'");
                        c = kNoChar;
                    }
                } else {
                    --cmnt;
                }
            } else if (cmnt > 0) {
                c = kNoChar;
            } else if (c == '<') {
                ++angle;
                std::size_t look = p;
                while (look < n && is_space(static_cast<unsigned char>(addr[look]))) ++look;
                if (look < n && addr[look] == '@') route = true;
            } else if (c == '>') {
                if (angle <= 0) {
                    if (!opt.ignore) {
                        err553("Unbalanced '>'");
                        c = kNoChar;
                    }
                } else {
                    --angle;
                }
                route = false;
            } else if (opt.delim == ' ' && is_space(static_cast<unsigned char>(c))) {
                c = ' ';
            }

            if (c == kNoChar) continue;
            if (c == opt.delim && angle <= 0 && state != CT::QST) break;

            std::uint8_t ns = kStateTab[static_cast<int>(state)][static_cast<int>(tab[c & 0xff])];
            state = static_cast<CT>(ns & kTypeMask);
            if (state == CT::ILL) {
                char buf[48];
                if (c < 0x80 && std::isprint(c)) std::snprintf(buf, sizeof buf, "Illegal character %c", c);
                else std::snprintf(buf, sizeof buf, "Illegal character 0x%02x", c & 0xff);
                err553(buf);
            }
            if (ns & kM) c = kNoChar;
            if (ns & kB) break;
        }

        if (!tok.empty()) {
            if (used >= limit) {
                err553("Address too long", "553 5.1.1");
                res.truncated_input = addr.size() > static_cast<std::size_t>(limits::kMaxName);
                return finish_null();
            }
            ++used;
            if (static_cast<int>(res.tokens.size()) >= limits::kMaxAtom) {
                err553("prescan: too many tokens", "553 5.1.0");
                return finish_null();
            }
            if (xlen > limits::kMaxName) {
                err553("prescan: token too long", "553 5.1.0");
                return finish_null();
            }
            res.tokens.push_back(std::move(tok));
        }
    } while (c != 0 && (c != opt.delim || angle > 0));

    res.delim_pos = p > 0 ? p - 1 : 0;
    res.ok = !res.tokens.empty();
    return res;
}

} // namespace cfkit
