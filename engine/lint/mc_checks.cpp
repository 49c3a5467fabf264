// The checks of a .mc's own text: what m4 does to it before sendmail
// reads anything, and the .mc's dnl suppressions.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/lint/lint.hpp"

namespace cfkit {

namespace {

// The sendmail-cf macros a user writes in a .mc (what matters: m4 expands them).
const char* const kMcMacros[] = {"FEATURE", "define", "DAEMON_OPTIONS", "CLIENT_OPTIONS", "MAILER", "OSTYPE",
                                 "DOMAIN", "HACK", "MASQUERADE_AS", "MASQUERADE_DOMAIN", "TRUST_AUTH_MECH",
                                 "RELAY_DOMAIN", "EXPOSED_USER", "LOCAL_DOMAIN", "LOCAL_USER", "undefine",
                                 "GENERICS_DOMAIN", "VIRTUSER_DOMAIN", "INPUT_MAIL_FILTER", "MAIL_FILTER"};

// The first sendmail-cf macro called on the line ("FEATURE("), or "".
std::string macro_call(const std::string& line) {
    for (const char* m : kMcMacros) {
        std::size_t p = line.find(std::string(m) + "(");
        if (p == std::string::npos) continue;
        if (p > 0 && (std::isalnum(static_cast<unsigned char>(line[p - 1])) || line[p - 1] == '_')) continue;
        // inside m4 quotes (`FEATURE(x)') it is text, not a call
        long open = std::count(line.begin(), line.begin() + static_cast<long>(p), '`') -
                    std::count(line.begin(), line.begin() + static_cast<long>(p), '\'');
        if (open > 0) continue;
        return m;
    }
    return std::string();
}

// FEATURE(`dnsbl', ...) and enhdnsbl: the arguments after the list's domain
// (the message and the rest) with a comma inside single m4 quotes.
template <typename Add>
void dnsbl_commas(const std::string& line, int n, Add& add) {
    std::size_t p = line.find("FEATURE(");
    if (p == std::string::npos) return;
    std::size_t i = p + 8;
    std::string name;
    for (std::size_t k = i; k < line.size() && line[k] != ','; ++k)
        if (std::isalnum(static_cast<unsigned char>(line[k]))) name += line[k];
    const bool dnsbl = name == "dnsbl" || name == "enhdnsbl";
    int quote = 0, paren = 0, arg = 0;
    for (std::size_t k = i; k < line.size(); ++k) {
        char c = line[k];
        if (c == '`') ++quote;
        else if (c == '\'' && quote > 0) {
            // "You're": a closing quote between two letters is an apostrophe m4 takes for the quote's end
            if (--quote == 0 && k > 0 && k + 1 < line.size() && std::isalpha(static_cast<unsigned char>(line[k - 1])) &&
                std::isalpha(static_cast<unsigned char>(line[k + 1]))) {
                add("m4-apostrophe", n, static_cast<int>(k) + 1,
                    "m4 takes this apostrophe for the end of the quoted argument: the text after it is split off");
                return;
            }
        }
        else if (quote == 0 && c == '(') ++paren;
        else if (quote == 0 && c == ')' && paren-- == 0) break;
        else if (c == ',' && quote == 0 && paren == 0) ++arg;
        else if (dnsbl && c == ',' && quote == 1 && arg >= 2) {
            add("m4-comma", n, static_cast<int>(k) + 1,
                "this comma ends the " + name + " message when " + name +
                    ".m4 expands it again, and the reject rule is lost: quote the message twice (``...'')");
            return;
        }
    }
}

// Words of a sentence (three or more, letters and punctuation only), not
// the fields of a config line ("Kcheckaddress regex -a@MATCH").
bool is_prose(const std::string& line) {
    int words = 0;
    std::size_t p = 0;
    while (p < line.size()) {
        std::size_t b = line.find_first_not_of(' ', p);
        if (b == std::string::npos) break;
        std::size_t e = line.find(' ', b);
        std::string w = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
        p = e == std::string::npos ? line.size() : e;
        if (!std::isalpha(static_cast<unsigned char>(w[0]))) return false;
        for (char c : w)
            if (!std::isalpha(static_cast<unsigned char>(c)) && !std::strchr("'.,:;!?()-", c)) return false;
        ++words;
    }
    return words >= 3;
}


} // namespace

std::vector<LintFinding> lint_mc(const std::string& path, const std::string& text, const LintOptions& options) {
    std::vector<LintFinding> out;
    auto add = [&](const std::string& id, int line, int col, const std::string& message) {
        if (options.disabled.count(id)) return;
        LintFinding f;
        f.id = id;
        f.diag.severity = find_lint_check(id)->severity;
        f.diag.emit = Emit::Plain;
        f.diag.loc = {path, line, col};
        f.diag.message = message;
        f.hint = find_lint_check(id)->summary;
        out.push_back(std::move(f));
    };
    bool diverted = false, local = false;
    int n = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() + 1 : end + 1;
        ++n;
        std::size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        std::string body = line.substr(b);
        if (body.rfind("dnl", 0) == 0) continue;
        if (body.find("divert(-1)") != std::string::npos) diverted = true;
        else if (body.find("divert(") != std::string::npos) diverted = false;
        if (body[0] == '#') {
            std::string m = macro_call(body);
            if (!m.empty())
                add("m4-comment-live", n, static_cast<int>(line.find(m + "(")) + 1,
                    m + "(...) in a # comment: m4 expands it all the same (comment it out with dnl)");
            continue;
        }
        if (body.rfind("LOCAL_CONFIG", 0) == 0 || body.rfind("LOCAL_RULESETS", 0) == 0 ||
            body.rfind("LOCAL_RULE_", 0) == 0 || body.rfind("LOCAL_NET_CONFIG", 0) == 0) {
            local = true;
            continue;
        }
        if (!macro_call(body).empty() || body.rfind("MAILER_DEFINITIONS", 0) == 0) local = false;
        dnsbl_commas(line, n, add);
        bool cf_line = (body[0] == 'R' && body.find('\t') != std::string::npos) ||
                       (body[0] == 'S' && body.find_first_of(" \t") == std::string::npos && body.size() > 1);
        if (diverted && cf_line) {
            add("m4-diverted-away", n, 1, "a .cf line inside divert(-1): m4 throws it away");
            continue;
        }
        // prose in a block m4 copies to the .cf: "Skip the ..." is a ruleset "kip"
        if (local && !diverted && b == 0 && std::isupper(static_cast<unsigned char>(body[0])) && body.size() > 2 &&
            std::islower(static_cast<unsigned char>(body[1])) && is_prose(body)) {
            std::string rest = body.substr(1, body.find(' ') - 1);
            add("m4-text-to-cf", n, 1,
                "m4 copies this comment to the .cf, where sendmail reads a \"" + body.substr(0, 1) + "\" line (\"" +
                    body.substr(0, 1) + "\" then \"" + rest + "...\"): start it with dnl");
        }
    }
    return out;
}

void apply_mc_suppressions(std::vector<LintFinding>& findings, const std::string& path, const std::string& text,
                           const LintOptions& options) {
    struct Sup {
        int line, target, col;
        std::string id;
        bool used = false;
    };
    std::vector<Sup> sups;
    const std::string key = "dnl cfkit-lint: disable=";
    int n = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        ++n;
        std::size_t p = line.find(key);
        if (p == std::string::npos) continue;
        bool alone = line.find_first_not_of(" \t") == p;  // the comment is the whole line: it covers the next
        std::size_t b = p + key.size();
        std::string ids = line.substr(b, line.find_first_of(" \t", b) - b);
        std::size_t q = 0;
        while (q <= ids.size()) {
            std::size_t c = ids.find(',', q);
            std::string id = ids.substr(q, c == std::string::npos ? std::string::npos : c - q);
            if (!id.empty()) sups.push_back({n, alone ? n + 1 : n, static_cast<int>(p) + 1, id});
            if (c == std::string::npos) break;
            q = c + 1;
        }
    }
    std::vector<LintFinding> kept;
    for (LintFinding& f : findings) {
        bool hidden = false;
        for (Sup& s : sups)
            if (f.diag.loc.file == path && f.diag.loc.line == s.target && f.id == s.id) hidden = s.used = true;
        if (!hidden) kept.push_back(std::move(f));
    }
    for (const Sup& s : sups) {
        if (s.used || options.disabled.count("unused-suppression")) continue;
        LintFinding f;
        f.id = "unused-suppression";
        f.diag.severity = find_lint_check(f.id)->severity;
        f.diag.emit = Emit::Plain;
        f.diag.loc = {path, s.line, s.col};
        f.diag.message = "cfkit-lint: disable=" + s.id + " suppresses nothing: " +
                         (find_lint_check(s.id) ? "no " + s.id + " finding on this line" : "no check is named " + s.id);
        f.hint = find_lint_check(f.id)->summary;
        kept.push_back(std::move(f));
    }
    findings = std::move(kept);
}

} // namespace cfkit
