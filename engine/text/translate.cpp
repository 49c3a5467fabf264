// See translate.hpp. The order of checks follows sendmail's, because the
// quirks live in that order (e.g. a failed macro name ends the line).
#include "engine/text/translate.hpp"

#include <cctype>

#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "grammar/comments.hpp"

namespace cfkit {

namespace {
bool macro_name_char(unsigned char c) { return c < 0x80 && (std::isalnum(c) || c == '_'); }
} // namespace

MacroIdResult macid_parse(std::string_view s, std::size_t pos, MacroNames& names, Reporter& rep) {
    auto at = [&](std::size_t i) -> unsigned char {
        return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
    };
    MacroIdResult r;
    if (at(pos) == 0 || (at(pos) == '{' && at(pos + 1) == '}')) {
        rep.syserr("Name required for macro/class");
        r.end = pos;
        return r;
    }
    if (at(pos) != '{') {
        r.id = at(pos);
        r.end = pos + 1;
        return r;
    }
    std::string name;
    std::size_t p = pos;
    while (at(++p) != 0 && at(p) != '}' && name.size() < static_cast<std::size_t>(limits::kMaxMacroNameLen)) {
        unsigned char c = at(p);
        if (macro_name_char(c)) {
            name.push_back(static_cast<char>(c));
        } else {
            rep.syserr(std::string("Invalid macro/class character ") + static_cast<char>(c));
        }
    }
    int mid = -1;
    if (at(p) == 0) {
        rep.syserr("Unbalanced { on " + name);
    } else if (at(p) != '}') {
        rep.syserr("Macro/class name ({" + name + "}) too long (" +
                   std::to_string(limits::kMaxMacroNameLen) + " chars max)");
    } else if (name.size() == 1 && static_cast<unsigned char>(name[0]) >= 0x20) {
        mid = static_cast<unsigned char>(name[0]);  // ${x} is $x
        ++p;
    } else {
        auto id = names.intern(name);
        if (id) {
            mid = *id;
        } else {
            rep.syserr("Macro/class {" + name + "}: too many long names");
        }
        ++p;
    }
    r.end = p;
    if (mid < 0 || mid > limits::kMaxMacroId) {
        rep.syserr("Unable to assign macro/class ID (mid = 0xffffffff)");
        return r;
    }
    r.id = mid;
    return r;
}

int macid_of_name(const std::string& name, MacroNames& names, Reporter& rep) {
    if (std::optional<MacroId> known = names.find(name)) return *known;
    bool plain = name.size() >= 2 && name.size() <= static_cast<std::size_t>(limits::kMaxMacroNameLen);
    for (char c : name) plain = plain && macro_name_char(static_cast<unsigned char>(c));
    if (plain)
        if (std::optional<MacroId> id = names.intern(name)) return *id;
    return macid_parse("{" + name + "}", 0, names, rep).id;  // (its messages, as sendmail's)
}

std::string quote_internal_chars(std::string_view in) {
    std::string s;
    s.reserve(in.size());
    for (unsigned char c : in) {
        if (c == meta::METAQUOTE || meta::is_meta(c)) s.push_back(static_cast<char>(meta::METAQUOTE));
        s.push_back(static_cast<char>(c));
    }
    return s;
}

std::string translate_dollars(std::string_view line, int config_level, MacroNames& names,
                              Reporter& rep) {
    std::string stripped = strip_comments(line, config_level, nullptr, /*strip_trailing=*/false);
    std::string s = quote_internal_chars(stripped);
    for (std::size_t p = 0; p < s.size(); ++p) {
        if (s[p] != '$' || p + 1 >= s.size()) continue;
        if (s[p + 1] == '$') {
            s.erase(p, 1);
            continue;
        }
        s[p++] = static_cast<char>(meta::MACROEXPAND);
        char k = s[p];
        if (k == '=' || k == '~' || k == '&' || k == '?') ++p;
        MacroIdResult id = macid_parse(s, p, names, rep);
        if (id.id == 0) {  // sendmail stores the 0 and so ends the string here
            s.resize(p);
            break;
        }
        if (p >= s.size()) s.push_back(static_cast<char>(id.id));
        else s[p] = static_cast<char>(id.id);
        if (id.end > p + 1) s.erase(p + 1, id.end - (p + 1));
    }
    while (s.size() > 1 && is_space(static_cast<unsigned char>(s.back()))) s.pop_back();
    return s;
}

namespace {

void doexpand(std::string_view s, std::string& out, std::size_t bufsize, int level,
              const Env& env, Reporter& rep) {
    std::string x;
    const std::size_t xmax = limits::kMacBufSize - 1;
    bool recurse = false, skipping = false, quotenext = false;
    int skiplev = 0, iflev = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == 0) break;
        const std::string* q = nullptr;
        if (quotenext) {
            quotenext = false;
        } else {
            switch (c) {
            case meta::CONDIF: {
                ++iflev;
                unsigned char id = i + 1 < s.size() ? static_cast<unsigned char>(s[++i]) : (++i, 0);
                if (skipping) {
                    ++skiplev;
                } else {
                    const std::string* mv = env.macros.get(id);
                    skipping = (mv == nullptr || mv->empty());
                }
                continue;
            }
            case meta::CONDELSE:
                if (iflev == 0) break;
                if (skiplev == 0) skipping = !skipping;
                continue;
            case meta::CONDFI:
                if (iflev == 0) break;
                --iflev;
                if (skiplev == 0) skipping = false;
                if (skipping) --skiplev;
                continue;
            case meta::MACROEXPAND: {
                unsigned char id = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
                if (id != 0) {
                    ++i;
                    q = env.macros.get(id);
                }
                if (q == nullptr) continue;
                break;
            }
            case meta::METAQUOTE:
                quotenext = true;
                break;
            default:
                break;
            }
        }
        if (skipping || x.size() >= xmax) continue;
        if (q == nullptr) {
            x.push_back(static_cast<char>(c));
        } else {
            bool hide = false;
            for (unsigned char v : *q) {
                if (v == 0 || x.size() >= xmax) break;
                if (!hide && (v & 0xE0) == 0x80) recurse = true;
                x.push_back(static_cast<char>(v));
                hide = (v == meta::METAQUOTE);
            }
        }
    }
    if (recurse) {
        if (level < limits::kMaxMacroRecursion) {
            doexpand(x, out, bufsize, level + 1, env, rep);
            return;
        }
        rep.syserr("expand: recursion too deep (" + std::to_string(limits::kMaxMacroRecursion) +
                   " max)");
    }
    if (x.size() >= bufsize) x.resize(bufsize - 1);
    out = std::move(x);
}

} // namespace

std::string expand(std::string_view s, const Env& env, Reporter& rep, int bufsize) {
    std::string out;
    doexpand(s, out, static_cast<std::size_t>(bufsize), 0, env, rep);
    return out;
}

std::string munchstring(std::string_view s) {
    std::string out;
    bool backslash = false, quotemode = false;
    for (std::size_t i = 0; i < s.size() && out.size() < static_cast<std::size_t>(limits::kMaxLine - 1); ++i) {
        char c = s[i];
        if (c == '\0') break;
        if (backslash) {
            backslash = false;
            switch (c) {
            case 'r': out.push_back('\r'); continue;
            case 'n': out.push_back('\n'); continue;
            case 'f': out.push_back('\f'); continue;
            case 'b': out.push_back('\b'); continue;
            default: out.push_back(c); continue;
            }
        }
        if (c == '\\') backslash = true;
        else if (c == '"') quotemode = !quotemode;
        else out.push_back(c);
    }
    return out;
}

} // namespace cfkit
