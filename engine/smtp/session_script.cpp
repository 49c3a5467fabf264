#include "engine/smtp/session_script.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <unistd.h>
#include <cctype>
#include <cstring>
#include <map>
#include <utility>
#include <regex>
#include <sstream>

#include "engine/text/symbols.hpp"
#include "grammar/comments.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

namespace {

std::string rest_after(std::string_view line, std::size_t words) {
    std::size_t p = 0;
    for (std::size_t i = 0; i < words; ++i) {
        p = line.find_first_not_of(" \t", p);
        if (p == std::string::npos) return std::string();
        p = line.find_first_of(" \t", p);
        if (p == std::string::npos) return std::string();
    }
    p = line.find_first_not_of(" \t", p);
    return p == std::string::npos ? std::string() : std::string(line.substr(p));
}

// One script being read: a handler per line kind (the first word), as
// ninja's manifest parser dispatches on its statement kinds.
class ScriptReader {
public:
    ScriptReader(const std::string& path, SessionScript& out, std::vector<Diagnostic>& errors)
        : path_(path), out_(out), errors_(errors) {}

    bool read(const std::string& text);

private:
    struct Line {
        int no;
        std::string_view text;
        std::vector<std::string> w;  // the words
        std::string cmd;             // the first, lower case
    };
    using Handler = void (ScriptReader::*)(const Line&);
    struct Keyword {
        const char* name;
        Handler handle;
        bool before_connect;  // allowed before `connect`
    };
    static const Keyword kKeywords[];

    void fail(int line, const std::string& msg);
    // words: whether the step keeps the line's words (run_session reads
    // them for connect, auth, macro, class and map; a command has its text)
    ScriptStep step(const Line& l, ScriptStep::Kind kind, bool words = true) const;
    void expect(const Line& l);
    void dns(const Line& l);
    void connect(const Line& l);
    void setting(const Line& l);  // macro, class, map
    void auth(const Line& l);
    void smtp(const Line& l);     // helo ehlo vrfy expn etrn rset noop quit help
    void mail_rcpt(const Line& l);
    void send(const Line& l);
    void early(const Line& l);
    void starttls(const Line& l);
    void account(const Line& l);
    void data(const Line& l);

    const std::string& path_;
    SessionScript& out_;
    std::vector<Diagnostic>& errors_;
    std::vector<std::string_view> lines_;  // (into the text being read)
    std::size_t next_ = 0;  // the line after the one being read (data reads on)
    bool connected_ = false;
};

const ScriptReader::Keyword ScriptReader::kKeywords[] = {
    {"expect", &ScriptReader::expect, true},     {"dns", &ScriptReader::dns, true},
    {"connect", &ScriptReader::connect, true},   {"macro", &ScriptReader::setting, true},
    {"class", &ScriptReader::setting, true},     {"map", &ScriptReader::setting, true},
    {"auth", &ScriptReader::auth, false},        {"helo", &ScriptReader::smtp, false},
    {"ehlo", &ScriptReader::smtp, false},        {"vrfy", &ScriptReader::smtp, false},
    {"expn", &ScriptReader::smtp, false},        {"etrn", &ScriptReader::smtp, false},
    {"rset", &ScriptReader::smtp, false},        {"noop", &ScriptReader::smtp, false},
    {"quit", &ScriptReader::smtp, false},        {"help", &ScriptReader::smtp, false},
    {"mail", &ScriptReader::mail_rcpt, false},   {"rcpt", &ScriptReader::mail_rcpt, false},
    {"send", &ScriptReader::send, false},        {"data", &ScriptReader::data, false},
    {"early", &ScriptReader::early, false},      {"starttls", &ScriptReader::starttls, false},      {"account", &ScriptReader::account, true},
};

bool ScriptReader::read(const std::string& text) {
    out_.path = path_;
    for (std::size_t p = 0; p < text.size();) {
        std::size_t e = text.find('\n', p);
        if (e == std::string::npos) e = text.size();
        std::size_t end = e > p && text[e - 1] == '\r' ? e - 1 : e;
        lines_.emplace_back(text.data() + p, end - p);
        p = e + 1;
    }
    out_.steps.reserve(lines_.size());  // (steps are big: no moving them as the vector grows)
    std::size_t before = errors_.size();
    while (next_ < lines_.size()) {
        int no = static_cast<int>(next_ + 1);
        std::string_view text_line = lines_[next_++];
        // blank lines and comments (cases are mostly comment) without splitting them
        std::size_t first = 0;
        while (first < text_line.size() && is_space(static_cast<unsigned char>(text_line[first]))) ++first;
        if (first == text_line.size() || text_line[first] == '#') continue;
        std::vector<std::string> w = split_words(text_line);
        if (w.empty() || w[0][0] == '#') continue;
        std::string cmd = ascii_lower(w[0]);
        Line l{no, text_line, std::move(w), std::move(cmd)};
        const Keyword* k = nullptr;
        for (const Keyword& kw : kKeywords)
            if (l.cmd[0] == kw.name[0] && l.cmd == kw.name) k = &kw;
        if (k && !k->before_connect && !connected_) {
            fail(no, "'" + l.w[0] + "' before connect: SMTP commands come after `connect ADDR`");
        } else if (!k) {
            fail(no, connected_ ? "unknown command '" + l.w[0] + "'"
                                : "'" + l.w[0] + "' before connect: SMTP commands come after `connect ADDR`");
        } else {
            (this->*k->handle)(l);
        }
    }
    if (!connected_ && errors_.size() == before) fail(1, "no `connect ADDR` line");
    // without accounts an `auth` line only marks the session authenticated,
    // which no real daemon can be asked to do
    for (const ScriptStep& st : out_.steps)
        if (st.kind == ScriptStep::Kind::Auth && out_.accounts.empty()) out_.cfkit_only = true;
    return errors_.size() == before;
}

void ScriptReader::fail(int line, const std::string& msg) {
    Diagnostic d;
    d.emit = Emit::Plain;
    d.loc.file = path_;
    d.loc.line = line;
    d.loc.column = 1;
    d.message = msg;
    errors_.push_back(d);
}

ScriptStep ScriptReader::step(const Line& l, ScriptStep::Kind kind, bool words) const {
    ScriptStep st;
    st.kind = kind;
    st.line = l.no;
    if (words) st.words = l.w;
    return st;
}

void ScriptReader::expect(const Line& l) {
    if (out_.steps.empty()) return fail(l.no, "expect: no step before it to check");
    Expectation e;
    e.line = l.no;
    std::string what = rest_after(l.text, 1);
    if (what.size() >= 2 && what.front() == '/' && what.back() == '/') {
        e.regex = what.substr(1, what.size() - 2);
        // Compiled once per pattern and thread: suites repeat their patterns.
        thread_local std::map<std::string, std::shared_ptr<const std::regex>> compiled;
        auto it = compiled.find(*e.regex);
        if (it == compiled.end()) {
            try {
                if (compiled.size() > 4096) compiled.clear();
                it = compiled.emplace(*e.regex, std::make_shared<const std::regex>(*e.regex)).first;
            } catch (const std::regex_error& ex) {
                return fail(l.no, "expect: bad regular expression /" + *e.regex + "/: " + ex.what());
            }
        }
        e.compiled = it->second;
    } else if (what.size() >= 3 && std::isdigit(static_cast<unsigned char>(what[0])) &&
               std::isdigit(static_cast<unsigned char>(what[1])) && std::isdigit(static_cast<unsigned char>(what[2])) &&
               (what.size() == 3 || what[3] == ' ')) {
        e.code = what.substr(0, 3);
        if (what.size() > 4) e.text = what.substr(4);
    } else {
        return fail(l.no, "expect: expected a reply code (550), a code and text, or /regex/");
    }
    out_.steps.back().expect.push_back(e);
}

void ScriptReader::dns(const Line& l) {
    std::string err;
    std::vector<std::string> rec(l.w.begin() + 1, l.w.end());
    if (!out_.dns.add(rec, err)) fail(l.no, "dns: " + err);
}

void ScriptReader::connect(const Line& l) {
    const std::vector<std::string>& w = l.w;
    if (connected_) return fail(l.no, "connect: only one connection per script");
    if (w.size() < 2) return fail(l.no, "connect: expected an address (IPv4 or IPv6)");
    unsigned char ip[16];
    bool v6 = inet_pton(AF_INET6, w[1].c_str(), ip) == 1;
    // ::ffff:a.b.c.d is an IPv4 client to the daemon: its name has A records
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const bool mapped = v6 && std::memcmp(ip, kMapped, 12) == 0;
    char dotted[INET_ADDRSTRLEN] = "";
    if (mapped) inet_ntop(AF_INET, ip + 12, dotted, sizeof dotted);
    if (!v6 && inet_pton(AF_INET, w[1].c_str(), ip) != 1)
        return fail(l.no, "connect: " + w[1] + " is not an IPv4 or IPv6 address");
    std::string name, resolve;
    for (std::size_t k = 2; k < w.size(); ++k) {
        std::size_t eq = w[k].find('=');
        std::string key = eq == std::string::npos ? w[k] : w[k].substr(0, eq);
        std::string val = eq == std::string::npos ? std::string() : w[k].substr(eq + 1);
        if (key == "name" && !val.empty()) {
            name = val;
        } else if (key == "resolve" && (ascii_upper(val) == "OK" || ascii_upper(val) == "FAIL" ||
                                        ascii_upper(val) == "TEMP" || ascii_upper(val) == "FORGED")) {
            resolve = ascii_upper(val);
        } else if (!(key == "port" && !val.empty() && val.find_first_not_of("0123456789") == std::string::npos)) {
            fail(l.no, "connect: unknown setting " + w[k] + " (name=NAME, port=N, resolve=OK|FAIL|TEMP|FORGED)");
        }
    }
    // resolve= is shorthand for the DNS records that give that {client_resolve}
    if ((resolve == "OK" || resolve == "FORGED") && name.empty())
        return fail(l.no, "connect: resolve=" + resolve + " needs name=NAME (the client's PTR name)");
    if ((resolve == "FAIL" || resolve == "TEMP") && !name.empty())
        return fail(l.no, "connect: resolve=" + resolve + " means the client has no name: drop name=" + name);
    std::string err;
    if (!name.empty()) {
        // FORGED: the name's address is another one
        std::string other = v6 ? (w[1] != "2001:db8::fe" ? "2001:db8::fe" : "2001:db8::fd")
                               : (w[1] != "192.0.2.254" ? "192.0.2.254" : "192.0.2.253");
        if (!out_.dns.add({mapped ? std::string(dotted) : w[1], "PTR", name}, err) ||
            !out_.dns.add({name, v6 && !mapped ? "AAAA" : "A",
                           resolve == "FORGED" ? (mapped ? std::string("192.0.2.254") : other)
                                               : (mapped ? std::string(dotted) : w[1])},
                          err))
            return fail(l.no, "connect: " + err);
    }
    if (resolve == "TEMP" && !out_.dns.add({w[1], "TEMP"}, err)) return fail(l.no, "connect: " + err);
    connected_ = true;
    out_.steps.push_back(step(l, ScriptStep::Kind::Connect));
}

void ScriptReader::setting(const Line& l) {
    const std::string& cmd = l.cmd;
    std::size_t need = cmd == "map" ? 4 : 3;
    if (l.w.size() < need)
        return fail(l.no, cmd + (cmd == "map"     ? ": expected MAP KEY VALUE"
                                 : cmd == "class" ? ": expected NAME WORD"
                                                  : ": expected NAME VALUE"));
    ScriptStep st = step(l, cmd == "macro"   ? ScriptStep::Kind::Macro
                            : cmd == "class" ? ScriptStep::Kind::Class
                                             : ScriptStep::Kind::Map);
    if (cmd == "macro") st.words = {l.w[0], l.w[1], rest_after(l.text, 2)};
    if (cmd == "map") st.words = {l.w[0], l.w[1], l.w[2], rest_after(l.text, 3)};
    out_.cfkit_only = true;
    out_.steps.push_back(std::move(st));
}

void ScriptReader::auth(const Line& l) {
    if (l.w.size() != 3 && l.w.size() != 4) return fail(l.no, "auth: expected USER MECHANISM [PASSWORD]");
    out_.steps.push_back(step(l, ScriptStep::Kind::Auth));
}

void ScriptReader::starttls(const Line& l) {
    ScriptStep st = step(l, ScriptStep::Kind::StartTls);
    st.smtp = "STARTTLS";
    static const std::pair<const char*, const char*> kGiven[] = {
        {"verify", "verify"},         {"subject", "cert_subject"}, {"issuer", "cert_issuer"},
        {"cn_subject", "cn_subject"}, {"cn_issuer", "cn_issuer"},  {"cert_md5", "cert_md5"}};
    for (std::size_t k = 1; k < l.w.size(); ++k) {
        std::size_t eq = l.w[k].find('=');
        std::string key = eq == std::string::npos ? l.w[k] : l.w[k].substr(0, eq);
        std::string val = eq == std::string::npos ? std::string() : l.w[k].substr(eq + 1);
        bool known = false;
        for (const auto& [word, macro] : kGiven) {
            if (key != word) continue;
            st.tls_macros[macro] = val;
            known = true;
        }
        if (key == "cert" && !val.empty()) {
            // relative to the script's directory
            std::size_t slash = path_.rfind('/');
            st.cert = val[0] == '/' || slash == std::string::npos ? val : path_.substr(0, slash + 1) + val;
        } else if (!(key == "key" && !val.empty()) && !known) {
            return fail(l.no, "starttls: unknown setting " + l.w[k] +
                                  " (cert=FILE, key=FILE, or verify=, subject=, issuer=, cn_subject=, cn_issuer=, cert_md5=)");
        }
    }
    if (!st.cert.empty() && access(st.cert.c_str(), R_OK) != 0)
        return fail(l.no, "starttls: cert=" + st.cert + ": " + std::strerror(errno));
    if (!st.cert.empty() && !st.tls_macros.empty())
        return fail(l.no, "starttls: cert= shows a real certificate; verify=, subject= ... set the macros without one");
    if (!st.tls_macros.empty()) out_.cfkit_only = true;  // no real client can be told what to verify to
    out_.steps.push_back(std::move(st));
}

void ScriptReader::account(const Line& l) {
    if (l.w.size() != 3) return fail(l.no, "account: expected USER PASSWORD");
    out_.accounts.emplace_back(l.w[1], l.w[2]);
}

void ScriptReader::smtp(const Line& l) {
    std::string arg = rest_after(l.text, 1);
    ScriptStep st = step(l, ScriptStep::Kind::Smtp, false);
    st.smtp = ascii_upper(l.cmd) + (arg.empty() ? "" : " " + arg);
    out_.steps.push_back(std::move(st));
}

void ScriptReader::mail_rcpt(const Line& l) {
    ScriptStep st = step(l, ScriptStep::Kind::Smtp, false);
    st.smtp = (l.cmd == "mail" ? "MAIL FROM:" : "RCPT TO:") + rest_after(l.text, 1);
    out_.steps.push_back(std::move(st));
}

void ScriptReader::send(const Line& l) {
    ScriptStep st = step(l, ScriptStep::Kind::Smtp, false);
    st.smtp = rest_after(l.text, 1);
    out_.steps.push_back(std::move(st));
}

// A line the client sends before it has read the greeting (greet_pause
// catches it): only right after `connect`.
void ScriptReader::early(const Line& l) {
    if (out_.steps.empty() || out_.steps.back().kind != ScriptStep::Kind::Connect)
        return fail(l.no, "early: only right after connect (the client talks before the greeting)");
    std::string raw = rest_after(l.text, 1);
    if (raw.empty()) return fail(l.no, "early: expected the line the client sends (early EHLO x.example)");
    ScriptStep st = step(l, ScriptStep::Kind::Smtp, false);
    st.smtp = raw;
    st.early = true;
    out_.steps.push_back(std::move(st));
}

// The message lines up to a line with a single ".".
void ScriptReader::data(const Line& l) {
    ScriptStep st = step(l, ScriptStep::Kind::Data, false);
    st.smtp = "DATA";
    for (; next_ < lines_.size() && lines_[next_] != "."; ++next_) st.body.emplace_back(lines_[next_]);
    if (next_ >= lines_.size()) return fail(l.no, "data: the message has no end (a line with a single \".\")");
    ++next_;  // the "."
    out_.steps.push_back(std::move(st));
}

} // namespace

bool parse_session_script(const std::string& text, const std::string& path, SessionScript& out,
                          std::vector<Diagnostic>& errors) {
    return ScriptReader(path, out, errors).read(text);
}

} // namespace cfkit
