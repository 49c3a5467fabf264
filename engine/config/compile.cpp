// See compile.hpp. One function per line kind, in the order readcf() has
// them; each follows sendmail's checks in sendmail's order, because the
// messages and what survives an error depend on that order.
#include "engine/config/compile.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/config/build_info.hpp"
#include "engine/config/option_table.hpp"
#include "engine/config/rulesets.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/translate.hpp"
#include "grammar/comments.hpp"

namespace cfkit {

namespace {

constexpr int kMaxConfigLevel = 10;
constexpr const char* kVersion = "8.17.1.9";

// munchstring(p, &delim, ','): a field's value up to an unquoted ',' (M
// and Q lines), backslash escapes undone; `p` is left at the ',' or the end.
std::string munch_field(const std::string& s, std::size_t& p) {
    std::string val;
    bool bs = false, quote = false;
    for (; p < s.size(); ++p) {
        char ch = s[p];
        if (bs) {
            bs = false;
            switch (ch) {
            case 'r': val.push_back('\r'); break;
            case 'n': val.push_back('\n'); break;
            case 'f': val.push_back('\f'); break;
            case 'b': val.push_back('\b'); break;
            default: val.push_back(ch);
            }
            continue;
        }
        if (ch == '\\') bs = true;
        else if (ch == '"') quote = !quote;
        else if (quote || ch != ',') val.push_back(ch);
        else break;
    }
    return val;
}

bool atobool(const std::string& s) {
    return s.empty() || std::strchr("tTyY", s[0]) != nullptr;
}

std::string strip_high_bit(std::string s) {
    for (char& c : s) c = static_cast<char>(static_cast<unsigned char>(c) & 0x7f);
    return s;
}

bool safe_class_format(const std::string& fmt);

class Compiler {
public:
    Compiler(Config& cfg, const CompileOptions& opt, Reporter& rep) : c_(cfg), opt_(opt), rep_(rep) {}

    void run(const CfFile& file);
    void sticky(const std::vector<std::string>& opts);
    // setdefaults(): prog, *file* and *include* exist before the file is read.
    void builtin_mailers() {
        for (const char* m : {"Mprog, P=/bin/sh, F=lsouDq9, T=X-Unix/X-Unix/X-Unix, A=sh -c \x81u",
                              "M*file*, P=[FILE], F=lsDFMPEouq9, T=X-Unix/X-Unix/X-Unix, A=FILE \x81u",
                              "M*include*, P=/dev/null, F=su, A=INCLUDE \x81u"}) {
            mailer(m);
        }
    }

private:
    void line(std::string& bp);
    void rule(std::string& bp);
    void ruleset_line(const std::string& bp);
    void define(const std::string& bp);
    void class_words(const std::string& bp, bool trusted);
    void file_class(const std::string& bp);
    void map_class(MacroId cls, const std::string& spec, bool optional);
    void mailer(const std::string& bp);
    void option(const std::string& bp);
    void version(const std::string& bp);
    void queue_group(const std::string& line);
    void check_user_option(const std::string& lname, const std::string& val);
    void option_warnings(const std::string& lname, const std::string& val);
    bool check_mailer_user(Mailer& m, const std::string& val);
    void map_line(const std::string& bp);
    void header(const std::string& bp);
    void after_file();

    Tokens tokenize_rule_half(const std::string& text);
    void add_class_words(MacroId cls, const std::string& words);
    void read_class_file(MacroId cls, const std::string& file, const std::string& fmt, bool optional);

    Config& c_;
    const CompileOptions& opt_;
    Reporter& rep_;
    std::optional<FileUser> file_user_;  // who F files are checked for
    int ruleset_ = -1;
    int priorities_ = 0;
    std::vector<std::string> sticky_;  // long names set on the command line
    bool setting_sticky_ = false;
};

void Compiler::sticky(const std::vector<std::string>& opts) {
    setting_sticky_ = true;
    for (const std::string& o : opts) option("O " + o);
    setting_sticky_ = false;
}

void Compiler::run(const CfFile& file) {
    for (const CfLine& l : file.lines) {
        if (l.kind == LineKind::Comment) continue;
        rep_.loc = l.loc;
        rep_.loc.file = opt_.display_path;
        rep_.sendmail_line = l.report_line;
        std::string bp = translate_dollars(l.raw, c_.config_level, c_.env.names, rep_);
        line(bp);
        if (c_.stopped_with) return;
    }
    rep_.loc = SourceLoc{};
    rep_.sendmail_line = 0;
    after_file();
}

void Compiler::line(std::string& bp) {
    const char key = bp.empty() ? '\0' : bp[0];
    if (key == '\0' || key == '#') return;
    switch (key) {
    case 'R': rule(bp); break;
    case 'S': ruleset_line(bp); break;
    case 'D': define(bp); break;
    case 'H': header(bp); break;
    case 'C': class_words(bp, false); break;
    case 'T': class_words(bp, true); break;
    case 'F': file_class(bp); break;
    case 'M': mailer(bp); break;
    case 'O': option(bp); break;
    case 'P': {
        if (priorities_ >= limits::kMaxPriorities) {
            rep_.syserr("too many P lines, " + std::to_string(limits::kMaxPriorities) + " max");
            break;
        }
        if (bp.find('=', 1) == std::string::npos) {
            rep_.syserr("unknown configuration line \"" + strip_high_bit(bp) + "\"");
            break;
        }
        ++priorities_;
        break;
    }
    case 'Q': queue_group(bp.substr(1)); break;
    case 'V': version(bp); break;
    case 'K': map_line(bp); break;
    case 'E': break;  // environment for mailers: nothing to do for rewriting
    case 'X': {
        std::size_t p = 1;
        while (p < bp.size() && (bp[p] == ',' || is_space(static_cast<unsigned char>(bp[p])))) ++p;
        if (p >= bp.size() || bp[p] == ',') rep_.syserr("name required for mail filter");
        break;
    }
    default:
        rep_.syserr("unknown configuration line \"" + strip_high_bit(bp) + "\"");
    }
}

// ---- R ------------------------------------------------------------------------

Tokens Compiler::tokenize_rule_half(const std::string& text) {
    std::string ex = expand(text, c_.env, rep_, limits::kMaxLine);
    if (!c_.tables) c_.tables = freeze_token_tables(c_.options, c_.config_level, c_.env);
    ScanOptions so;
    so.delim = '\t';
    so.ignore = true;
    so.bufsize = limits::kRuleBufSize;
    const TokenTable& tab = c_.config_level >= 9 ? c_.tables->nocomment : c_.tables->internal;
    ScanResult r = prescan(ex, tab, so);
    for (const std::string& e : r.errors) rep_.usrerr(e);
    if (!r.ok) return {};
    return std::move(r.tokens);
}

void Compiler::rule(std::string& bp) {
    if (ruleset_ < 0) {
        rep_.syserr("missing valid ruleset for \"" + strip_high_bit(bp) + "\"");
        return;
    }
    std::size_t tab = bp.find('\t', 1);
    if (tab == std::string::npos) {
        rep_.syserr("invalid rewrite line \"" + strip_high_bit(bp) + "\" (tab expected)");
        return;
    }
    Rule r;
    r.loc = rep_.loc;
    r.line = rep_.sendmail_line;
    r.lhs = tokenize_rule_half(bp.substr(1, tab - 1));
    int nfuzzy = 0;
    if (!r.lhs.empty()) {
        for (const std::string& t : r.lhs) {
            const char* botch = nullptr;
            switch (meta::first(t)) {
            case meta::MATCHZANY: case meta::MATCHANY: case meta::MATCHONE:
            case meta::MATCHCLASS: case meta::MATCHNCLASS: ++nfuzzy; break;
            case meta::MATCHREPL: botch = "$1-$9"; break;
            case meta::CANONUSER: botch = "$:"; break;
            case meta::CALLSUBR: botch = "$>"; break;
            case meta::CONDIF: botch = "$?"; break;
            case meta::CONDFI: botch = "$."; break;
            case meta::HOSTBEGIN: botch = "$["; break;
            case meta::HOSTEND: botch = "$]"; break;
            case meta::LOOKUPBEGIN: botch = "$("; break;
            case meta::LOOKUPEND: botch = "$)"; break;
            default: break;
            }
            if (botch) rep_.syserr(std::string("Inappropriate use of ") + botch + " on LHS");
        }
    } else {
        rep_.syserr("R line: null LHS");
    }
    if (nfuzzy > limits::kMaxMatch) {
        rep_.syserr("R line: too many wildcards");
        r.lhs.clear();
    }
    r.wildcards = nfuzzy;
    r.lhs_ids = intern_tokens(r.lhs);

    std::size_t p = tab;
    while (p < bp.size() && bp[p] == '\t') ++p;
    std::size_t q = p;
    while (p < bp.size() && bp[p] != '\t') ++p;
    r.rhs = tokenize_rule_half(bp.substr(q, p - q));
    if (!r.rhs.empty()) {
        bool inmap = false;
        int args = 0;
        unsigned char endtoken = 0;
        for (const std::string& t : r.rhs) {
            const char* botch = nullptr;
            unsigned char f = meta::first(t);
            switch (f) {
            case meta::MATCHREPL: {
                unsigned char d = t.size() > 1 ? static_cast<unsigned char>(t[1]) : 0;
                if (d <= '0' || d > '0' + nfuzzy) {
                    rep_.syserr(std::string("replacement $") + static_cast<char>(d) + " out of bounds");
                }
                break;
            }
            case meta::MATCHZANY: botch = "$*"; break;
            case meta::MATCHANY: botch = "$+"; break;
            case meta::MATCHONE: botch = "$-"; break;
            case meta::MATCHCLASS: botch = "$="; break;
            case meta::MATCHNCLASS: botch = "$~"; break;
            case meta::CANONHOST:
                if (!inmap) break;
                if (++args >= limits::kMaxMapArgs) rep_.syserr("too many arguments for map lookup");
                break;
            case meta::HOSTBEGIN:
            case meta::LOOKUPBEGIN:
                endtoken = f == meta::HOSTBEGIN ? meta::HOSTEND : meta::LOOKUPEND;
                if (inmap) rep_.syserr("cannot nest map lookups");
                inmap = true;
                args = 0;
                break;
            case meta::HOSTEND:
            case meta::LOOKUPEND:
                if (f != endtoken) break;
                inmap = false;
                endtoken = 0;
                break;
            default: break;
            }
            if (botch) rep_.syserr(std::string("Inappropriate use of ") + botch + " on RHS");
        }
        if (inmap) rep_.syserr("missing map closing token");
    } else {
        rep_.syserr("R line: null RHS");
    }
    Ruleset& rs = c_.rulesets[static_cast<std::size_t>(ruleset_)];
    r.rhs_ids = intern_tokens(r.rhs);
    rs.add_rule(std::move(r));
    rs.defined = true;
}

// ---- S ------------------------------------------------------------------------

void Compiler::ruleset_line(const std::string& bp) {
    std::string ex = expand(bp.substr(1), c_.env, rep_, limits::kMaxLine);
    ruleset_ = rwset_enter(c_, ex, nullptr, rep_);
    if (ruleset_ < 0) return;
    if (c_.rulesets[static_cast<std::size_t>(ruleset_)].defined && opt_.test_mode) {
        rep_.plain("WARNING: Ruleset " + bp.substr(1) + " has multiple definitions");
    }
}

// ---- D, C, T, F -----------------------------------------------------------------

void Compiler::define(const std::string& bp) {
    MacroIdResult id = macid_parse(bp, 1, c_.env.names, rep_);
    if (id.id == 0) return;
    c_.env.macros.set(static_cast<MacroId>(id.id), munchstring(std::string_view(bp).substr(id.end)));
}

void Compiler::add_class_words(MacroId cls, const std::string& words) {
    std::size_t p = 0;
    while (p < words.size()) {
        while (p < words.size() && is_space(static_cast<unsigned char>(words[p]))) ++p;
        std::size_t w = p;
        while (p < words.size() && !is_space(static_cast<unsigned char>(words[p]))) ++p;
        if (p == w) continue;
        std::string word = words.substr(w, p - w);
        if (meta::first(word) == meta::MATCHCLASS) {
            // `$=X` copies class X (macid of the rest; a bad name is ignored).
            if (word.size() < 2) continue;
            MacroIdResult src = macid_parse(word, 1, c_.env.names, rep_);
            if (src.id != 0) c_.env.classes.copy(static_cast<MacroId>(src.id), cls);
            continue;
        }
        c_.env.classes.add(cls, word);
    }
}

void Compiler::class_words(const std::string& bp, bool trusted) {
    if (trusted) {
        add_class_words('t', bp.substr(1));
        return;
    }
    MacroIdResult id = macid_parse(bp, 1, c_.env.names, rep_);
    if (id.id == 0) return;
    add_class_words(static_cast<MacroId>(id.id),
                    expand(std::string_view(bp).substr(id.end), c_.env, rep_, limits::kMaxLine));
}

// F-line formats go to sscanf() with one string buffer, as in sendmail; a
// format with any other number or kind of conversions would make sendmail
// write past that buffer (it crashes), so cfkit refuses it instead.
bool safe_class_format(const std::string& fmt) {
    int conversions = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') continue;
        if (++i >= fmt.size()) return false;
        if (fmt[i] == '%') continue;
        if (fmt[i] == '*') return false;
        while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) ++i;
        if (i >= fmt.size()) return false;
        if (fmt[i] == 's') {
            ++conversions;
        } else if (fmt[i] == '[') {
            ++i;
            if (i < fmt.size() && fmt[i] == '^') ++i;
            if (i < fmt.size() && fmt[i] == ']') ++i;
            while (i < fmt.size() && fmt[i] != ']') ++i;
            if (i >= fmt.size()) return false;
            ++conversions;
        } else {
            return false;
        }
    }
    return conversions == 1;
}

void Compiler::read_class_file(MacroId cls, const std::string& file, const std::string& fmt, bool optional) {
    std::FILE* f = nullptr;
    int pid = -1;
    if (!file.empty() && file[0] == '|') {
        // prog_open(): the program runs without a shell, its arguments
        // split at blanks and TABs.
        int fd = spawn_reader(split_words(std::string_view(file).substr(1), true), pid);
        if (fd >= 0) f = fdopen(fd, "r");
    } else {
        // safefile(): no class file under a directory others may write
        const DontBlame& dbs = c_.options.dont_blame;
        if (!file_user_) file_user_ = FileUser::current();  // once: getpwuid() reads the passwd file
        const FileUser& user = *file_user_;
        SafeCheck safe = safefile(file, user, class_file_flags(dbs, user.real_uid), dbs, false);
        if (safe.error != 0) {
            if (!optional) rep_.syserr("fileclass: cannot open '" + file + "': " + sm_errstring(safe.error), true);
            return;
        }
        f = std::fopen(file.c_str(), "r");
    }
    if (!f) {
        if (!optional) {
            int err = errno;
            rep_.syserr("fileclass: cannot open '" + file + "': " + std::strerror(err), err != 0);
        }
        return;
    }
    // the file is opened first: a file sendmail cannot open is reported as such
    if (!safe_class_format(fmt)) {
        rep_.syserr("fileclass: cfkit supports only formats with one %s or %[...] conversion, not \"" + fmt + "\"");
        std::fclose(f);
        if (pid > 0) wait_child(pid);
        return;
    }
    char buf[limits::kMaxLine];
    while (std::fgets(buf, sizeof buf, f)) {
        if (buf[0] == '#') continue;
        char wbuf[limits::kMaxLine + 1];
        wbuf[0] = '\0';
        if (std::sscanf(buf, fmt.c_str(), wbuf) != 1) continue;
        // parse_class_words(): every white-space separated word of the match
        for (const std::string& w : split_words(wbuf)) c_.env.classes.add(cls, w);
    }
    std::fclose(f);
    if (pid > 0) wait_child(pid);
}

// F{X}key@class:spec: the class's words come from one lookup of `key` in a
// map made for it (named as macname() shows the class).
void Compiler::map_class(MacroId cls, const std::string& spec, bool optional) {
    const std::string mn = cls >= limits::kFirstLongMacroId ? c_.env.names.name_of(cls)
                                                             : std::string(1, static_cast<char>(cls));
    std::size_t at = spec.find('@');
    std::string key = spec.substr(0, at), mapclass = spec.substr(at + 1), args;
    if (mapclass == "LDAP") {
        mapclass = "ldap";  // sendmail builds a default spec; cfkit's ldap class never opens
    } else {
        std::size_t colon = mapclass.find(':');
        args = mapclass.substr(colon + 1);
        mapclass.resize(colon);
    }
    FileClassResult r = c_.maps->file_class_lookup(mn, mapclass, args, key, c_.options.blank_sub, c_.env, rep_);
    switch (r.step) {
    case FileClassResult::NoClass:
        rep_.syserr("fileclass: F{" + mn + "}: class " + mapclass + " not available");
        return;
    case FileClassResult::ParseFailed:  // the class's parser said why
        return;
    case FileClassResult::OpenFailed:
        if (!optional && !r.optional) rep_.syserr("fileclass: F{" + mn + "}: map open failed");
        return;
    case FileClassResult::LookedUp:
        break;
    }
    if (r.status != ex::OK && r.status != ex::NOTFOUND) {
        if (!optional) rep_.syserr("fileclass: F{" + mn + "}: map lookup failed");
        return;
    }
    // parse_class_words(): every white-space separated word of the value
    if (r.value)
        for (const std::string& w : split_words(*r.value)) c_.env.classes.add(cls, w);
}

void Compiler::file_class(const std::string& bp) {
    MacroIdResult id = macid_parse(bp, 1, c_.env.names, rep_);
    if (id.id == 0) return;
    std::size_t p = id.end;
    while (p < bp.size() && is_space(static_cast<unsigned char>(bp[p]))) ++p;
    bool optional = false;
    if (p + 1 < bp.size() && bp[p] == '-' && bp[p + 1] == 'o') {
        optional = true;
        while (p < bp.size() && !is_space(static_cast<unsigned char>(bp[p]))) ++p;
        while (p < bp.size() && is_space(static_cast<unsigned char>(bp[p]))) ++p;
    }
    std::string spec = bp.substr(p);
    if (!spec.empty() && spec[0] != '/' && spec[0] != '|') {
        std::size_t at = spec.find('@');
        if (at != std::string::npos) {
            std::string q = spec.substr(at + 1);
            if (q == "LDAP" || (!q.empty() && q[0] != ':' && q.find(':') != std::string::npos)) {
                map_class(static_cast<MacroId>(id.id), spec, optional);
                return;
            }
        }
    }
    // extrquotstr(): the file name ends at white space outside quotes.
    std::string file;
    bool quoted = false, ok = true;
    std::size_t i = 0;
    for (; i < spec.size(); ++i) {
        char ch = spec[i];
        if (ch == '\\' && i + 1 < spec.size() && spec[i + 1] == ' ') {
            file.push_back(' ');
            ++i;
        } else if (ch == '"') {
            quoted = !quoted;
        } else if (!quoted && ch == ' ') {
            break;
        } else {
            file.push_back(ch);
        }
    }
    if (quoted) ok = false;
    if (!ok) {
        rep_.syserr("illegal filename '" + spec + "'");
        return;
    }
    std::string fmt = "%s";
    if (!(file.size() > 0 && file[0] == '|') && i < spec.size()) {
        std::size_t f = i + 1;
        while (f < spec.size() && is_space(static_cast<unsigned char>(spec[f]))) ++f;
        if (f < spec.size()) fmt = spec.substr(f);
    }
    if (file.empty()) {
        rep_.syserr("fileclass: missing file name");
        return;
    }
    read_class_file(static_cast<MacroId>(id.id), file, fmt, optional);
}

// ---- M ------------------------------------------------------------------------

void Compiler::mailer(const std::string& bp) {
    std::size_t p = 1;
    while (p < bp.size() && bp[p] != ',' && !is_space(static_cast<unsigned char>(bp[p]))) ++p;
    std::string name = bp.substr(1, p - 1);
    if (p < bp.size()) ++p;
    if (name.empty()) {
        rep_.syserr("name required for mailer");
        return;
    }
    Mailer m;
    m.name = name;
    m.loc = rep_.loc;
    bool have_argv = false, have_path = false;
    while (p < bp.size()) {
        while (p < bp.size() && (bp[p] == ',' || is_space(static_cast<unsigned char>(bp[p])))) ++p;
        if (p >= bp.size()) break;
        char fcode = bp[p];
        while (p < bp.size() && bp[p] != '=' && bp[p] != ',') ++p;
        if (p >= bp.size() || bp[p] != '=') {
            rep_.syserr("mailer " + name + ": `=' expected");
            return;
        }
        ++p;
        while (p < bp.size() && is_space(static_cast<unsigned char>(bp[p]))) ++p;
        std::string val = munch_field(bp, p);
        m.fields[fcode] = val;
        switch (fcode) {
        case 'P':
            if (!val.empty()) {
                have_path = true;
                m.path = val;
            }
            break;
        case 'F':
            for (char ch : val) {
                if (!is_space(static_cast<unsigned char>(ch)) && m.flags.find(ch) == std::string::npos) m.flags.push_back(ch);
            }
            break;
        case 'S':
        case 'R': {
            std::size_t endp = 0;
            int i = rwset_enter(c_, val, &endp, rep_);
            if (i < 0) return;
            int& env_rs = fcode == 'S' ? m.se_rwset : m.re_rwset;
            int& hdr_rs = fcode == 'S' ? m.sh_rwset : m.rh_rwset;
            env_rs = hdr_rs = i;
            if (endp < val.size() && val[endp] == '/') {
                int h = rwset_enter(c_, val.substr(endp + 1), nullptr, rep_);
                if (h < 0) return;
                hdr_rs = h;
            }
            break;
        }
        case 'E':
            if (val.empty()) rep_.syserr("mailer " + name + ": null end-of-line string");
            else m.eol = val;
            break;
        case 'A':
            if (!val.empty()) {
                have_argv = true;
                m.argv = split_words(val);
            }
            break;
        case 'M': m.max_size = std::atol(val.c_str()); break;
        case 'r': m.max_rcpt = std::atoi(val.c_str()); break;
        case 'L': m.line_limit = std::max(0, std::atoi(val.c_str())); break;
        case 'D': if (val.empty()) rep_.syserr("mailer " + name + ": null working directory"); break;
        case 'C':
            if (val.empty()) rep_.syserr("mailer " + name + ": null charset");
            else m.charset = val;
            break;
        case 'Q':
            if (val.empty()) rep_.syserr("mailer " + name + ": null queue");
            else if (val != "mqueue" &&  // the default group is known from the start
                     std::find(c_.queue_groups.begin(), c_.queue_groups.end(), val) == c_.queue_groups.end())
                rep_.syserr("mailer " + name + ": unknown queue " + val);
            break;
        case '/': if (val.empty()) rep_.syserr("mailer " + name + ": null root directory"); break;
        case 'T': {
            // mta/addr/diag with defaults dns, rfc822, smtp
            std::size_t s1 = val.find('/');
            std::string mta = val.substr(0, s1);
            std::string rest = s1 == std::string::npos ? std::string() : val.substr(s1 + 1);
            std::size_t s2 = rest.find('/');
            std::string addr = rest.substr(0, s2);
            std::string diag = s2 == std::string::npos ? std::string() : rest.substr(s2 + 1);
            m.mta_type = mta.empty() ? "dns" : mta;
            m.addr_type = addr.empty() ? "rfc822" : addr;
            m.diag_type = diag.empty() ? "smtp" : diag;
            break;
        }
        case 'U': check_mailer_user(m, val); break;
        case 'm': case 'N': case 'W': break;
        default:
            rep_.syserr("M" + name + ": unknown mailer equate " + std::string(1, fcode) + "=");
        }
    }
    if (!have_argv) {
        rep_.syserr("M" + name + ": A= argument required");
        return;
    }
    if (!have_path) {
        rep_.syserr("M" + name + ": P= argument required");
        return;
    }
    const Mailer* existing = c_.find_mailer(name);
    if (!existing && static_cast<int>(c_.mailers.size()) >= limits::kMaxMailers) {
        rep_.syserr("too many mailers defined (" + std::to_string(limits::kMaxMailers) + " max)");
        return;
    }
    if (m.max_rcpt <= 0) m.max_rcpt = 100;  // DEFAULT_MAX_RCPT
    if (m.flags.find('L') != std::string::npos) {
        if (m.line_limit == 0) m.line_limit = 990;  // SMTPLINELIM
        // back compatibility: before V2, L (line limits) meant 7-bit too
        if (c_.config_level < 2 && m.flags.find('7') == std::string::npos) m.flags.push_back('7');
    }
    if (m.path == "[TCP]") {
        rep_.syserr("M" + name + ": P=[TCP] must be replaced by P=[IPC]");
        return;
    }
    if (m.path == "[IPC]") {
        if (m.argv.size() < 2 || m.argv[1].empty()) {
            rep_.syserr("M" + name + ": too few parameters for [IPC] mailer");
            return;
        }
        if (m.argv[0] != "TCP" && m.argv[0] != "FILE") {
            rep_.plain("M" + name + ": Warning: first argument in [IPC] mailer must be TCP or FILE");
        }
        if (!m.mta_type) m.mta_type = "dns";
        if (!m.addr_type) m.addr_type = "rfc822";
        if (!m.diag_type) m.diag_type = m.argv[0] == "FILE" ? "x-unix" : "smtp";
    } else if (m.path == "[FILE]") {
        if (m.argv.size() != 2) {
            rep_.syserr("M" + name + ": too " + std::string(m.argv.size() < 2 ? "few" : "many") +
                        " parameters for [FILE] mailer");
            return;
        }
        if (m.argv[0] != "FILE") {
            rep_.syserr("M" + name + ": first argument in [FILE] mailer must be FILE");
            return;
        }
    }
    if (m.eol.empty()) {
        // \r\n unless an argument mentions $u (local delivery)
        bool local = false;
        for (const std::string& a : m.argv) {
            for (std::size_t i = 0; i + 1 < a.size(); ++i) {
                if (static_cast<unsigned char>(a[i]) == meta::MACROEXPAND && a[i + 1] == 'u') local = true;
            }
        }
        m.eol = local ? "\n" : "\r\n";
    }
    if (existing) {
        m.number = existing->number;
        for (Mailer& old : c_.mailers) {
            if (old.number == m.number) old = m;
        }
    } else {
        m.number = static_cast<int>(c_.mailers.size());
        c_.mailers.push_back(m);
    }
}

// Mailer U=user[:group]: names are looked up while reading, as in sendmail.
bool Compiler::check_mailer_user(Mailer& m, const std::string& val) {
    const std::string& name = m.name;
    std::size_t p = 0;
    auto is_name = [&](char c, const char* extra) {
        return static_cast<unsigned char>(c) < 0x80 && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr(extra, c));
    };
    if (!val.empty() && static_cast<unsigned char>(val[0]) < 0x80 && !std::isdigit(static_cast<unsigned char>(val[0]))) {
        std::size_t q = p;
        while (p < val.size() && is_name(val[p], "-_")) ++p;
        std::string user = val.substr(q, p - q);
        while (p < val.size() && is_space(static_cast<unsigned char>(val[p]))) ++p;
        if (p < val.size()) ++p;
        if (user.empty()) {
            rep_.syserr("mailer " + name + ": null user name");
            return false;
        }
        struct passwd* pw = getpwnam(user.c_str());
        if (!pw) {
            rep_.syserr("readcf: mailer U= flag: unknown user " + user);
            return false;
        }
        m.uid = static_cast<int>(pw->pw_uid);
        m.gid = static_cast<int>(pw->pw_gid);
    } else {
        m.uid = static_cast<int>(std::strtol(val.c_str(), nullptr, 0));
        while (p < val.size() && std::isdigit(static_cast<unsigned char>(val[p]))) ++p;
        while (p < val.size() && is_space(static_cast<unsigned char>(val[p]))) ++p;
        if (p < val.size()) ++p;
    }
    while (p < val.size() && is_space(static_cast<unsigned char>(val[p]))) ++p;
    if (p >= val.size()) return true;
    if (static_cast<unsigned char>(val[p]) < 0x80 && !std::isdigit(static_cast<unsigned char>(val[p]))) {
        std::size_t q = p;
        while (p < val.size() && is_name(val[p], "-_.")) ++p;
        std::string group = val.substr(q, p - q);
        if (group.empty()) {
            rep_.syserr("mailer " + name + ": null group name");
            return false;
        }
        struct group* gr = getgrnam(group.c_str());
        if (!gr) {
            rep_.syserr("readcf: mailer U= flag: unknown group " + group);
            return false;
        }
        m.gid = static_cast<int>(gr->gr_gid);
    } else {
        m.gid = static_cast<int>(std::strtol(val.c_str() + p, nullptr, 0));
    }
    return true;
}

// ---- O ------------------------------------------------------------------------

void Compiler::option(const std::string& bp) {
    char opt = bp.size() > 1 ? bp[1] : '\0';
    std::string val = bp.size() > 2 ? bp.substr(2) : std::string();
    const OptionName* o = nullptr;
    if (opt == ' ') {
        // "O LongName[.sub]=value": spaces around '=' are allowed
        std::string v = val;
        std::size_t eq = v.find('=');
        std::size_t nameend = eq == std::string::npos ? v.size() : eq;
        std::size_t ne = nameend;
        while (ne > 0 && v[ne - 1] == ' ') --ne;
        std::size_t ns = 0;
        std::string name = v.substr(ns, ne - ns);
        if (name.empty()) {
            rep_.syserr("readcf: null option name");
            return;
        }
        std::string value = eq == std::string::npos ? std::string() : v.substr(eq + 1);
        std::size_t vs = 0;
        while (vs < value.size() && value[vs] == ' ') ++vs;
        value = value.substr(vs);
        std::size_t dot = name.find('.');
        if (dot != std::string::npos) name.resize(dot);
        const OptionName* sel = nullptr;
        const OptionName* hit = nullptr;
        bool ended = true;
        for (const OptionName& cand : kOptionTable) {
            std::string cn = cand.name;
            if (cn.size() < name.size() || !ascii_iequal(cn.substr(0, name.size()), name)) {
                // sm_strncasecmp over strlen(val) bytes: a shorter table name never matches
                continue;
            }
            if (cn.size() == name.size()) {
                sel = nullptr;
                hit = &cand;
                ended = false;
                break;
            }
            if (sel) {
                hit = &cand;
                ended = false;
                break;
            }
            sel = &cand;
        }
        if (sel && ended) {
            o = sel;
        } else if (ended) {
            rep_.syserr("readcf: unknown option name " + name);
            return;
        } else if (sel) {
            rep_.syserr("readcf: ambiguous option name " + name + " (matches " + sel->name + " and " + hit->name + ")");
            return;
        } else {
            o = hit;
        }
        if (name.size() != std::strlen(o->name)) {
            rep_.usrerr("Option " + name + " used as abbreviation for " + o->name);
        }
        val = value;
    } else {
        for (const OptionName& cand : kOptionTable) {
            if (cand.code != 0 && cand.code == opt) {
                o = &cand;
                break;
            }
        }
        if (!o) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "readcf: unknown option name 0x%x", static_cast<unsigned char>(opt));
            rep_.syserr(buf);
            return;
        }
    }
    std::string lname = o->name;
    check_user_option(lname, val);
    if (setting_sticky_) {
        sticky_.push_back(lname);
    } else {
        for (const std::string& st : sticky_) {
            if (st == lname) return;
        }
    }
    c_.options.raw[lname] = val;
    if (lname == "BlankSub") {
        c_.options.blank_sub = val.empty() ? ' ' : val[0];
    } else if (lname == "OperatorChars") {
        if (c_.options.operator_chars || c_.tables) {
            rep_.plain("Warning: OperatorChars is being redefined.\n"
                       "         It should only be set before ruleset definitions.");
        }
        c_.options.operator_chars = munchstring(val);
    } else if (lname == "DontProbeInterfaces") {
        c_.options.dont_probe_interfaces = ascii_lower(val) == "loopback" ? 1 : atobool(val) ? 2 : 0;
    } else if (lname == "AliasFile") {
        c_.maps->set_alias(val.empty() ? "aliases" : val, c_.options.blank_sub, rep_);
    } else if (lname == "DeliveryMode") {
        // setoption('d'): set_delivery_mode() records the mode in {deliveryMode}
        const char mode = val.empty() ? 'i' : val[0];
        if (std::strchr("qdib", mode) == nullptr) {
            rep_.syserr(std::string("Unknown delivery mode ") + mode);
            c_.stopped_with = 64;  // finis(false, true, EX_USAGE)
        } else if (auto id = c_.env.names.find("deliveryMode")) {
            c_.env.macros.set(*id, std::string(1, mode));
        }
    } else if (lname == "Verbose") {
        c_.options.verbose = atobool(val);
    } else if (lname == "SoftBounce") {
        c_.options.soft_bounce = atobool(val);
    } else if (lname == "UseCompressedIPv6Addresses") {
        c_.options.compressed_ipv6 = atobool(val);
    } else if (lname == "DaemonPortOptions") {
        Options::Daemon d;
        std::istringstream items(val);
        for (std::string item; std::getline(items, item, ',');) {
            std::size_t eq = item.find('=');
            std::vector<std::string> key = split_words(item.substr(0, eq));
            if (eq == std::string::npos || key.empty()) continue;
            std::vector<std::string> v = split_words(item.substr(eq + 1));
            std::string value = v.empty() ? std::string() : v[0];
            switch (std::tolower(static_cast<unsigned char>(key[0][0]))) {
            case 'n': d.name = value; break;
            case 'a': d.addr = value; break;
            case 'f': d.family = ascii_lower(value); break;
            default: break;
            }
        }
        c_.options.daemons.push_back(d);
    } else if (lname == "DontBlameSendmail") {
        for (const std::string& w : apply_dont_blame(val, c_.options.dont_blame))
            rep_.syserr("readcf: DontBlameSendmail option: " + w + " unrecognized");
    } else if (lname == "HelpFile") {
        c_.options.help_file = val.empty() ? std::string("helpfile") : val;
    } else {
        option_warnings(lname, val);
    }
}

// setoption()'s warnings about values below a limit, printed when the
// option is set (the numbers are read with atoi()).
void Compiler::option_warnings(const std::string& lname, const std::string& val) {
    if (lname == "MaxHeadersLength") {
        int v = std::atoi(val.c_str());
        if (v > 0 && v < limits::kMaxHeadersLength / 2)
            rep_.plain("Warning: MaxHeadersLength: headers length limit set lower than " +
                       std::to_string(limits::kMaxHeadersLength / 2));
    } else if (lname == "MaxMimeHeaderLength") {
        // "header[/field]"; the field limit defaults to half the header's
        std::size_t slash = val.find('/');
        int header = std::atoi(val.substr(0, slash).c_str());
        std::string field_text = slash == std::string::npos ? std::string() : val.substr(slash + 1);
        int field = field_text.empty() ? header / 2 : std::atoi(field_text.c_str());
        if (header > 0 && header < 128)
            rep_.plain("Warning: MaxMimeHeaderLength: header length limit set lower than 128");
        if (field > 0 && field < 40)
            rep_.plain("Warning: MaxMimeHeaderLength: field length limit set lower than 40");
    } else if (lname == "MustQuoteChars") {
        // (a 50-byte buffer that already holds "@,;:\\()[]")
        if (val.size() >= limits::kMustQuoteMax) rep_.plain("Warning: MustQuoteChars too long, ignored.");
    }
}

// Options naming a user (and group): sendmail looks them up while reading.
void Compiler::check_user_option(const std::string& lname, const std::string& val) {
    const char* shown = lname == "DefaultUser" ? "u" : lname == "RunAsUser" ? "RunAsUser"
                        : lname == "TrustedUser" ? "TrustedUser" : nullptr;
    if (!shown) return;
    std::string user = val, group;
    if (lname != "TrustedUser") {
        std::size_t cut = val.find_first_of("./:");
        if (cut != std::string::npos) {
            user = val.substr(0, cut);
            group = val.substr(cut + 1);
        }
    }
    bool numeric = !user.empty() && std::isdigit(static_cast<unsigned char>(user[0]));
    if (!numeric && !getpwnam(user.c_str())) {
        rep_.syserr(std::string("readcf: option ") + shown + ": unknown user " + user);
        return;
    }
    if (group.empty() || std::isdigit(static_cast<unsigned char>(group[0]))) return;
    if (!getgrnam(group.c_str())) rep_.syserr(std::string("readcf: option ") + shown + ": unknown group " + group);
}

// ---- V, K, H --------------------------------------------------------------------

// makequeue() (queue.c): `Qname, P=path, F=flags, R=runners, ...`. The
// name runs to the first ',' or blank; every field needs '='; the group
// replaces one of the same name.
void Compiler::queue_group(const std::string& line) {
    constexpr std::size_t kMaxQueueGroups = 50;  // MAXQUEUEGROUPS
    if (line.empty()) {
        rep_.syserr("name required for queue");
        return;
    }
    std::size_t p = 0;
    while (p < line.size() && line[p] != ',' && !is_space(static_cast<unsigned char>(line[p]))) ++p;
    const std::string name = line.substr(0, p);
    if (p < line.size()) ++p;
    bool have_path = false;
    std::string path;
    std::string flags;
    long runners = -1;
    while (p < line.size()) {
        while (p < line.size() && (line[p] == ',' || is_space(static_cast<unsigned char>(line[p])))) ++p;
        const char fcode = p < line.size() ? line[p] : '\0';  // a trailing ',' leaves none: an error
        while (p < line.size() && line[p] != '=' && line[p] != ',') ++p;
        if (p >= line.size() || line[p] != '=') {
            rep_.syserr("queue " + name + ": `=' expected");
            return;
        }
        ++p;
        while (p < line.size() && is_space(static_cast<unsigned char>(line[p]))) ++p;
        std::string val = munch_field(line, p);
        switch (fcode) {
        case 'P':
            if (val.empty()) rep_.syserr("queue " + name + ": empty path name");
            else have_path = true;
            if (!val.empty()) path = val;
            break;
        case 'F':
            for (char f : val)
                if (!is_space(static_cast<unsigned char>(f))) flags.push_back(f);
            break;
        case 'R': {
            runners = std::atol(val.c_str());
            auto mqc = c_.options.raw.find("MaxQueueChildren");
            long max = mqc == c_.options.raw.end() ? 0 : std::atol(mqc->second.c_str());
            if (max > 0 && runners > max) {
                rep_.plain("Q=" + name + ": R=" + std::to_string(runners) + " exceeds MaxQueueChildren=" +
                           std::to_string(max) + ", set to MaxQueueChildren");
                runners = max;
            }
            break;
        }
        case 'I': case 'N': case 'J': case 'r': break;  // run interval, niceness, work list, recipients
        default: rep_.syserr("Q" + name + ": unknown queue equate " + std::string(1, fcode) + "=");
        }
    }
    const bool known = std::find(c_.queue_groups.begin(), c_.queue_groups.end(), name) != c_.queue_groups.end();
    if (!known && c_.queue_groups.size() >= kMaxQueueGroups) {
        rep_.syserr("too many queue groups defined (" + std::to_string(kMaxQueueGroups) + " max)");
        return;
    }
    auto qd = c_.options.raw.find("QueueDirectory");
    if (!have_path && (qd == c_.options.raw.end() || qd->second.empty())) {
        rep_.syserr("QueueDir must be defined before queue groups");
        return;
    }
    if (runners > 1 && flags.find('f') == std::string::npos)
        rep_.plain("Warning: Q=" + name + ": R=" + std::to_string(runners) +
                   ": multiple queue runners specified\n\tbut flag 'f' is not set");
    if (!known) c_.queue_groups.push_back(name);
    if (have_path) c_.queue_group_paths[name] = path;
}

void Compiler::version(const std::string& bp) {
    std::size_t p = 1;
    while (p < bp.size() && is_space(static_cast<unsigned char>(bp[p]))) ++p;
    if (p >= bp.size() || !std::isdigit(static_cast<unsigned char>(bp[p]))) {
        rep_.syserr("invalid argument to V line: \"" + strip_high_bit(bp.substr(1, 20)) + "\"");
        return;
    }
    char* ep = nullptr;
    c_.config_level = static_cast<int>(std::strtol(bp.c_str() + p, &ep, 10));
    if (c_.config_level >= 5) {
        const std::string* w = c_.env.macros.get('w');
        if (w) {
            std::size_t dot = w->find('.');
            if (dot != std::string::npos) c_.env.macros.set('w', w->substr(0, dot));
        }
    }
    std::size_t e = static_cast<std::size_t>(ep - bp.c_str());
    if (e < bp.size() && bp[e] == '/') {
        std::size_t v = e + 1, ve = v;
        while (ve < bp.size() && std::isalpha(static_cast<unsigned char>(bp[ve]))) ++ve;
        std::string vendor = bp.substr(v, ve - v);
        static const char* kVendors[] = {"Berkeley", "Sendmail", "IBM", "HP", "Sun"};
        bool ok = false;
        for (const char* k : kVendors) ok = ok || ascii_iequal(vendor, k);
        if (!ok) rep_.syserr("invalid V line vendor code: \"" + vendor + "\"");
    }
}

void Compiler::map_line(const std::string& bp) {
    std::string ex = expand(bp.substr(1), c_.env, rep_, limits::kMaxLine);
    c_.maps->declare(ex, c_.options.blank_sub, rep_);
}

void Compiler::header(const std::string& bp) {
    // chompheader(): [?flags?]name: value; only the syntax check matters here.
    std::size_t p = 1;
    if (p < bp.size() && bp[p] == '?') {
        std::size_t q = bp.find('?', p + 1);
        if (q == std::string::npos) {
            rep_.usrerr("header syntax error, line \"" + strip_high_bit(bp.substr(1)) + "\"");
            return;
        }
        p = q + 1;
    }
    std::size_t name = p;
    while (p < bp.size() && bp[p] > ' ' && bp[p] != ':' && static_cast<unsigned char>(bp[p]) < 0x7f) ++p;
    std::size_t nameend = p;
    while (p < bp.size() && (bp[p] == ' ' || bp[p] == '\t')) ++p;
    if (p >= bp.size() || bp[p] != ':' || nameend == name) {
        rep_.usrerr("header syntax error, line \"" + strip_high_bit(bp.substr(1)) + "\"");
        return;
    }
    HeaderLine h = split_header(bp.substr(1), true);
    if (!h.ok) return;
    // `H name: $>ruleset`: a header check, not a header (`$>+`: keep comments)
    CollectingReporter quiet;
    std::string v = expand(h.value, c_.env, quiet, 50);
    std::size_t at = v.find_first_not_of(" \t");
    if (at != std::string::npos && static_cast<unsigned char>(v[at]) == meta::CALLSUBR) {
        ++at;
        bool keep_comments = at < v.size() && v[at] == '+';
        if (keep_comments) ++at;
        std::size_t end = 0;
        if (rwset_enter(c_, std::string_view(v).substr(at), &end, rep_) > 0) {
            HeaderInfo& hi = c_.headers.enter(h.name);
            hi.ruleset = v.substr(at, end);
            if (!keep_comments) hi.flags |= kHStripComm;
        }
        return;
    }
    const HeaderInfo* hi = c_.headers.find(h.name);
    c_.headers.defaults.push_back(
        {h.name, (hi ? hi->flags : 0) | kHDefault | (h.conditional ? static_cast<unsigned long>(kHCheck) : 0UL)});
}

// ---- after the file -------------------------------------------------------------

void Compiler::after_file() {
    c_.maps->finish(c_.config_level, rep_);
    // test mode delivers interactively, whatever the file said
    if (opt_.test_mode)
        if (auto id = c_.env.names.find("deliveryMode")) c_.env.macros.set(*id, "i");
    // main.c: interfaces are probed, then -d0.10 and -d0.1 print what was found
    std::vector<std::string> aka;
    std::string my_host =
        apply_post_read(c_.env, opt_.host, c_.options.dont_probe_interfaces, opt_.debug[0] >= 4 ? &aka : nullptr);
    for (const std::string& line : aka) rep_.plain(line);
    if (opt_.debug[0] >= 10) {
        rep_.plain("     Conf file:\t" + opt_.display_path + " (selected)");
        auto pid = c_.options.raw.find("PidFile");
        CollectingReporter quiet;
        std::string path = pid != c_.options.raw.end() ? expand(pid->second, c_.env, quiet)
                                                       : std::string("/var/run/sendmail/mta/sendmail.pid");
        rep_.plain("      Pid file:\t" + path + " (selected)");
    }
    if (opt_.debug[0] >= 1) {
        auto show = [&](char m) {
            const std::string* v = c_.env.macros.get(static_cast<MacroId>(m));
            return v ? xputs(*v, c_.env.names) : std::string("<null>");
        };
        rep_.plain("\n============ SYSTEM IDENTITY (after readcf) ============");
        rep_.plain("      (short domain name) $w = " + show('w'));
        rep_.plain("  (canonical domain name) $j = " + show('j'));
        rep_.plain("         (subdomain name) $m = " + show('m'));
        rep_.plain("              (node name) $k = " + show('k'));
        rep_.plain("========================================================\n");
    }
    if (c_.config_level > kMaxConfigLevel) {
        rep_.syserr("Warning: .cf version level (" + std::to_string(c_.config_level) +
                    ") exceeds sendmail version " + kVersion + " functionality (" +
                    std::to_string(kMaxConfigLevel) + ")");
    }
    if (c_.config_level < kMaxConfigLevel) {
        rep_.usrerr(std::string("Warning: .cf file is out of date: sendmail ") + kVersion +
                    " supports version " + std::to_string(kMaxConfigLevel) + ", .cf file is version " +
                    std::to_string(c_.config_level));
    }
    if (my_host.find('.') == std::string::npos) {
        rep_.usrerr("WARNING: local host name (" + my_host + ") is not qualified; see cf/README: WHO AM I?");
    }
    if (!c_.find_mailer("local")) rep_.syserr("No local mailer defined");
    if (!c_.find_mailer("prog")) rep_.syserr("No prog mailer defined");
    if (!c_.find_mailer("*file*")) rep_.syserr("No *file* mailer defined");
    if (!c_.find_mailer("*include*")) rep_.syserr("No *include* mailer defined");
    // main.c adjusts some mailer flags after reading
    auto set_flag = [&](const char* mailer, char f, bool on) {
        for (Mailer& m : c_.mailers) {
            if (!ascii_iequal(m.name, mailer)) continue;
            std::size_t at = m.flags.find(f);
            if (on && at == std::string::npos) m.flags.push_back(f);
            if (!on && at != std::string::npos) m.flags.erase(at, 1);
        }
    };
    set_flag("prog", 'm', false);    // M_MUSER
    set_flag("*file*", 'm', false);
    if (c_.config_level < 6) {
        // back-compat flags for old configs: A w 5 : | / @ on local, o on prog and *file*
        for (char f : std::string("Aw5:|/@")) set_flag("local", f, true);
        set_flag("prog", 'o', true);
        set_flag("*file*", 'o', true);
    }
    if (c_.config_level < 7) {
        set_flag("local", 'q', true);  // M_VRFY250
        set_flag("prog", 'q', true);
        set_flag("*file*", 'q', true);
    }

    c_.env.classes.add('n', "multipart/signed");
    c_.env.classes.add('s', "rfc822");
    for (const char* e : {"7bit", "8bit", "binary"}) c_.env.classes.add('e', e);
    auto long_class = [&](const char* name, std::initializer_list<const char*> words) {
        auto id = c_.env.names.intern(name);
        if (!id) return;
        for (const char* w : words) c_.env.classes.add(*id, w);
    };
    long_class("checkMIMEFieldHeaders", {"content-disposition", "content-type"});
    long_class("checkMIMETextHeaders", {"content-description"});
    long_class("checkMIMEHeaders", {"content-disposition", "content-id", "content-transfer-encoding",
                                    "content-type", "mime-version"});
    long_class("persistentMacros", {"r", "s", "_", "{if_addr}", "{daemon_flags}"});

    // HostStatusDirectory is not checked: -bt mode drops it (main.c).
}

} // namespace

TokenTables freeze_token_tables(const Options& options, int config_level, const Env& env) {
    std::string ops;
    if (options.operator_chars) {
        ops = *options.operator_chars;
    } else {
        const std::string* o = config_level < 7 ? env.macros.get('o') : nullptr;
        ops = o ? *o : std::string(".:@[]");
    }
    CollectingReporter quiet;
    std::string ex = expand(ops, env, quiet, 50 - 9);
    return make_token_tables(ex);
}

std::unique_ptr<Config> compile_cf(const CfFile& file, const CompileOptions& opt, Reporter& rep) {
    auto cfg = std::make_unique<Config>();
    cfg->path = file.path;
    cfg->maps = std::make_shared<MapTable>();
    cfg->host = opt.host;
    for (const std::string& line : build_info_lines(opt.debug)) rep.plain(line);
    std::vector<std::string> aka;
    apply_startup(cfg->env, opt.host, opt.debug[0] >= 4 ? &aka : nullptr);
    for (const std::string& line : aka) rep.plain(line);
    Compiler c(*cfg, opt, rep);
    c.builtin_mailers();
    c.sticky(opt.sticky_options);
    if (!cfg->stopped_with) c.run(file);
    return cfg;
}

} // namespace cfkit
