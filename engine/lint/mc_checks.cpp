// The checks of a .mc's own text: what m4 does to it before sendmail
// reads anything, and the .mc's dnl suppressions.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/lint/finding.hpp"
#include "engine/text/textutil.hpp"

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
    if (line.find('\t') != std::string::npos) return false;  // a TAB separates a config line's fields
    std::vector<std::string> words = split_words(line);
    for (const std::string& w : words) {
        if (!std::isalpha(static_cast<unsigned char>(w[0]))) return false;
        for (char c : w)
            if (!std::isalpha(static_cast<unsigned char>(c)) && !std::strchr("'.,:;!?()-", c)) return false;
    }
    return words.size() >= 3;
}


} // namespace

std::vector<LintFinding> lint_mc(const std::string& path, const std::string& text, const LintOptions& options) {
    std::vector<LintFinding> out;
    auto add = [&](const std::string& id, int line, int col, const std::string& message) {
        if (!options.disabled.count(id)) out.push_back(make_finding(id, {path, line, col}, message));
    };
    bool diverted = false, local = false;
    int n = 0;
    for (const std::string& line : text_lines(text)) {
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
    std::vector<Suppression> sups;
    int n = 0;
    for (const std::string& line : text_lines(text)) {
        ++n;
        // a comment that is the whole line covers the next one
        std::size_t p = line.find("dnl cfkit-lint: disable=");
        bool alone = p != std::string::npos && line.find_first_not_of(" \t") == p;
        read_suppressions(line, "dnl cfkit-lint: disable=", {path, n, 0}, alone ? n + 1 : n, sups);
    }
    apply_suppressions(findings, sups, options);
}

} // namespace cfkit
