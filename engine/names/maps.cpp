// See maps.hpp. One parse/open/lookup trio per map class, as in sendmail's
// map.c class table; what each prints and returns was checked against the
// real sendmail 8.17 (testcases/diff/semantics/m.cf, edge/maps.cf).
#include "engine/names/maps.hpp"
#include "engine/names/dbfile.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/names/dns_records.hpp"
#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "engine/names/safefile.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/translate.hpp"
#include "grammar/comments.hpp"

namespace cfkit {

namespace {

// ---- the class table --------------------------------------------------------

enum class Parser { Generic, Dequote, Host, Regex, Sequence, Syslog, Dns };

struct ClassInfo {
    const char* name;
    MapClass cls;
    Parser parser;
    bool optional_file;  // MCF_OPTFILE: no file name needed
    bool alias_ok;       // MCF_ALIASOK: an AliasFile entry may be of this class
    MapDef::Answers answers;
};

constexpr auto F = MapDef::Answers::Fixed, S = MapDef::Answers::PerSession, A = MapDef::Answers::Acting;

// The classes compiled into Debian's sendmail 8.17.1.9, in its order.
const ClassInfo kClasses[] = {
    {"hash", MapClass::Hash, Parser::Generic, false, true, F},      {"btree", MapClass::Btree, Parser::Generic, false, true, F},
    {"nis", MapClass::Nis, Parser::Generic, false, true, S},       {"nisplus", MapClass::Nisplus, Parser::Generic, false, true, S},
    {"ldap", MapClass::Ldap, Parser::Generic, true, true, S},       {"dns", MapClass::Dns, Parser::Dns, true, false, S},
    {"bestmx", MapClass::Bestmx, Parser::Generic, true, false, S},    {"host", MapClass::Host, Parser::Host, true, false, S},
    {"text", MapClass::Text, Parser::Generic, false, true, F},      {"stab", MapClass::Stab, Parser::Generic, false, true, S},
    {"implicit", MapClass::Implicit, Parser::Generic, false, true, F},  {"user", MapClass::User, Parser::Generic, true, false, F},
    {"dequote", MapClass::Dequote, Parser::Dequote, true, false, F},   {"regex", MapClass::Regex, Parser::Regex, true, false, F},
    {"userdb", MapClass::Userdb, Parser::Generic, false, false, S},   {"program", MapClass::Program, Parser::Generic, false, true, A},
    {"sequence", MapClass::Sequence, Parser::Sequence, true, true, A},  {"switch", MapClass::Switch, Parser::Generic, false, true, A},
    {"null", MapClass::Null, Parser::Generic, true, true, F},       {"syslog", MapClass::Syslog, Parser::Syslog, true, false, F},
    {"macro", MapClass::Macro, Parser::Dequote, true, false, S},     {"arith", MapClass::Arith, Parser::Dequote, true, false, F},
    {"arpa", MapClass::Arpa, Parser::Dequote, true, false, F},      {"socket", MapClass::Socket, Parser::Generic, false, true, A},
};

const ClassInfo* find_class(const std::string& name) {
    for (const ClassInfo& c : kClasses) {
        if (ascii_iequal(name, c.name)) return &c;
    }
    return nullptr;
}

bool is_alnum(unsigned char c) { return c < 0x80 && std::isalnum(c); }

bool inet_pton_v4(const std::string& s, unsigned char out[4]) { return inet_pton(AF_INET, s.c_str(), out) == 1; }
bool inet_pton_v6(const std::string& s, unsigned char out[16]) { return inet_pton(AF_INET6, s.c_str(), out) == 1; }

// Class-specific state kept in MapDef::impl.
struct Extra {
    std::string key_col, value_col;     // -k -v
    char col_delim = 0;                 // -z
    std::string rebuild;                // text after the file name
    std::vector<std::string> members;   // sequence
    // regex
    std::shared_ptr<regex_t> re;
    std::size_t nsub = 0;
    bool regex_not = false;
    bool substrings = false;
    std::vector<int> fields;
    std::string delim;
    // dns
    int dns_type = -1;      // -R
    int size_limit = 0;     // -Z
    std::string dns_base;   // -B
};

// ---- option parsers -------------------------------------------------------------

// Consumes "-x..." words; `handle` gets the letter and the text after it
// and returns false to stop. Sendmail terminates each word at the blank.
template <typename F>
std::size_t parse_flags(const std::string& s, std::size_t p, F handle) {
    for (;;) {
        while (p < s.size() && is_space(static_cast<unsigned char>(s[p]))) ++p;
        if (p >= s.size() || s[p] != '-') break;
        ++p;
        std::size_t end = p;
        while (end < s.size() && !is_space(static_cast<unsigned char>(s[end]))) ++end;
        char letter = p < s.size() ? s[p] : '\0';
        std::string word = s.substr(p, end - p);
        std::string rest = word.empty() ? std::string() : word.substr(1);
        bool go_on = handle(letter, rest, p, end);  // may move `end` (-k 1)
        p = end < s.size() ? end + 1 : end;
        if (!go_on) break;
    }
    return p;
}

bool parse_generic(MapDef& m, Extra& x, const std::string& args, const ClassInfo& cls, char blank_sub,
                   Reporter& rep) {
    m.space_sub = blank_sub;
    // -k and -v: the column may follow after white space ("-k 1").
    auto column_name = [&](std::size_t at, std::size_t& end) {
        std::size_t v = at + 1;
        while (v < args.size() && is_space(static_cast<unsigned char>(args[v]))) ++v;
        std::size_t e = v;
        while (e < args.size() && !is_space(static_cast<unsigned char>(args[e]))) ++e;
        end = e;
        return args.substr(v, e - v);
    };
    std::size_t p = parse_flags(args, 0, [&](char c, const std::string& rest, std::size_t at, std::size_t& end) {
        switch (c) {
        case 'A': break;
        case 'a': m.append = rest; break;
        case 'D': m.defer = true; break;
        case 'd': break;
        case 'f': m.no_fold = true; break;
        case 'k': x.key_col = column_name(at, end); break;
        case 'm': m.match_only = true; break;
        case 'N': m.try_no_null = false; break;
        case 'O': m.try_null = false; break;
        case 'o': m.optional = true; break;
        case 'q': m.keep_quotes = true; break;
        case 'S': m.space_sub = rest.empty() ? '\0' : rest[0]; break;
        case 'T': m.tempfail_append = rest; break;
        case 't': m.no_defer = true; break;
        case 'v': x.value_col = column_name(at, end); break;
        case 'z':
            if (rest.empty()) x.col_delim = 0;
            else if (rest[0] != '\\') x.col_delim = rest[0];
            else if (rest.size() > 1 && rest[1] == 'n') x.col_delim = '\n';
            else if (rest.size() > 1 && rest[1] == 't') x.col_delim = '\t';
            else x.col_delim = '\\';
            break;
        default:
            rep.syserr(std::string("Illegal option ") + c + " map " + m.name);
            break;
        }
        return true;
    });
    if (p < args.size()) {
        std::size_t e = p;
        while (e < args.size() && !is_space(static_cast<unsigned char>(args[e]))) ++e;
        m.file = args.substr(p, e - p);
        p = e;
    }
    while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
    x.rebuild = args.substr(p);
    if (m.file.empty() && !cls.optional_file) {
        rep.syserr(std::string("No file name for ") + cls.name + " map " + m.name);
        return false;
    }
    return true;
}

// dequote_init(): the option loop ends the string after the first option,
// so only the first option on the line counts (a quirk kept on purpose).
bool parse_dequote(MapDef& m, const std::string& args) {
    m.keep_quotes = true;
    m.space_sub = '\0';
    std::size_t p = 0;
    while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
    if (p >= args.size() || args[p] != '-') return true;
    ++p;
    std::size_t end = p;
    while (end < args.size() && !is_space(static_cast<unsigned char>(args[end]))) ++end;
    char c = p < args.size() ? args[p] : '\0';
    std::string rest = end > p + 1 ? args.substr(p + 1, end - p - 1) : std::string();
    if (c == 'a') m.append = rest;
    else if (c == 'D') m.defer = true;
    else if (c == 'S' || c == 's') m.space_sub = rest.empty() ? '\0' : rest[0];
    return true;
}

bool parse_host(MapDef& m, const std::string& args) {
    parse_flags(args, 0, [&](char c, const std::string& rest, std::size_t, std::size_t&) {
        switch (c) {
        case 'a': m.append = rest; break;
        case 'T': m.tempfail_append = rest; break;
        case 'm': m.match_only = true; break;
        case 't': m.no_defer = true; break;
        case 'S': m.space_sub = rest.empty() ? '\0' : rest[0]; break;
        case 'D': m.defer = true; break;
        default: break;
        }
        return true;
    });
    return true;
}

// dns_map_parseargs(): its own option set, read in place: a flag's text
// ends at the next blank; -R, -B, -r and -Z skip blanks before their value.
// Unknown options are ignored; an unknown type is reported, and so is the
// type then missing (the map stays, and finds nothing).
bool parse_dns(MapDef& m, Extra& x, const std::string& args, Reporter& rep) {
    std::size_t p = 0;
    auto word_at = [&](std::size_t at, bool skip_blanks, bool space_only) {
        if (skip_blanks) {
            while (at < args.size() && is_space(static_cast<unsigned char>(args[at]))) ++at;
        }
        std::size_t e = at;
        while (e < args.size() && (space_only ? args[e] != ' ' : !is_space(static_cast<unsigned char>(args[e])))) ++e;
        return std::make_pair(args.substr(at, e - at), at);  // the scan goes on from the value's start
    };
    for (;;) {
        while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
        if (p >= args.size() || args[p] != '-') break;
        ++p;
        char c = p < args.size() ? args[p] : '\0';
        std::size_t next = p + 1;  // where the flag's text starts
        switch (c) {
        case 'a': m.append = word_at(next, false, false).first; break;
        case 'T': m.tempfail_append = word_at(next, false, false).first; break;
        case 'm': m.match_only = true; break;
        case 'o': m.optional = true; break;
        case 'q': m.keep_quotes = true; break;
        case 't': m.no_defer = true; break;
        case 'f': m.no_fold = true; break;
        case 'z': {
            std::string z = args.substr(std::min(next, args.size()));
            if (z.empty()) x.col_delim = 0;
            else if (z[0] != '\\') x.col_delim = z[0];
            else if (z.size() > 1 && z[1] == 'n') x.col_delim = '\n';
            else if (z.size() > 1 && z[1] == 't') x.col_delim = '\t';
            else x.col_delim = '\\';
            break;
        }
        case 'Z': {
            auto [w, e] = word_at(next, true, false);
            x.size_limit = std::atoi(w.c_str());
            p = e;
            break;
        }
        case 'r': {
            auto [w, e] = word_at(next, true, false);
            p = e;
            break;
        }
        case 'B': {
            auto [w, e] = word_at(next, true, true);
            x.dns_base = w;
            p = e;
            break;
        }
        case 'R': {
            auto [w, e] = word_at(next, true, true);
            p = e;
            static const std::pair<const char*, int> kTypes[] = {
                {"A", rrtype::A}, {"AAAA", rrtype::AAAA}, {"NS", rrtype::NS}, {"CNAME", rrtype::CNAME},
                {"PTR", rrtype::PTR}, {"MX", rrtype::MX}, {"TXT", rrtype::TXT}, {"AFSDB", 18},
                {"SRV", rrtype::SRV}, {"DS", 43}, {"RRSIG", 46}, {"NSEC", 47}, {"DNSKEY", 48}, {"TLSA", 52}};
            x.dns_type = -1;
            for (const auto& [n, t] : kTypes) {
                if (ascii_iequal(w, n)) x.dns_type = t;
            }
            if (x.dns_type < 0) rep.syserr("dns map " + m.name + ": wrong type " + w);
            break;
        }
        default: break;
        }
        while (p < args.size() && !is_space(static_cast<unsigned char>(args[p]))) ++p;
        if (p < args.size()) ++p;
    }
    if (x.dns_type < 0) rep.syserr("dns map " + m.name + ": missing -R type");
    return true;
}

bool parse_syslog(MapDef& m, const std::string& args, Reporter& rep) {
    std::size_t p = 0;
    while (p < args.size()) {
        while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
        if (p >= args.size() || args[p] != '-') break;
        ++p;
        char c = p < args.size() ? args[p] : '\0';
        if (c == 'D') {
            m.defer = true;
            ++p;
        } else if (c == 'S') {
            ++p;
            m.space_sub = p < args.size() ? args[p] : '\0';
            if (p < args.size()) ++p;
        } else if (c == 'L') {
            ++p;
            while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
            std::size_t w = p;
            while (p < args.size() && !is_space(static_cast<unsigned char>(args[p]))) ++p;
            std::string prio = args.substr(w, p - w);
            if (prio.size() > 4 && ascii_iequal(prio.substr(0, 4), "LOG_")) prio = prio.substr(4);
            static const char* kPrios[] = {"EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"};
            bool ok = prio.empty();
            for (const char* k : kPrios) ok = ok || ascii_iequal(prio, k);
            if (!ok) {
                rep.syserr("syslog_map_parseargs: Unknown priority " + prio);
                return false;
            }
        } else {
            rep.syserr(std::string("Illegal option ") + c + " map syslog");
            ++p;
        }
    }
    return true;
}

// parse_fields(): "1,3" -> group numbers, each below `nsub`.
bool parse_fields(const std::string& s, std::size_t nsub, std::vector<int>& out, Reporter& rep) {
    out.clear();
    std::size_t p = 0;
    const int max_fields = 32;  // MAX_MATCH + 1, less the terminator
    for (;;) {
        std::size_t e = s.find(',', p);
        std::string f = s.substr(p, e == std::string::npos ? std::string::npos : e - p);
        if (static_cast<int>(out.size()) >= max_fields) {
            rep.syserr("too many fields, " + std::to_string(max_fields) + " max");
            return false;
        }
        int v = std::atoi(f.c_str());
        if (v < 0 || v >= static_cast<int>(nsub)) {
            rep.syserr("field (" + std::to_string(v) + ") out of range, only " + std::to_string(nsub) +
                       " substrings in pattern");
            return false;
        }
        out.push_back(v);
        if (e == std::string::npos) break;
        p = e + 1;
    }
    return true;
}

bool parse_regex(MapDef& m, Extra& x, const std::string& args, Reporter& rep) {
    int pflags = REG_ICASE | REG_EXTENDED | REG_NOSUB;
    std::string sub_param;
    bool have_sub = false, have_delim = false;
    std::size_t p = parse_flags(args, 0, [&](char c, const std::string& rest, std::size_t, std::size_t&) {
        switch (c) {
        case 'n': x.regex_not = true; break;
        case 'f': m.no_fold = true; pflags &= ~REG_ICASE; break;
        case 'b': pflags &= ~REG_EXTENDED; break;
        case 's': sub_param = rest; have_sub = true; pflags &= ~REG_NOSUB; break;
        case 'd': x.delim = rest; have_delim = true; break;
        case 'a': m.append = rest; break;
        case 'm': m.match_only = true; break;
        case 'q': m.keep_quotes = true; break;
        case 'S': m.space_sub = rest.empty() ? '\0' : rest[0]; break;
        case 'D': m.defer = true; break;
        default: break;  // unknown options are ignored
        }
        return true;
    });
    std::string pattern = args.substr(std::min(p, args.size()));
    auto re = std::shared_ptr<regex_t>(new regex_t, [](regex_t* r) { regfree(r); delete r; });
    int err = regcomp(re.get(), pattern.c_str(), pflags);
    if (err != 0) {
        char buf[512];
        regerror(err, re.get(), buf, sizeof buf);
        rep.syserr(std::string("pattern-compile-error: ") + buf);
        re.reset(new regex_t, [](regex_t* r) { delete r; });
        return false;
    }
    x.re = re;
    x.nsub = re->re_nsub + 1;
    if (!have_delim) x.delim = std::string(1, static_cast<char>(meta::CONDELSE));
    if (!(pflags & REG_NOSUB)) {
        x.substrings = true;
        if (x.nsub >= 32) {
            rep.syserr("too many substrings, 32 max");
            return false;
        }
        if (have_sub && !sub_param.empty()) {
            if (!parse_fields(sub_param, x.nsub, x.fields, rep)) return false;
        } else {
            for (std::size_t i = 0; i < x.nsub; ++i) x.fields.push_back(static_cast<int>(i));
        }
    }
    return true;
}

bool parse_sequence(MapDef& m, Extra& x, const std::string& args, const std::map<std::string, MapDef>& maps,
                    Reporter& rep) {
    std::size_t p = 0;
    while (p < args.size()) {
        while (p < args.size() && is_space(static_cast<unsigned char>(args[p]))) ++p;
        std::size_t w = p;
        while (p < args.size() && (is_alnum(static_cast<unsigned char>(args[p])) || args[p] == '_' || args[p] == '.')) ++p;
        std::string name = args.substr(w, p - w);
        if (p < args.size()) ++p;
        while (p < args.size() && !is_alnum(static_cast<unsigned char>(args[p]))) ++p;
        if (name.empty()) continue;
        if (maps.find(ascii_lower(name)) == maps.end()) {
            rep.syserr("Sequence map " + m.name + ": unknown member map " + name);
        } else if (x.members.size() >= static_cast<std::size_t>(limits::kMaxMapStack)) {
            rep.syserr("Sequence map " + m.name + ": too many member maps (" + std::to_string(limits::kMaxMapStack) +
                       " max)");
        } else {
            x.members.push_back(name);
        }
    }
    return true;
}

// ---- lookups ---------------------------------------------------------------------

// map_rewrite(): %0..%9 from argv in the stored value, then -a.
std::string map_rewrite(const MapDef& m, const std::string& s, const std::vector<std::string>* av) {
    std::string out;
    if (!av) {
        out = s;
    } else {
        for (std::size_t i = 0; i < s.size() && s[i] != '\0'; ++i) {
            char c = s[i];
            if (c != '%') {
                out.push_back(c);
                continue;
            }
            if (i + 1 >= s.size() || s[i + 1] == '\0') {
                out.push_back('%');
                break;
            }
            c = s[++i];
            if (c == '%') {
                out.push_back('%');
                continue;
            }
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                out.push_back('%');
                out.push_back(c);
                continue;
            }
            std::size_t n = static_cast<std::size_t>(c - '0');
            if (n < av->size()) out += (*av)[n];
        }
    }
    out += m.append;
    return out;
}

MapResult dequote_lookup(const MapDef& m, const std::string& key) {
    std::string q;
    int angle = 0, cmnt = 0, quotes = 0, spaces = 0;
    bool quotemode = false, bslash = false;
    for (char c : key) {
        if (c == '\0') break;
        if (bslash) {
            bslash = false;
            q.push_back(c);
            continue;
        }
        if (c == ' ' && m.space_sub != '\0') c = m.space_sub;
        switch (c) {
        case '\\': bslash = true; break;
        case '(': ++cmnt; break;
        case ')':
            if (cmnt-- <= 0) return {};
            break;
        case ' ':
        case '\t': ++spaces; break;
        default: break;
        }
        if (cmnt > 0) {
            q.push_back(c);
            continue;
        }
        if (c == '"') {
            quotemode = !quotemode;
            ++quotes;
            continue;
        }
        if (c == '<') ++angle;
        else if (c == '>' && angle-- <= 0) return {};
        q.push_back(c);
    }
    if (angle != 0 || cmnt != 0 || bslash || quotemode || quotes <= 0 || spaces != 0) return {};
    return {map_rewrite(m, q, nullptr), ex::OK};
}

MapResult macro_lookup(const std::string& key, const std::vector<std::string>& argv, MapLookupContext& ctx) {
    if (key.empty()) return {std::nullopt, ex::CONFIG};
    MacroIdResult id = macid_parse(key, 0, ctx.env.names, ctx.rep);
    if (id.id == 0) return {std::nullopt, ex::CONFIG};
    if (argv.size() < 2) ctx.env.macros.unset(static_cast<MacroId>(id.id));
    else ctx.env.macros.set(static_cast<MacroId>(id.id), argv[1]);
    return {std::string(), ex::OK};
}

MapResult arith_lookup(const std::string& key, const std::vector<std::string>& argv) {
    long v[2] = {0, 0};
    int r = 0;
    for (std::size_t i = 1; i < argv.size() && r < 2; ++i) v[r++] = std::strtol(argv[i].c_str(), nullptr, 0);
    if (key.empty() || r != 2) return {std::nullopt, ex::CONFIG};
    long res = 0;
    int boolres = -1;
    switch (key[0]) {
    case '|': res = v[0] | v[1]; break;
    case '&': res = v[0] & v[1]; break;
    case '%':
        if (v[1] == 0) return {std::nullopt, ex::OK};
        res = v[0] % v[1];
        break;
    case '+': res = v[0] + v[1]; break;
    case '-': res = v[0] - v[1]; break;
    case '*': res = v[0] * v[1]; break;
    case '/':
        if (v[1] == 0) return {std::nullopt, ex::OK};
        res = v[0] / v[1];
        break;
    case 'l': boolres = v[0] < v[1]; break;
    case '=': boolres = v[0] == v[1]; break;
    case 'r': {
        long span = v[1] - v[0] + 1;
        if (span <= 0) return {std::nullopt, ex::OK};
        res = std::rand() % span + v[0];
        break;
    }
    default: return {std::nullopt, ex::CONFIG};
    }
    if (boolres >= 0) return {std::string(boolres ? "TRUE" : "FALSE"), ex::OK};
    return {std::to_string(res), ex::OK};
}

MapResult arpa_lookup(const MapDef& m, const std::string& key, const std::vector<std::string>& argv) {
    std::string result;
    int status = ex::DATAERR;
    if (key.size() >= 5 && ascii_iequal(key.substr(0, 5), "IPv6:")) {
        unsigned char a[16];
        std::string addr = key.substr(5);
        if (inet_pton_v6(addr, a)) {
            result = reverse_labels_v6(a);
            status = ex::OK;
        }
    } else {
        unsigned char a[4];
        if (inet_pton_v4(key, a)) {
            result = reverse_labels_v4(a);
            status = ex::OK;
        }
    }
    if (status != ex::OK) return {std::nullopt, status};
    if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
    return {map_rewrite(m, result, &argv), ex::OK};
}

MapResult regex_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv,
                       Reporter& rep) {
    regmatch_t pm[32];
    int res = regexec(x.re.get(), key.c_str(), 32, pm, 0);
    auto rewrite = [&](const std::string& s) -> MapResult {
        if (m.match_only) return {map_rewrite(m, argv.empty() ? key : argv[0], nullptr), ex::OK};
        return {map_rewrite(m, s, &argv), ex::OK};
    };
    if (x.regex_not) {
        if (res == REG_NOMATCH) return rewrite("");
        return {};
    }
    if (res == REG_NOMATCH) return {};
    if (!x.substrings) return rewrite("");
    std::vector<int> fields = x.fields;
    if (argv.size() > 1) {
        if (!parse_fields(argv[1], x.nsub, fields, rep)) return {std::nullopt, ex::CONFIG};
    }
    std::string out;
    int angle = 0, cmnt = 0, spaces = 0;
    bool quotemode = false, bslash = false;
    const std::size_t limit = limits::kMaxName - 1;
    bool first = true;
    for (int f : fields) {
        if (!first) {
            for (char c : x.delim) {
                if (out.size() < limit) out.push_back(c);
            }
        }
        first = false;
        if (f >= 32 || pm[f].rm_so < 0 || pm[f].rm_eo < 0) continue;
        for (regoff_t i = pm[f].rm_so; i < pm[f].rm_eo; ++i) {
            if (out.size() >= limit) continue;
            char c = key[static_cast<std::size_t>(i)];
            out.push_back(c);
            if (bslash) {
                bslash = false;
            } else if (quotemode && c != '"' && c != '\\') {
            } else {
                switch (c) {
                case '\\': bslash = true; break;
                case '(': ++cmnt; break;
                case ')': --cmnt; break;
                case '<': ++angle; break;
                case '>': --angle; break;
                case ' ': ++spaces; break;
                case '"': quotemode = !quotemode; break;
                default: break;
                }
            }
        }
    }
    if (angle != 0 || cmnt != 0 || quotemode || bslash || spaces != 0) return {};
    return rewrite(out);
}

// user_map_open(): -v names a passwd field; 0 for none, -1 for a bad name.
int user_column(const std::string& name) {
    if (name.empty()) return 0;
    static const char* kNames[] = {"name", "passwd", "uid", "gid", "gecos", "dir", "shell"};
    for (int i = 0; i < 7; ++i) {
        if (ascii_iequal(name, kNames[i])) return i + 1;
    }
    return -1;
}

MapResult user_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv,
                      Reporter& rep) {
    struct passwd* pw = getpwnam(key.c_str());
    if (!pw) return {std::nullopt, ex::NOUSER};
    if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
    int col = user_column(x.value_col);
    std::string v;
    switch (col) {
    case 0: case 1: v = pw->pw_name; break;
    case 2: v = "x"; break;
    case 3: v = std::to_string(pw->pw_uid); break;
    case 4: v = std::to_string(pw->pw_gid); break;
    case 5: v = pw->pw_gecos ? pw->pw_gecos : ""; break;
    case 6: v = pw->pw_dir; break;
    case 7: v = pw->pw_shell; break;
    default:
        rep.syserr("user_map " + m.name + ": bogus field " + std::to_string(col));
        return {};
    }
    return {map_rewrite(m, v, &argv), ex::OK};
}

MapResult program_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv) {
    std::vector<std::string> args{m.file};
    for (std::string& a : split_words(x.rebuild, true)) args.push_back(std::move(a));
    args.push_back(key);
    int pid = -1;
    int fd = spawn_reader(args, pid);
    if (fd < 0) return {std::nullopt, ex::OSFILE};
    char buf[limits::kMaxLine];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    std::optional<std::string> value;
    if (n > 0) {
        buf[n] = '\0';
        std::string s(buf);
        std::size_t nl = s.find('\n');
        if (nl != std::string::npos) s.resize(nl);
        value = m.match_only ? map_rewrite(m, key, nullptr) : map_rewrite(m, s, &argv);
        while (read(fd, buf, sizeof buf) > 0) {
        }
    }
    close(fd);
    int st = wait_child(pid);
    if (st < 0) st = ex::UNAVAILABLE;
    if (st != ex::OK) value.reset();
    return {value, st};
}

MapResult text_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv) {
    std::ifstream in(m.file);
    std::string k = m.no_fold ? key : ascii_lower(key);
    int kc = x.key_col.empty() ? 0 : std::atoi(x.key_col.c_str());
    int vc = x.value_col.empty() ? 0 : std::atoi(x.value_col.c_str());
    auto column = [&](const std::string& line, int col) -> std::optional<std::string> {
        std::vector<std::string> cols;
        if (x.col_delim == 0) {
            cols = split_words(line);
        } else {
            std::size_t p = 0;
            for (;;) {
                std::size_t e = line.find(x.col_delim, p);
                cols.push_back(line.substr(p, e == std::string::npos ? std::string::npos : e - p));
                if (e == std::string::npos) break;
                p = e + 1;
            }
        }
        if (col < 0 || static_cast<std::size_t>(col) >= cols.size()) return std::nullopt;
        return cols[static_cast<std::size_t>(col)];
    };
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '#') continue;
        std::optional<std::string> kv = column(line, kc);
        if (!kv) continue;
        std::string cand = m.no_fold ? *kv : ascii_lower(*kv);
        if (cand != k) continue;
        std::optional<std::string> vv = column(line, vc);
        if (!vv) return {std::nullopt, ex::NOTFOUND};
        if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
        return {map_rewrite(m, *vv, &argv), ex::OK};
    }
    return {std::nullopt, ex::NOTFOUND};
}

// host_map_lookup(): getcanonname() for names, gethostbyaddr() for
// "[address]". A temporary failure says so when the switch has "dns".
// host_map_lookup() without its cache: the answer for `key` and the status,
// and the h_errno the lookup leaves (kept with the answer in the cache).
MapRuntime::CanonEntry host_query(const std::string& key, MapLookupContext& ctx) {
    const Resolver* res = ctx.runtime.resolver;
    MapRuntime::CanonEntry e;
    std::optional<std::string> ans;
    bool try_again = false;
    if (!key.empty() && key[0] == '[') {
        std::size_t close = key.find(']');
        if (close == std::string::npos) {
            e.status = ex::OK;  // no answer, and nothing said
            return e;
        }
        std::string lit = key.substr(1, close - 1);
        // inet_addr() takes 127.1, 0x7f000001 and 0177.0.0.1 too: ask for the
        // address it means, in dotted-quad form
        in_addr_t ia_bin = inet_addr(lit.c_str());
        if (ia_bin != INADDR_NONE) {
            in_addr ia;
            ia.s_addr = ia_bin;
            lit = inet_ntoa(ia);
        }
        unsigned char a6[16];
        std::string v6 = ascii_lower(lit.substr(0, 5)) == "ipv6:" ? lit.substr(5) : lit;
        if (ia_bin == INADDR_NONE && !inet_pton_v6(v6, a6)) {
            // no address: nothing is asked, and the status comes from
            // whatever h_errno holds
            switch (ctx.runtime.h_errno_value) {
            case 1: case 4: e.status = ex::NOHOST; break;   // HOST_NOT_FOUND, NO_DATA
            case 2: e.status = ex::TEMPFAIL; break;         // TRY_AGAIN
            case 3: e.status = ex::SOFTWARE; break;         // NO_RECOVERY
            default: e.status = ex::UNAVAILABLE; break;
            }
            e.h_errno_value = ctx.runtime.h_errno_value;
            return e;
        }
        static const unsigned char unspecified[16] = {};
        if (ia_bin == INADDR_NONE && std::memcmp(a6, unspecified, sizeof a6) == 0) {
            // sm_gethostbyaddr(): no lookup at all for the IPv6 address ::
            ctx.runtime.h_errno_value = 1;  // HOST_NOT_FOUND
        } else if (res) {
            AddrAnswer a = res->host_by_address(lit);
            ans = a.name;
            try_again = a.try_again;
            ctx.runtime.h_errno_value = ans ? 0 : try_again ? 2 : 1;
        }
    } else if (res) {
        CanonAnswer c = res->getcanonname(key, true, true);
        if (c.found) ans = c.host;
        try_again = c.try_again;
        if (!ans) ctx.runtime.h_errno_value = try_again ? 2 : 1;  // success leaves it
    }
    if (ans) {
        e.answer = ans;
        e.status = ex::OK;  // a success is cached with h_errno 0
        return e;
    }
    e.h_errno_value = ctx.runtime.h_errno_value;
    if (!try_again) {
        e.status = ex::NOHOST;
        return e;
    }
    if (res->uses_name_server()) ctx.rep.plain(shorten(key, 33) + ": Name server timeout");
    e.status = ex::TEMPFAIL;
    return e;
}

MapResult host_lookup(const MapDef& m, const std::string& key, const std::vector<std::string>& argv,
                      MapLookupContext& ctx) {
    MapRuntime::CanonEntry entry;
    auto cached = ctx.runtime.namecanon.find(key);
    if (cached != ctx.runtime.namecanon.end()) {
        entry = cached->second;
        ctx.runtime.h_errno_value = entry.h_errno_value;
        // the cache says so whatever the resolver is
        if (entry.status == ex::TEMPFAIL) ctx.rep.plain(shorten(key, 33) + ": Name server timeout");
    } else {
        entry = host_query(key, ctx);
        ctx.runtime.namecanon.emplace(key, entry);
    }
    if (entry.status != ex::OK || !entry.answer) return {std::nullopt, entry.status};
    if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
    return {map_rewrite(m, *entry.answer, &argv), ex::OK};
}

// truncate_at_delim(): a list longer than `len` bytes is cut after a
// delimiter and ends in "...".
void truncate_at_delim(std::string& s, std::size_t len, char delim) {
    if (len == 0 || s.size() < len) return;
    s.resize(len - 1);
    for (;;) {
        std::size_t p = s.rfind(delim);
        if (p == std::string::npos) break;
        s.resize(p);
        if (p + 4 < len) {
            s += delim;
            s += "...";
            if (s.size() >= len) s.resize(len - 1);
            return;
        }
    }
    s = len > 3 ? std::string("...").substr(0, len - 1) : std::string();
}

// bestmx_map_lookup(): getmxrr() without the search list; the best host,
// or with -z all of them joined by the delimiter.
MapResult bestmx_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv,
                        MapLookupContext& ctx) {
    const Resolver* res = ctx.runtime.resolver;
    if (!res) return {std::nullopt, ex::NOTFOUND};
    MxAnswer mx = res->getmxrr(key, false);
    if (mx.count <= 0) return {std::nullopt, mx.rcode};
    if (m.match_only) return {map_rewrite(m, key, nullptr), mx.rcode};
    if (x.col_delim == '\0' || mx.count == 1) return {map_rewrite(m, mx.hosts[0], &argv), mx.rcode};
    const std::size_t bufsize = limits::kPsBufSize / 2;
    std::string buf;
    for (const std::string& h : mx.hosts) {
        if (h.find(x.col_delim) != std::string::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(x.col_delim));
            ctx.rep.syserr("bestmx_map_lookup: MX host " + h.substr(0, 64) + " includes map delimiter character " + hex);
            return {std::nullopt, mx.rcode};
        }
        if (buf.size() + h.size() + 2 > bufsize) break;
        if (!buf.empty()) buf += x.col_delim;
        buf += h;
    }
    return {map_rewrite(m, buf, &argv), mx.rcode};
}

// dns_map_lookup(): the records of the map's type for the key (with -B's
// domain appended); the first, or with -z all of them (at most -Z).
MapResult dns_lookup(const MapDef& m, const Extra& x, const std::string& key, const std::vector<std::string>& argv,
                     MapLookupContext& ctx) {
    const Resolver* res = ctx.runtime.resolver;
    std::string name = x.dns_base.empty() ? key : key + "." + x.dns_base;
    DnsAnswer a = res ? res->dns_lookup(name, x.dns_type) : DnsAnswer{};
    if (!a.ok) return {std::nullopt, a.try_again ? ex::TEMPFAIL : ex::NOTFOUND};
    std::optional<std::string> vp;
    int resnum = 0;
    for (auto& [type, value_in] : a.records) {
        if (type != x.dns_type) continue;
        std::string value = value_in;
        if (type == rrtype::AAAA && value_in.size() == 16)  // "IPv6:2001:db8:0:0:0:0:0:5"
            value = anynet_ntop(reinterpret_cast<const unsigned char*>(value_in.data()), ctx.runtime.compressed_ipv6);
        for (char& c : value) {  // strreplnonprt()
            if (static_cast<unsigned char>(c) >= 0x80 || !std::isprint(static_cast<unsigned char>(c))) c = 'X';
        }
        if (x.col_delim == '\0' || x.size_limit == 1 || m.match_only) {
            vp = value;
            break;
        }
        if (!vp) {
            vp = value;
        } else {
            *vp += x.col_delim;
            *vp += value;
            if (x.size_limit > 0 && ++resnum >= x.size_limit) break;
        }
    }
    if (!vp) return {std::nullopt, ex::NOTFOUND};
    truncate_at_delim(*vp, limits::kPsBufSize / 2, x.col_delim);
    if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
    return {map_rewrite(m, *vp, &argv), ex::OK};
}

// db_map_lookup(): the key is cut to MAXNAME bytes and folded to lower case
// unless -f; it is tried without and then with a trailing NUL, until one
// form has been found once.
MapResult db_lookup(const MapDef& m, const std::string& key, const std::vector<std::string>& argv,
                    MapLookupContext& ctx) {
    auto it = ctx.runtime.dbs.find(m.key);
    if (it == ctx.runtime.dbs.end() || !it->second.file) return {std::nullopt, ex::NOTFOUND};
    DbState& d = it->second;
    std::string k = key.substr(0, static_cast<std::size_t>(limits::kMaxName));
    if (!m.no_fold) k = ascii_lower(k);
    std::optional<std::string> v;
    bool failed = false;
    if (d.try_no_null) {
        v = d.file->get(k, failed);
        if (v) d.try_null = false;
    }
    if (!v && !failed && d.try_null) {
        v = d.file->get(k + '\0', failed);
        if (v) d.try_no_null = false;
    }
    if (failed) ctx.rep.syserr("db_map_lookup: get (" + key + ")");
    if (!v) return {std::nullopt, ex::OK};  // sendmail leaves the status alone
    if (m.match_only) return {map_rewrite(m, key, nullptr), ex::OK};
    return {map_rewrite(m, v->substr(0, v->find('\0')), &argv), ex::OK};
}

const Extra& extra(const MapDef& m) {
    static const Extra kNone;
    return m.impl ? *static_cast<const Extra*>(m.impl.get()) : kNone;
}


// makemapentry() after the class is known: the K line arguments parsed by
// the class's own parser; `valid` says whether it accepted them.
MapDef make_map(const std::string& name, const ClassInfo& info, const std::string& args, char blank_sub,
                const std::map<std::string, MapDef>& maps_, Reporter& rep) {
    MapDef m;
    m.name = name;
    m.key = ascii_lower(name);
    m.class_name = info.name;
    m.cls = info.cls;
    m.answers = info.answers;
    // Only map_parseargs() (the generic parser) defaults -S to BlankSub;
    // the other init functions leave it 0, and a key is then joined with
    // the BlankSub in force at lookup time.
    m.space_sub = '\0';
    auto x = std::make_shared<Extra>();
    bool ok = false;
    switch (info.parser) {
    case Parser::Generic: ok = parse_generic(m, *x, args, info, blank_sub, rep); break;
    case Parser::Dequote: ok = parse_dequote(m, args); break;
    case Parser::Host: ok = parse_host(m, args); break;
    case Parser::Regex: ok = parse_regex(m, *x, args, rep); break;
    case Parser::Sequence: ok = parse_sequence(m, *x, args, maps_, rep); break;
    case Parser::Syslog: ok = parse_syslog(m, args, rep); break;
    case Parser::Dns: ok = parse_dns(m, *x, args, rep); break;
    }
    // ldapmap_parseargs(): a map needs a search filter (-k)
    if (ok && std::strcmp(info.name, "ldap") == 0) {
        bool filter = false;
        for (const std::string& w : split_words(args)) filter = filter || w.rfind("-k", 0) == 0;
        if (!filter) {
            rep.syserr("No filter given in map " + name);
            ok = false;
        }
    }
    m.valid = ok;
    m.impl = x;
    return m;
}

} // namespace

// ---- Resolver defaults: a service switch without "dns" ------------------------------

CanonAnswer Resolver::getcanonname(const std::string& host, bool, bool) const {
    CanonAnswer a;
    a.host = host;
    if (std::optional<std::string> c = canonical_name(host)) {
        a.found = true;
        a.host = *c;
    } else {
        a.try_again = temporary_failure(host);
    }
    return a;
}

MxAnswer Resolver::getmxrr(const std::string& host, bool search) const {
    if (host.empty()) return {};
    return getmxrr_punt(*this, host, false, ex::OK, search);
}

AddrAnswer Resolver::host_by_address(const std::string& addr) const {
    AddrAnswer a;
    a.name = name_for_address(addr);
    if (!a.name) a.try_again = temporary_failure("[" + addr + "]");
    return a;
}

MxAnswer getmxrr_punt(const Resolver& r, const std::string& host, bool trycanon, int rcode, bool search) {
    MxAnswer a;
    a.rcode = rcode;
    std::string name = host;
    std::size_t close = host.find(']');
    if (host[0] == '[' && close != std::string::npos) {
        std::string inner = host.substr(1, close - 1);
        std::string v6 = ascii_lower(inner.substr(0, 5)) == "ipv6:" ? inner.substr(5) : inner;
        unsigned char a6[16];
        if (inet_addr(inner.c_str()) != INADDR_NONE || inet_pton_v6(v6, a6)) {
            a.count = 1;
            a.hosts.push_back(host);
            return a;
        }
        trycanon = true;
        name = inner;
    }
    if (trycanon) {
        CanonAnswer c = r.getcanonname(name, false, search);
        if (c.found) {
            if (c.host.empty() || c.host.back() != '.') c.host += '.';
            a.count = 1;
            a.hosts.push_back(c.host);
        }
    }
    return a;
}

// ---- MapTable -------------------------------------------------------------------

void MapTable::declare(std::string_view line_in, char blank_sub, Reporter& rep) {
    std::string line(line_in.substr(0, line_in.find('\0')));
    std::size_t p = 0;
    while (p < line.size() && is_space(static_cast<unsigned char>(line[p]))) ++p;
    if (p >= line.size() || !is_alnum(static_cast<unsigned char>(line[p]))) {
        rep.syserr("readcf: config K line: no map name");
        return;
    }
    std::size_t n = p;
    ++p;
    while (p < line.size() && (is_alnum(static_cast<unsigned char>(line[p])) || line[p] == '_' || line[p] == '.')) ++p;
    std::string name = line.substr(n, p - n);
    if (p < line.size()) ++p;
    while (p < line.size() && is_space(static_cast<unsigned char>(line[p]))) ++p;
    if (p >= line.size() || !is_alnum(static_cast<unsigned char>(line[p]))) {
        rep.syserr("readcf: config K line, map " + name + ": no map class");
        return;
    }
    std::size_t c = p;
    ++p;
    while (p < line.size() && is_alnum(static_cast<unsigned char>(line[p]))) ++p;
    std::string cls = line.substr(c, p - c);
    if (p < line.size()) ++p;
    while (p < line.size() && is_space(static_cast<unsigned char>(line[p]))) ++p;
    const ClassInfo* info = find_class(cls);
    if (!info) {
        rep.syserr("readcf: map " + name + ": class " + cls + " not available");
        return;
    }
    maps_[ascii_lower(name)] = make_map(name, *info, line.substr(std::min(p, line.size())), blank_sub, maps_, rep);
}


void MapTable::set_alias(const std::string& value, char blank_sub, Reporter& rep) {
    constexpr int kMaxMapStack = limits::kMaxMapStack;
    std::size_t p = 0;
    while (p != std::string::npos) {
        while (p < value.size() && is_space(static_cast<unsigned char>(value[p]))) ++p;
        if (p >= value.size()) break;
        if (alias_maps_ >= kMaxMapStack) {
            rep.syserr("Too many alias databases defined, " + std::to_string(kMaxMapStack) + " max");
            return;
        }
        std::size_t spec = p;
        std::string cls = "implicit";
        p = value.find_first_of(" ,/:", p);
        if (p != std::string::npos && value[p] == ':') {
            cls = value.substr(spec, p - spec);
            spec = ++p;
        }
        std::size_t end = std::string::npos;
        if (p != std::string::npos) {
            bool quoted = false;
            for (end = p; end < value.size(); ++end) {
                if (value[end] == '"') quoted = !quoted;
                else if (value[end] == ',' && !quoted) break;
            }
            if (end >= value.size()) end = std::string::npos;
        }
        std::string text = value.substr(spec, end == std::string::npos ? std::string::npos : end - spec);
        p = end == std::string::npos ? end : end + 1;
        const ClassInfo* info = find_class(cls);
        if (!info) {
            rep.syserr("setalias: unknown alias class " + cls);
        } else if (!info->alias_ok) {
            rep.syserr("setalias: map class " + cls + " can't handle aliases");
        } else {
            std::string name = "Alias" + std::to_string(alias_maps_);
            MapDef m = make_map(name, *info, text, blank_sub, maps_, rep);
            m.alias = true;
            if (m.valid) ++alias_maps_;
            maps_[ascii_lower(name)] = std::move(m);
        }
    }
}

void MapTable::finish(int config_level, Reporter& rep) {
    if (!find("host")) declare(config_level >= 2 ? "host host -a. -D" : "host host", ' ', rep);
    // The service switch cfkit models has "aliases files".
    if (!find("aliases.files")) declare("aliases.files null", ' ', rep);
    if (!find("aliases")) declare("aliases switch aliases", ' ', rep);
}

const MapDef* MapTable::find(const std::string& name) const {
    auto it = maps_.find(ascii_lower(name));
    return it == maps_.end() ? nullptr : &it->second;
}

// ---- open and lookup ----------------------------------------------------------------

namespace {

enum OpenState { kUnopened = 0, kOpen = 1, kBogus = -1, kClosed = -2 };

// The service switch cfkit models: "hosts files", "aliases files".
std::vector<std::string> switch_services(const std::string& service) {
    if (service == "hosts" || service == "aliases") return {"files"};
    return {};
}

// text_map_open()'s and text_map_lookup()'s check of the file: "unsafe map
// file" whatever the reason, with errno's text only when safefile() left
// errno set (a missing directory, or a missing file it met on the way).
bool text_file_safe(const MapDef& m, MapLookupContext& ctx, bool speak) {
    const DontBlame& dbs = ctx.runtime.dont_blame;
    SafeCheck safe = safefile(m.file, ctx.runtime.file_user, map_file_flags(dbs), dbs, ctx.runtime.warn_unsafe);
    for (const std::string& w : safe.warnings) ctx.rep.message(w);
    if (safe.error == 0) return true;
    if (speak)
        ctx.rep.syserr("text map \"" + m.name + "\": unsafe map file " + m.file +
                           (safe.errno_left ? ": " + std::string(std::strerror(safe.errno_left)) : std::string()),
                       safe.errno_left != 0);
    return false;
}

// A class's open routine; false: could not open (messages as sendmail's).
bool class_open(const MapDef& m, MapLookupContext& ctx) {
    // db_map_open(): the file name gets ".db" unless it has it; `quiet`
    // for the implicit class, which tries quietly.
    auto open_db = [&](DbFile::Kind kind, const char* what, bool quiet) {
        std::string path = m.file;
        if (path.size() < 3 || path.compare(path.size() - 3, 3, ".db") != 0) path += ".db";
        bool speak = !m.optional && !quiet;
        const DontBlame& dbs = ctx.runtime.dont_blame;
        SafeCheck safe = safefile(path, ctx.runtime.file_user, map_file_flags(dbs), dbs, ctx.runtime.warn_unsafe);
        for (const std::string& w : safe.warnings) ctx.rep.message(w);
        if (safe.error != 0) {
            if (speak)
                ctx.rep.syserr(std::string(what) + " map \"" + m.name + "\": " +
                                   (safe.error == ENOENT ? "missing" : "unsafe") + " map file " + path + ": " +
                                   sm_errstring(safe.error),
                               true);
            return false;
        }
        std::string error;
        std::shared_ptr<DbFile> f = DbFile::open_shared(path, kind, error);
        if (!f) {
            if (speak) ctx.rep.syserr(std::string("Cannot open ") + what + " database " + path + ": " + error, true);
            return false;
        }
        DbState& d = ctx.runtime.dbs[m.key];
        d.file = std::move(f);
        d.try_no_null = m.try_no_null;
        d.try_null = m.try_null;
        return true;
    };
    switch (m.cls) {
    case MapClass::Hash: return open_db(DbFile::Kind::Hash, "hash", false);
    case MapClass::Btree: return open_db(DbFile::Kind::Btree, "btree", false);
    case MapClass::Implicit: {
        if (open_db(DbFile::Kind::Hash, "hash", true)) return true;
        // impl_map_open(): an alias file falls back to its text version
        // (which cfkit does not read: the map stays unusable)
        if (m.alias && ctx.runtime.verbose > 0)
            ctx.rep.message("WARNING: cannot open alias database " + m.file + "; reading text version");
        return false;
    }
    case MapClass::Text: {
        if (m.file.empty()) {
            ctx.rep.syserr("text map \"" + m.name + "\": file name required");
            return false;
        }
        if (m.file[0] != '/') {
            ctx.rep.syserr("text map \"" + m.name + "\": file name must be fully qualified");
            return false;
        }
        return text_file_safe(m, ctx, !m.optional);
    }
    case MapClass::Nis: {
        ctx.rep.syserr("NIS map " + m.file + " specified, but NIS not running");
        return false;
    }
    case MapClass::Stab:
    case MapClass::Userdb:
    case MapClass::Ldap:
    case MapClass::Socket:
    case MapClass::Nisplus:
        return false;
    case MapClass::User: {
        if (user_column(extra(m).value_col) < 0) {
            ctx.rep.syserr("User map " + m.name + ": unknown column name " + extra(m).value_col);
            return false;
        }
        return true;
    }
    case MapClass::Switch: {
        std::vector<std::string> svc = switch_services(m.file);
        if (svc.empty()) return false;
        for (const std::string& s : svc) {
            if (!ctx.table || !ctx.table->find(m.name + "." + s))
                ctx.rep.syserr("Switch map " + m.name + ": unknown member map " + m.name + "." + s);
        }
        return true;
    }
    default:
        return true;
    }
}

} // namespace

bool open_map(const MapDef& map, MapLookupContext& ctx) {
    if (!map.valid) return false;
    int& st = ctx.runtime.open_state[map.key];
    if (st == kOpen || st == kBogus) return true;
    if (st == kClosed) return false;
    if (class_open(map, ctx)) {
        st = kOpen;
    } else if (!map.optional) {
        st = kBogus;  // every lookup is now a temporary failure
    } else {
        st = kClosed;
    }
    return st != kClosed;
}

MapResult lookup_map(const MapDef& map, const std::string& key, const std::vector<std::string>& argv,
                     MapLookupContext& ctx) {
    auto it = ctx.runtime.open_state.find(map.key);
    if (it != ctx.runtime.open_state.end() && it->second == kBogus) return {std::nullopt, ex::TEMPFAIL};
    if (!ctx.runtime.added.empty()) {
        auto m = ctx.runtime.added.find(map.key);
        if (m != ctx.runtime.added.end()) {
            auto e = m->second.find(map.no_fold ? key : ascii_lower(key));
            if (e != m->second.end()) {
                if (map.match_only) return {map_rewrite(map, key, nullptr), ex::OK};
                return {map_rewrite(map, e->second, &argv), ex::OK};
            }
        }
    }
    const Extra& x = extra(map);
    switch (map.cls) {
    case MapClass::Dequote: return dequote_lookup(map, key);
    case MapClass::Macro: return macro_lookup(key, argv, ctx);
    case MapClass::Arith: return arith_lookup(key, argv);
    case MapClass::Arpa: return arpa_lookup(map, key, argv);
    case MapClass::Regex: return regex_lookup(map, x, key, argv, ctx.rep);
    case MapClass::Null: return {std::nullopt, ex::NOTFOUND};
    case MapClass::Syslog: return {std::string(), ex::OK};
    case MapClass::User: return user_lookup(map, x, key, argv, ctx.rep);
    case MapClass::Program: return program_lookup(map, x, key, argv);
    case MapClass::Text:
        // the file is checked again at every lookup; now unsafe, the map closes
        if (!text_file_safe(map, ctx, false)) {
            ctx.runtime.open_state[map.key] = kClosed;
            return {std::nullopt, ex::UNAVAILABLE};
        }
        return text_lookup(map, x, key, argv);
    case MapClass::Host: return host_lookup(map, key, argv, ctx);
    case MapClass::Bestmx: return bestmx_lookup(map, x, key, argv, ctx);
    case MapClass::Dns: return dns_lookup(map, x, key, argv, ctx);
    case MapClass::Hash:
    case MapClass::Btree:
    case MapClass::Implicit: return db_lookup(map, key, argv, ctx);
    case MapClass::Sequence:
    case MapClass::Switch: {
        std::vector<std::string> members = x.members;
        if (map.cls == MapClass::Switch) {
            members.clear();
            for (const std::string& s : switch_services(map.file)) members.push_back(map.name + "." + s);
        }
        bool tempfail = false;
        int status = ex::OK;
        for (const std::string& name : members) {
            const MapDef* mm = ctx.table ? ctx.table->find(name) : nullptr;
            if (!mm || !open_map(*mm, ctx)) continue;
            status = ex::OK;
            MapResult r = lookup_map(*mm, key, argv, ctx);
            status = r.status;
            if (r.value) return r;
            if (status == ex::TEMPFAIL) tempfail = true;
        }
        if (tempfail) return {std::nullopt, ex::TEMPFAIL};
        return {std::nullopt, status == ex::OK ? ex::NOTFOUND : status};
    }
    default: return {std::nullopt, ex::NOTFOUND};
    }
}

FileClassResult MapTable::file_class_lookup(const std::string& name, const std::string& cls, const std::string& spec,
                                            const std::string& key, char blank_sub, Env& env, Reporter& rep) const {
    FileClassResult r;
    const ClassInfo* info = find_class(cls);
    if (!info) return r;
    r.step = FileClassResult::ParseFailed;
    MapDef m = make_map(name, *info, spec, blank_sub, maps_, rep);
    if (!m.valid) return r;  // the parser said why
    r.optional = m.optional;
    r.step = FileClassResult::OpenFailed;
    MapRuntime runtime;
    MapLookupContext ctx{env, runtime, rep, this};
    // the class's own open, not openmap(): a failure leaves no "bogus" map
    if (!class_open(m, ctx)) return r;
    MapResult res = lookup_map(m, key, {key}, ctx);
    r.status = res.status;
    r.value = res.value;
    r.step = FileClassResult::LookedUp;
    return r;
}

} // namespace cfkit
