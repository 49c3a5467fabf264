#include "engine/smtp/session_script.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <regex>
#include <sstream>

#include "engine/text/symbols.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

namespace {

std::string ascii_upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string rest_after(const std::string& line, std::size_t words) {
    std::size_t p = 0;
    for (std::size_t i = 0; i < words; ++i) {
        p = line.find_first_not_of(" \t", p);
        if (p == std::string::npos) return std::string();
        p = line.find_first_of(" \t", p);
        if (p == std::string::npos) return std::string();
    }
    p = line.find_first_not_of(" \t", p);
    return p == std::string::npos ? std::string() : line.substr(p);
}

} // namespace

bool parse_session_script(const std::string& text, const std::string& path, SessionScript& out,
                          std::vector<Diagnostic>& errors) {
    out.path = path;
    std::vector<std::string> lines;
    {
        std::istringstream in(text);
        std::string l;
        while (std::getline(in, l)) {
            if (!l.empty() && l.back() == '\r') l.pop_back();
            lines.push_back(l);
        }
    }
    std::size_t before = errors.size();
    auto fail = [&](int line, const std::string& msg) {
        Diagnostic d;
        d.emit = Emit::Plain;
        d.loc.file = path;
        d.loc.line = line;
        d.loc.column = 1;
        d.message = msg;
        errors.push_back(d);
    };
    bool connected = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        int lineno = static_cast<int>(i + 1);
        const std::string& l = lines[i];
        std::vector<std::string> w = split_words(l);
        if (w.empty() || w[0][0] == '#') continue;
        std::string cmd = ascii_lower(w[0]);
        ScriptStep st;
        st.line = lineno;
        st.words = w;
        if (cmd == "expect") {
            if (out.steps.empty()) {
                fail(lineno, "expect: no step before it to check");
                continue;
            }
            Expectation e;
            e.line = lineno;
            std::string what = rest_after(l, 1);
            if (what.size() >= 2 && what.front() == '/' && what.back() == '/') {
                e.regex = what.substr(1, what.size() - 2);
                try {
                    std::regex check(*e.regex);
                } catch (const std::regex_error& ex) {
                    fail(lineno, "expect: bad regular expression /" + *e.regex + "/: " + ex.what());
                    continue;
                }
            } else if (what.size() >= 3 && std::isdigit(static_cast<unsigned char>(what[0])) &&
                       std::isdigit(static_cast<unsigned char>(what[1])) &&
                       std::isdigit(static_cast<unsigned char>(what[2])) && (what.size() == 3 || what[3] == ' ')) {
                e.code = what.substr(0, 3);
                if (what.size() > 4) e.text = what.substr(4);
            } else {
                fail(lineno, "expect: expected a reply code (550), a code and text, or /regex/");
                continue;
            }
            out.steps.back().expect.push_back(e);
            continue;
        }
        if (cmd == "dns") {
            std::string err;
            std::vector<std::string> rec(w.begin() + 1, w.end());
            if (!out.dns.add(rec, err)) fail(lineno, "dns: " + err);
            continue;
        }
        if (cmd == "connect") {
            if (connected) {
                fail(lineno, "connect: only one connection per script");
                continue;
            }
            if (w.size() < 2) {
                fail(lineno, "connect: expected an IPv4 address");
                continue;
            }
            unsigned char ip[4];
            if (inet_pton(AF_INET, w[1].c_str(), ip) != 1) {
                fail(lineno, "connect: " + w[1] + " is not an IPv4 address (IPv6 clients are not supported)");
                continue;
            }
            for (std::size_t k = 2; k < w.size(); ++k) {
                std::size_t eq = w[k].find('=');
                std::string key = eq == std::string::npos ? w[k] : w[k].substr(0, eq);
                std::string val = eq == std::string::npos ? std::string() : w[k].substr(eq + 1);
                if (key == "name" && !val.empty()) {
                    out.dns.ptr[w[1]].push_back(dns_name(val));
                    out.dns.a[dns_key(val)].push_back(w[1]);
                } else if (key == "port" && !val.empty() && val.find_first_not_of("0123456789") == std::string::npos) {
                } else {
                    fail(lineno, "connect: unknown setting " + w[k] + " (name=NAME, port=N)");
                }
            }
            st.kind = ScriptStep::Kind::Connect;
            connected = true;
            out.steps.push_back(st);
            continue;
        }
        if (!connected && cmd != "macro" && cmd != "class" && cmd != "map") {
            fail(lineno, "'" + w[0] + "' before connect: SMTP commands come after `connect ADDR`");
            continue;
        }
        if (cmd == "macro" || cmd == "class" || cmd == "map") {
            std::size_t need = cmd == "map" ? 4 : 3;
            if (w.size() < need) {
                fail(lineno, cmd + (cmd == "map" ? ": expected MAP KEY VALUE" : cmd == "class" ? ": expected NAME WORD" : ": expected NAME VALUE"));
                continue;
            }
            st.kind = cmd == "macro" ? ScriptStep::Kind::Macro : cmd == "class" ? ScriptStep::Kind::Class
                                                                                : ScriptStep::Kind::Map;
            if (cmd == "macro") st.words = {w[0], w[1], rest_after(l, 2)};
            if (cmd == "map") st.words = {w[0], w[1], w[2], rest_after(l, 3)};
            out.cfkit_only = true;
            out.steps.push_back(st);
            continue;
        }
        if (cmd == "auth") {
            if (w.size() != 3) {
                fail(lineno, "auth: expected USER MECHANISM");
                continue;
            }
            st.kind = ScriptStep::Kind::Auth;
            out.cfkit_only = true;
            out.steps.push_back(st);
            continue;
        }
        std::string arg = rest_after(l, 1);
        if (cmd == "helo" || cmd == "ehlo" || cmd == "vrfy" || cmd == "expn" || cmd == "etrn") {
            st.smtp = ascii_upper(cmd) + (arg.empty() ? "" : " " + arg);
        } else if (cmd == "mail") {
            st.smtp = "MAIL FROM:" + arg;
        } else if (cmd == "rcpt") {
            st.smtp = "RCPT TO:" + arg;
        } else if (cmd == "rset" || cmd == "noop" || cmd == "quit" || cmd == "help") {
            st.smtp = ascii_upper(cmd) + (arg.empty() ? "" : " " + arg);
        } else if (cmd == "send") {
            st.smtp = arg;
        } else if (cmd == "data") {
            st.kind = ScriptStep::Kind::Data;
            st.smtp = "DATA";
            std::size_t j = i + 1;
            for (; j < lines.size() && lines[j] != "."; ++j) st.body.push_back(lines[j]);
            if (j >= lines.size()) {
                fail(lineno, "data: the message has no end (a line with a single \".\")");
                i = j;
                continue;
            }
            i = j;
        } else {
            fail(lineno, "unknown command '" + w[0] + "'");
            continue;
        }
        out.steps.push_back(st);
    }
    if (!connected && errors.size() == before) fail(1, "no `connect ADDR` line");
    return errors.size() == before;
}

} // namespace cfkit
