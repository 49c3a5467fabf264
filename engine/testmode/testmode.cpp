// See testmode.hpp. Command dispatch and messages follow main.c's
// testmodeline(); shared/research/testmode-and-smtp.md part A describes
// each format with transcripts from the real program.
#include "engine/testmode/testmode.hpp"

#include "engine/config/headers.hpp"
#include "engine/mail/address.hpp"
#include "engine/mail/crackaddr.hpp"
#include "engine/mail/header_check.hpp"
#include "engine/mail/recipients.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "engine/config/rulesets.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/textutil.hpp"
#include "engine/text/translate.hpp"
#include "grammar/comments.hpp"

namespace cfkit {

namespace {

// Prints rewrite() as -bt does: "name   input: ..." and "name returns: ...".
// Every event also goes to `next` (TestMode::watcher: cfkit explain's
// recorder), when there is one.
class BtObserver : public RewriteObserver {
public:
    BtObserver(std::string& out, const MacroNames& names, RewriteObserver* next = nullptr)
        : out_(out), names_(names), next_(next) {}
    void ruleset_enter(int rs, const std::string& name, const IdTokens& ws, int depth) override {
        line(name, "   input:", ws);
        if (next_) next_->ruleset_enter(rs, name, ws, depth);
    }
    void ruleset_return(int rs, const std::string& name, const IdTokens& ws, int depth) override {
        line(name, " returns:", ws);
        if (next_) next_->ruleset_return(rs, name, ws, depth);
    }
    void rule_try(int rs, int ruleno, const Rule& rule, const IdTokens& ws) override {
        if (next_) next_->rule_try(rs, ruleno, rule, ws);
    }
    void rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>& b) override {
        if (next_) next_->rule_match(rs, ruleno, rule, b);
    }
    void rule_fail(int rs, int ruleno, const Rule& rule) override {
        if (next_) next_->rule_fail(rs, ruleno, rule);
    }
    void rewritten(int rs, const IdTokens& ws) override {
        if (next_) next_->rewritten(rs, ws);
    }
    void debug_line(const std::string& text) override {
        out_ += text;
        if (next_) next_->debug_line(text);
    }
    bool wants_rule_events() const override { return next_ && next_->wants_rule_events(); }
    // A remembered run (memo.hpp) gives back the lines it printed; with a
    // watcher (cfkit explain) every event is wanted, so runs are worked out.
    bool memo_safe() const override { return !next_; }
    std::size_t memo_mark() const override { return out_.size(); }
    std::shared_ptr<const void> memo_delta(std::size_t mark) const override {
        if (mark >= out_.size()) return nullptr;  // (printed nothing: replay() skips a null delta)
        return std::make_shared<const std::string>(out_.substr(mark));
    }
    void memo_apply(const std::shared_ptr<const void>& delta) override {
        out_ += *static_cast<const std::string*>(delta.get());
    }

private:
    void line(const std::string& name, const char* what, const IdTokens& ws) {
        // printf("%-16.16s"), then `what`, in one append
        char head[16 + 16];
        std::size_t n = std::min<std::size_t>(name.size(), 16);
        std::memcpy(head, name.data(), n);
        std::memset(head + n, ' ', 16 - n);
        std::size_t w = std::strlen(what);  // "   input:" or " returns:"
        std::memcpy(head + 16, what, std::min<std::size_t>(w, 16));
        out_.append(head, 16 + std::min<std::size_t>(w, 16));
        append_printav(out_, ws, names_);
    }
    std::string& out_;
    const MacroNames& names_;
    RewriteObserver* next_;
};

constexpr const char* kVersion = "8.17.1.9";

} // namespace

void TextReporter::report(Diagnostic d) {
    if (d.emit == Emit::Syserr && exit_status == 0) exit_status = d.with_errno ? 71 : 70;
    if (out) {
        *out += sendmail_text(d);
        *out += '\n';
    }
}

TestMode::TestMode(const Config& cfg, TextReporter& rep) : cfg_(cfg), rep_(rep), session_(cfg), memo_(cfg) {
    session_.reporter = &rep_;
    // Called rulesets' runs are remembered; a run that leaves tokens in the
    // prescan array, which the calling run may see, is not (session.hpp).
    session_.array_shared = true;
    session_.memo = &memo_;
    session_.env.macros.freeze_base();  // the blank envelope, under the main one
    // After reading the file main.c switches to the main envelope
    // (newenvelope() defines {quarantine} empty), then test mode sets
    // {addr_type}: both get their macro ids in that order.
    if (auto id = session_.env.names.intern("quarantine")) session_.env.macros.set(*id, "");
    // newenvelope() gives the main envelope a queue id: $i is defined in -bt
    // (its value, made of the time and the pid, differs from run to run).
    if (cfg.host.now) {
        const long pid = cfg.host.pid;
        session_.env.macros.set(static_cast<MacroId>('i'),
                                queue_id(cfg.host.now, static_cast<unsigned>(pid ^ cfg.host.now), pid));
    }
    // main.c sets {addr_type} when test mode starts, after reading the file
    if (auto id = session_.env.names.intern("addr_type")) session_.env.macros.set(*id, "e r");
    verbose_ = cfg.options.verbose ? 1 : 2;
    session_.maps.warn_unsafe = verbose_ > 1;  // safedirpath()'s warnings are Verbose 2 messages
    session_.maps.verbose = verbose_;
    if (const char* name = std::getenv("NAME")) full_name_ = name;  // main.c: FullName from $NAME
}

std::string TestMode::banner() const {
    return "ADDRESS TEST MODE (ruleset 3 NOT automatically invoked)\nEnter <ruleset> <address>\n";
}

std::string TestMode::startup_debug_text() const {
    std::string text;
    if (session_.tTd(0, 15))
        for (const Mailer& m : cfg_.mailers) text += print_mailer(m);
    return text;
}

int TestMode::exit_status() const { return rep_.exit_status == 75 ? 0 : rep_.exit_status; }

bool TestMode::line(std::string_view raw) {
    std::string line(raw.substr(0, raw.find('\0')));
    std::size_t p = 0;
    while (p < line.size() && line[p] == ' ') ++p;
    line.erase(0, p);
    if (line.empty() || line[0] == '#') return true;
    switch (line[0]) {
    case '?': help(); return true;
    case '.': dot_command(line); return true;
    case '=': equals_command(line); return true;
    case '-':
        if (line.size() == 1) out() += "Usage: -d{debug arguments}\n";
        else if (line[1] != 'd') out() += "Unknown \"-\" command " + line + "\n";
        else session_.set_debug_flags(line.substr(2));
        return true;
    case '$': dollar_command(line); return true;
    case '/': {
        std::string l = line;
        std::size_t e = l.size();
        while (e > 0 && is_space(static_cast<unsigned char>(l[e - 1]))) --e;
        l.resize(e);
        std::string word = l.substr(0, l.find_first_of(" \t"));
        if (ascii_iequal(word, "/quit")) return false;
        slash_command(l);
        return true;
    }
    default: ruleset_and_address(line); return true;
    }
}

void TestMode::help() {
    const std::string* hf = cfg_.options.help_file ? &*cfg_.options.help_file : nullptr;
    std::ifstream in;
    // help(): safefopen() with the help file's flags (HelpFileInUnsafeDirPath)
    if (hf) {
        const DontBlame& dbs = cfg_.options.dont_blame;
        SafeCheck safe = safefile(*hf, FileUser::current(), help_file_flags(dbs), dbs, verbose_ > 1);
        for (const std::string& w : safe.warnings) rep_.message(w);
        if (safe.error == 0) in.open(*hf);
    }
    if (!hf || !in.is_open()) {
        out() += std::string("Sendmail ") + kVersion + " -- HELP not implemented\n";
        return;
    }
    int foundvers = -1;
    bool noinfo = true;
    std::string buf;
    while (std::getline(in, buf)) {
        if (!buf.empty() && buf[0] == '#') {
            if (foundvers < 0 && buf.rfind("#vers", 0) == 0) foundvers = std::atoi(buf.c_str() + 5);
            continue;
        }
        if (buf.rfind("-bt", 0) != 0) continue;
        std::size_t sp = buf.find_first_of(" \t");
        std::string text = sp == std::string::npos ? buf.substr(buf.empty() ? 0 : buf.size() - 1) : buf.substr(sp + 1);
        while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
        if (foundvers >= 2) {
            std::string t = translate_dollars(text, cfg_.config_level, session_.env.names, rep_);
            text = expand(t, session_.env, rep_);
        }
        out() += text + "\n";
        noinfo = false;
    }
    if (noinfo) out() += "HELP topic \"-bt\" unknown\n";
    else out() += "End of HELP info\n";
}

void TestMode::dot_command(const std::string& line) {
    char k = line.size() > 1 ? line[1] : '\0';
    if (k == 'D') {
        MacroIdResult id = macid_parse(line, 2, session_.env.names, rep_);
        if (id.id == 0) return;
        std::string v = translate_dollars(std::string_view(line).substr(id.end), cfg_.config_level,
                                          session_.env.names, rep_);
        session_.env.macros.set(static_cast<MacroId>(id.id), v);
    } else if (k == 'C') {
        if (line.size() == 2) return;
        memo_.clear();  // (remembered runs do not record class lookups)
        MacroIdResult id = macid_parse(line, 2, session_.env.names, rep_);
        if (id.id == 0) return;
        std::string v = translate_dollars(std::string_view(line).substr(id.end), cfg_.config_level,
                                          session_.env.names, rep_);
        std::string ex = expand(v, session_.env, rep_);
        std::size_t p = 0;
        while (p < ex.size()) {
            while (p < ex.size() && is_space(static_cast<unsigned char>(ex[p]))) ++p;
            std::size_t w = p;
            while (p < ex.size() && !is_space(static_cast<unsigned char>(ex[p]))) ++p;
            if (p == w) continue;
            std::string word = ex.substr(w, p - w);
            if (meta::first(word) == meta::MATCHCLASS) {
                MacroIdResult src = macid_parse(word, 1, session_.env.names, rep_);
                if (src.id != 0) session_.env.classes.copy(static_cast<MacroId>(src.id), static_cast<MacroId>(id.id));
            } else {
                session_.env.classes.add(static_cast<MacroId>(id.id), word);
            }
        }
    } else if (k == '\0') {
        out() += "Usage: .[DC]macro value(s)\n";
    } else {
        out() += "Unknown \".\" command " + line + "\n";
    }
}

void TestMode::equals_command(const std::string& line) {
    char k = line.size() > 1 ? line[1] : '\0';
    if (k == 'S') {
        std::string rest = line.substr(2);
        int rs = rwset_find(cfg_, rest, nullptr, rep_);
        if (rs < 0) {
            out() += "Undefined ruleset " + rest + "\n";
            return;
        }
        for (const Rule& r : cfg_.rulesets[static_cast<std::size_t>(rs)].rules) {
            out() += 'R';
            for (const std::string& t : r.lhs) out() += xputs(t, session_.env.names) + " ";
            out() += "\t\t";
            for (const std::string& t : session_.shown_rhs(r)) out() += xputs(t, session_.env.names) + " ";
            out() += '\n';
        }
    } else if (k == 'M') {
        for (const Mailer& m : cfg_.mailers) out() += print_mailer(m);
    } else if (k == '\0') {
        out() += "Usage: =Sruleset or =M\n";
    } else {
        out() += "Unknown \"=\" command " + line + "\n";
    }
}

// printmailer(): one line per mailer, as =M shows it.
std::string TestMode::print_mailer(const Mailer& m) const {
    auto rs = [&](int n) {
        const std::string& name = cfg_.rulesets[static_cast<std::size_t>(n)].name;
        return name.empty() ? std::to_string(n) : name;
    };
    std::string flags;
    for (int c = 0; c < 0x80; ++c) {
        if (m.flags.find(static_cast<char>(c)) != std::string::npos) flags.push_back(static_cast<char>(c));
    }
    std::string out = "mailer " + std::to_string(m.number) + " (" + m.name + "): P=" + m.path + " S=" +
                      rs(m.se_rwset) + "/" + rs(m.sh_rwset) + " R=" + rs(m.re_rwset) + "/" + rs(m.rh_rwset) +
                      " M=" + std::to_string(m.max_size) + " U=" + std::to_string(m.uid) + ":" +
                      std::to_string(m.gid) + " F=" + flags + " L=" + std::to_string(m.line_limit) + " E=" +
                      xputs(m.eol, session_.env.names);
    if (m.charset) out += " C=" + *m.charset;
    out += " T=" + m.mta_type.value_or("<undefined>") + "/" + m.addr_type.value_or("<undefined>") + "/" +
           m.diag_type.value_or("<undefined>");
    out += " r=" + std::to_string(m.max_rcpt);
    if (!m.argv.empty()) {
        out += " A=";
        for (std::size_t i = 0; i < m.argv.size(); ++i) {
            if (i) out += " ";
            out += xputs(m.argv[i], session_.env.names);
        }
    }
    return out + "\n";
}

void TestMode::dollar_command(const std::string& line) {
    if (line.size() > 1 && line[1] == '=') {
        MacroIdResult id = macid_parse(line, 2, session_.env.names, rep_);
        if (id.id == 0) return;
        for (const std::string& w : session_.env.classes.dump(static_cast<MacroId>(id.id))) out() += w + "\n";
        return;
    }
    MacroIdResult id = macid_parse(line, 1, session_.env.names, rep_);
    if (id.id == 0) return;
    const std::string* v = session_.env.macros.get(static_cast<MacroId>(id.id));
    if (!v) out() += "Undefined\n";
    else out() += xputs(*v, session_.env.names) + "\n";
}

void TestMode::slash_command(std::string l) {
    std::size_t sp = l.find_first_of(" \t");
    std::string arg;
    if (sp != std::string::npos) {
        std::size_t a = sp;
        while (a < l.size() && is_space(static_cast<unsigned char>(l[a]))) ++a;
        arg = l.substr(a);
        l.resize(sp);
    }
    std::string cmd = l.substr(1);
    if (cmd.empty()) {
        out() += "Usage: /[canon|map|mx|parse|try|tryflags]\n";
        return;
    }
    if (ascii_iequal(cmd, "map")) {
        if (arg.empty()) {
            out() += "Usage: /map mapname key\n";
            return;
        }
        std::size_t q = 0;
        while (q < arg.size() && !is_space(static_cast<unsigned char>(arg[q]))) ++q;
        if (q >= arg.size()) {
            out() += "No key specified\n";
            return;
        }
        std::string name = arg.substr(0, q);
        std::string key = arg.substr(q + 1);
        const MapDef* map = cfg_.maps ? cfg_.maps->find(name) : nullptr;
        if (!map) {
            out() += "Map named \"" + name + "\" not found\n";
            return;
        }
        MapLookupContext ctx{session_.env, session_.maps, rep_, cfg_.maps.get()};
        if (!open_map(*map, ctx)) {
            out() += "Map named \"" + name + "\" not open\n";
            return;
        }
        out() += "map_lookup: " + name + " (" + key + ") ";
        MapResult r = lookup_map(*map, key, {key}, ctx);
        if (!r.value) out() += "no match (" + std::to_string(r.status) + ")\n";
        else out() += "returns " + *r.value + " (" + std::to_string(r.status) + ")\n";
        return;
    }
    if (ascii_iequal(cmd, "expand")) {
        if (arg.empty()) {
            out() += "Usage: /expand string\n";
            return;
        }
        out() += xputs(expand(arg, session_.env, rep_), session_.env.names);
        return;
    }
    if (ascii_iequal(cmd, "tryflags")) {
        if (arg.empty()) {
            out() += "Usage: /tryflags [Hh|Ee][Ss|Rr]\n";
            return;
        }
        for (char c : arg) {
            switch (c) {
            case 'H': case 'h': tryflags_header_ = true; break;
            case 'E': case 'e': tryflags_header_ = false; break;
            case 'S': case 's': tryflags_sender_ = true; break;
            case 'R': case 'r': tryflags_sender_ = false; break;
            default: break;
            }
        }
        std::string v = std::string(tryflags_header_ ? "h" : "e") + " " + (tryflags_sender_ ? "s" : "r");
        if (auto id = session_.env.names.intern("addr_type")) session_.env.macros.set(*id, v);
        return;
    }
    // the commands that take one argument string
    static const std::pair<const char*, void (TestMode::*)(const std::string&)> kCommands[] = {
        {"parse", &TestMode::parse_command},   {"try", &TestMode::try_command},
        {"sender", &TestMode::sender_command}, {"canon", &TestMode::canon_command},
        {"mx", &TestMode::mx_command},         {"header", &TestMode::header_command},
    };
    for (const auto& c : kCommands) {
        if (ascii_iequal(cmd, c.first)) {
            (this->*c.second)(arg);
            return;
        }
    }
    if (ascii_iequal(cmd, "gethostbyname")) {
        out() += "cfkit: /" + cmd + " is not implemented yet\n";
        return;
    }
    // (the line was cut at its first blank: the arguments are not shown)
    out() += "Unknown \"/\" command " + l + "\n";
}

unsigned TestMode::try_flags() const {
    return (tryflags_header_ ? kHeaderAddress : 0u) | (tryflags_sender_ ? kSenderAddress : 0u);
}

std::string TestMode::try_flags_words() const {
    return std::string(tryflags_header_ ? "header" : "envelope") + " " + (tryflags_sender_ ? "sender" : "recipient");
}

// /parse ADDRESS: crackaddr(), then parseaddr() with the rulesets traced.
void TestMode::parse_command(const std::string& arg) {
    if (arg.empty()) {
        out() += "Usage: /parse address\n";
        return;
    }
    out() += "Cracked address = " + xputs(crackaddr(arg, crack_options(cfg_)), session_.env.names) + "\n";
    out() += "Parsing " + try_flags_words() + " address\n";
    BtObserver obs(out(), session_.env.names, watcher);
    session_.observer = &obs;
    ParsedAddress pa = parse_address(session_, arg, '\0', try_flags(), true, &rep_);
    session_.observer = nullptr;
    if (pa.exit_status) rep_.setstat(pa.exit_status);
    e_to_.clear();
    if (!pa.address) {
        out() += "Cannot parse\n";
        return;
    }
    const Address& a = *pa.address;
    std::string mailer = a.mailer ? a.mailer->name : "*error*";
    if (!a.host.empty()) out() += "mailer " + mailer + ", host " + a.host + ", user " + a.user + "\n";
    else out() += "mailer " + mailer + ", user " + a.user + "\n";
}

// /try MAILER ADDRESS: remotename() for that mailer.
void TestMode::try_command(const std::string& arg) {
    std::size_t sp = arg.find_first_of(" \t");
    std::size_t q = sp;
    while (q < arg.size() && is_space(static_cast<unsigned char>(arg[q]))) ++q;
    if (sp == std::string::npos || q >= arg.size()) {
        out() += "Usage: /try mailer address\n";
        return;
    }
    std::string name = arg.substr(0, sp), addr = arg.substr(q);
    const Mailer* m = cfg_.find_mailer(name);
    if (!m) {
        out() += "Unknown mailer " + name + "\n";
        return;
    }
    out() += "Trying " + try_flags_words() + " address " + addr + " for mailer " + name + "\n";
    BtObserver obs(out(), session_.env.names, watcher);
    session_.observer = &obs;
    int status = 0;
    std::string r = remote_name(session_, addr, *m, try_flags(), status);
    session_.observer = nullptr;
    out() += "Rcode = " + std::to_string(status) + ", addr = " + r + "\n";
    e_to_.clear();
}

// /sender ADDRESS: setsender() (envelope.c) sets $f, $x and $z the way a
// message's sender does, then shows the sender's user part.
void TestMode::sender_command(const std::string& arg) {
    Env& env = session_.env;
    std::optional<MacroId> addr_type = env.names.intern("addr_type");
    env.macros.set(static_cast<MacroId>('x'), "");
    const std::string realname = cfg_.host.user;
    if (addr_type) env.macros.set(*addr_type, "e s");
    BtObserver obs(out(), env.names);
    session_.observer = &obs;
    const Mailer* prog = cfg_.find_mailer("prog");
    const Mailer* file = cfg_.find_mailer("*file*");
    const Mailer* incl = cfg_.find_mailer("*include*");
    std::string from = arg;
    // SuprErrs: usrerr() is silent, syserr() (buildaddr's "no mailer") is not.
    // It is on from the start for a V1 file, and for the fallbacks below.
    SuppressedErrors suppressed(rep_);
    Reporter& first_rep = cfg_.config_level < 2 ? static_cast<Reporter&>(suppressed) : rep_;
    ParsedAddress pa = parse_address(session_, from, '\0', kSenderAddress, false, &first_rep);
    if (pa.exit_status) rep_.setstat(pa.exit_status);
    auto unusable = [&](const ParsedAddress& p) {
        return !p.address || p.address->state == Address::State::BadAddr || p.address->mailer == prog ||
               p.address->mailer == file || p.address->mailer == incl;
    };
    if (unusable(pa)) {
        if (pa.address && pa.address->state != Address::State::BadAddr)
            first_rep.usrerr(bt_text({"553 5.1.7 Invalid sender address", pa.address->paddr, false}));
        // the real user, then $n, then postmaster. (sendmail skips the real
        // user when `from` is the very same pointer, never so in -bt: an
        // argument equal to the user name is parsed again.)
        from = realname;
        pa = parse_address(session_, from, ' ', kSenderAddress, false, &suppressed);
        if (!pa.address) {
            from = expand(std::string("\x81n"), env, suppressed, 100);
            pa = parse_address(session_, from, ' ', 0, false, &suppressed);
            if (!pa.address) {
                from = "postmaster";
                pa = parse_address(session_, from, ' ', 0, false, &suppressed);
            }
            if (!pa.address) rep_.syserr("553 5.3.0 setsender: can't even parse postmaster!");
        }
    }
    Address a = pa.address.value_or(Address{});
    if (a.mailer && a.mailer->flags.find('w') != std::string::npos) {
        if (!full_name_) {
            const std::string* x = env.macros.get(static_cast<MacroId>('x'));
            if (x && !x->empty()) full_name_ = *x;
        }
        std::optional<PasswdEntry> pw;
        if (!a.user.empty()) pw = lookup_passwd(a.user);
        if (pw) {
            if (pw->home.empty()) env.macros.unset(static_cast<MacroId>('z'));
            else env.macros.set(static_cast<MacroId>('z'), pw->home == "/" ? std::string() : pw->home);
            if (!full_name_ && !pw->full_name.empty() && pw->name == a.user) full_name_ = pw->full_name;
        }
        if (full_name_) env.macros.set(static_cast<MacroId>('x'), *full_name_);
    }
    // $f: the sender through rulesets 3, 1 and 4
    ScanOptions so;
    so.bufsize = limits::kPsBufSize;
    ScanResult sr = prescan(from, session_.tables().internal, so);
    for (const std::string& e : sr.errors) rep_.usrerr(e);
    Tokens ws = sr.tokens;
    for (int rs : {3, 1, 4}) rewrite(session_, ws, rs);
    if (addr_type) env.macros.unset(*addr_type);
    std::string f = cataddr(ws, 0, std::string::npos, limits::kMaxName, '\0', false, session_.tables().internal,
                            cfg_.options.blank_sub);
    if (!f.empty() && f[0] == '@' && !(a.mailer && a.mailer->flags.find('<') != std::string::npos)) f = "<" + f + ">";
    env.macros.set(static_cast<MacroId>('f'), f);
    if (a.mailer && a.mailer->flags.find('C') != std::string::npos) {
        if (addr_type) env.macros.set(*addr_type, "e s");
        for (int rs : {3, 1, 4}) rewrite(session_, ws, rs);
        if (addr_type) env.macros.unset(*addr_type);
    }
    session_.observer = nullptr;
    e_to_ = pa.to;
    sender_paddr_ = a.paddr;
    sender_user_ = a.user;
    sender_local_ = a.mailer && a.mailer->flags.find('l') != std::string::npos;
    out() += "addr=" + a.user + "\n";
}

namespace {
constexpr std::size_t kMaxHostNameLen = 256;  // MAXHOSTNAMELEN as sendmail defines it: /canon's buffer
}

// /canon HOST: getcanonname() over the service switch's hosts line; the
// buffer is printed whether or not the name was found.
void TestMode::canon_command(const std::string& arg) {
    if (arg.empty()) {
        out() += "Usage: /canon address\n";
        return;
    }
    if (arg.size() >= kMaxHostNameLen) {
        out() += "Name too long\n";
        return;
    }
    std::string host = arg;
    if (session_.maps.resolver) {
        CanonAnswer c = session_.maps.resolver->getcanonname(arg, true, true);
        if (c.host.size() < kMaxHostNameLen) host = c.host;
    }
    out() += "getcanonname(" + arg + ") returns " + host + "\n";
}

// /mx HOST: getmxrr() with its fallback to the host itself (no FallbackMX).
void TestMode::mx_command(const std::string& arg) {
    if (arg.empty()) {
        out() += "Usage: /mx address\n";
        return;
    }
    MxAnswer mx;
    if (session_.maps.resolver) mx = session_.maps.resolver->getmxrr(arg, true);
    if (mx.count == MxAnswer::kNullMx) {
        out() += "getmxrr(" + arg + ") returns null MX (See RFC7505)\n";
        return;
    }
    out() += "getmxrr(" + arg + ") returns " + std::to_string(mx.count) + " value(s):\n";
    for (const std::string& h : mx.hosts) out() += "\t" + h + "\n";
}

// /header NAME: VALUE: chompheader() for a header from the user; prints
// the header's flags ("ul = 0x00040100"). A check ruleset runs, traced.
void TestMode::header_command(const std::string& arg) {
    auto ul = [&](unsigned long v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%#.8lx", v);
        out() += std::string("ul = ") + buf + "\n";
    };
    if (!headers_init_) {
        defaults_ = cfg_.headers.defaults;
        headers_init_ = true;
    }
    // chompheader(): a header from the user is quoted first (and shown so)
    const std::string line = quote_internal_chars(arg);
    HeaderLine h = split_header(line, false);
    if (!h.ok) {
        rep_.syserr("header syntax error, line \"" + line + "\"");
        ul(0);
        return;
    }
    bool null_value = h.value.find_first_not_of(" \t\n\r\f\v") == std::string::npos;
    if (h.name.size() > 100) {  // long field names end the header
        ul(kHEoh);
        return;
    }
    const HeaderInfo* hi = cfg_.headers.find(h.name);
    unsigned long flags = hi ? hi->flags : 0;
    if (flags & kHResent) resent_ = true;
    if (flags & kHEoh) {
        ul(flags);
        return;
    }
    BtObserver obs(out(), session_.env.names, watcher);
    session_.observer = &obs;
    std::optional<HeaderCheck> check = check_header(session_, h.name, h.value, e_to_);
    session_.observer = nullptr;
    if (check && check->error) {
        rep_.usrerr(bt_text({check->error->line, "", false, true}));
        rep_.setstat(check->error->exit_status);
    }
    // a From: (Resent-From:) that only repeats the local sender replaces the default
    bool dropfrom = ascii_iequal(h.name, resent_ ? "resent-from" : "from") && sender_local_ &&
                    (h.value == sender_paddr_ || h.value == sender_user_);
    for (DefaultHeader& d : defaults_) {
        if (!ascii_iequal(d.name, h.name) || (d.flags & (kHUser | kHForce))) continue;
        if (null_value) {
            ul(0);
            return;
        }
        if (dropfrom) {
            d.flags |= kHUser;
            ul(flags);
            return;
        }
    }
    ul(flags | kHUser);
}

void TestMode::ruleset_and_address(const std::string& line) {
    std::size_t p = 0;
    while (p < line.size() && is_space(static_cast<unsigned char>(line[p]))) ++p;
    std::size_t q = p;
    while (p < line.size() && !is_space(static_cast<unsigned char>(line[p]))) ++p;
    if (p >= line.size()) {
        out() += "No address!\n";
        return;
    }
    const std::string list = line.substr(q, p - q);
    std::string addr = line.substr(p + 1);

    // invalidaddr(): 8-bit meta bytes and length, for the whole rest at once.
    bool bad = false;
    for (std::size_t i = 0; i < addr.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(addr[i]);
        if ((c & 0xE0) == 0x80) {
            if (rep_.exit_status == 0 || rep_.exit_status == 75) rep_.exit_status = 64;
            bad = true;
            addr[i] = '?';
        }
        if (i + 1 > static_cast<std::size_t>(limits::kMaxTestAddress)) {
            // (a 553: fmtmsg() puts e->e_to in front, which /sender may have left set)
            rep_.usrerr(bt_text({"553 5.1.0 Address \"" + addr.substr(0, i) + "\" too long (" +
                                     std::to_string(limits::kMaxTestAddress) + " bytes max)",
                                 e_to_, false}));
            return;
        }
    }
    if (bad) {
        rep_.usrerr("8-bit character in mailbox address \"" + addr + "\"");
        return;
    }

    const TokenTable& table = cfg_.config_level >= 9 ? session_.tables().nocomment : session_.tables().external;
    BtObserver obs(out(), session_.env.names, watcher);
    session_.observer = &obs;
    std::size_t pos = 0;
    for (;;) {
        ScanOptions so;
        so.delim = ',';
        so.bufsize = limits::kPsBufSize;
        ScanResult r = prescan(std::string_view(addr).substr(pos), table, so);
        for (const std::string& e : r.errors) rep_.usrerr(e);
        IdTokens ws = session_.record_prescan(r);
        std::size_t delim = pos + r.delim_pos;
        if (r.ok) {
            std::size_t item = 0;
            while (item < list.size()) {
                std::string rest = list.substr(item);
                int rs = rwset_find(cfg_, rest, nullptr, rep_);
                if (rs < 0) {
                    out() += "Undefined ruleset " + rest + "\n";
                    break;
                }
                int status = rewrite(session_, ws, rs, 0, limits::kMaxAtom, /*in_prescan_array=*/true);
                if (status != 0) {
                    out() += "== Ruleset " + rest + " (" + std::to_string(rs) + ") status " +
                             std::to_string(status) + "\n";
                }
                while (item < list.size() && list[item++] != ',') {
                }
            }
        }
        if (delim >= addr.size()) break;
        pos = delim + 1;
    }
    session_.observer = nullptr;
}

} // namespace cfkit
