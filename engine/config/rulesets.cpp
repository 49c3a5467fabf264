#include "engine/config/rulesets.hpp"

#include <cctype>
#include <cstdlib>

#include "grammar/comments.hpp"

namespace cfkit {

namespace {

int strtorwset(Config* mut, const Config& cfg, std::string_view text, std::size_t* endp, Reporter& rep) {
    std::string s(text.substr(0, text.find('\0')));
    std::size_t p = 0;
    while (p < s.size() && is_space(static_cast<unsigned char>(s[p]))) ++p;
    unsigned char c0 = p < s.size() ? static_cast<unsigned char>(s[p]) : 0;
    if (c0 >= 0x80) {
        rep.syserr("invalid ruleset name: \"" + s.substr(p, 20) + "\"");
        return -1;
    }
    const int half = limits::kMaxRulesets / 2;
    if (std::isdigit(c0)) {
        char* ep = nullptr;
        long n = std::strtol(s.c_str() + p, &ep, 10);
        if (endp) *endp = static_cast<std::size_t>(ep - s.c_str());
        if (n >= half || n < 0) {
            rep.syserr("bad ruleset " + std::to_string(n) + " (" + std::to_string(half) + " max)");
            return -1;
        }
        return static_cast<int>(n);
    }
    std::size_t q = p;
    while (p < s.size() && static_cast<unsigned char>(s[p]) < 0x80 &&
           (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_')) {
        ++p;
    }
    if (q == p || !std::isalpha(static_cast<unsigned char>(s[q]))) {
        rep.syserr("invalid ruleset name: \"" + s.substr(q, 20) + "\"");
        return -1;
    }
    std::string name = s.substr(q, p - q);
    while (p < s.size() && is_space(static_cast<unsigned char>(s[p]))) ++p;
    char delim = p < s.size() ? s[p] : '\0';
    // The text sendmail shows for this name in messages: the name, plus
    // "=N..." when the delimiter follows the name directly.
    std::string shown = name;
    if (delim != '\0' && p == q + name.size()) shown = s.substr(q);

    auto it = cfg.ruleset_ids.find(name);
    int existing = it == cfg.ruleset_ids.end() ? -1 : it->second;
    bool known = it != cfg.ruleset_ids.end();
    if (!mut && !known) return -1;

    int ruleset = -1;
    if (mut && delim == '=') {
        std::size_t d = p + 1;
        while (d < s.size() && is_space(static_cast<unsigned char>(s[d]))) ++d;
        if (d >= s.size() || !std::isdigit(static_cast<unsigned char>(s[d]))) {
            rep.syserr("bad ruleset definition \"" + shown + "\" (number required after `=')");
            ruleset = -1;
        } else {
            char* ep = nullptr;
            long n = std::strtol(s.c_str() + d, &ep, 10);
            if (endp) *endp = static_cast<std::size_t>(ep - s.c_str());
            if (n >= half || n < 0) {
                rep.syserr("bad ruleset number " + std::to_string(n) + " in \"" + shown + "\" (" +
                           std::to_string(half) + " max)");
                ruleset = -1;
            } else {
                ruleset = static_cast<int>(n);
            }
        }
    } else {
        if (endp) *endp = p;
        if (existing >= 0) {
            ruleset = existing;
        } else {
            // A new name, or a known name that never got a number: sendmail
            // numbers it here, in lookups too.
            ruleset = --cfg.next_named_ruleset;
            if (ruleset < half) {
                rep.syserr(name + ": too many named rulesets (" + std::to_string(half) + " max)");
                ruleset = -1;
            }
        }
    }
    if (existing >= 0 && ruleset >= 0 && ruleset != existing) {
        rep.syserr(shown + ": ruleset changed value (old " + std::to_string(existing) + ", new " +
                   std::to_string(ruleset) + ")");
        ruleset = existing;
    } else if (ruleset >= 0) {
        cfg.ruleset_ids[name] = ruleset;
    } else if (!known) {
        cfg.ruleset_ids.emplace(name, -1);
    }
    if (mut && ruleset >= 0) mut->rulesets[static_cast<std::size_t>(ruleset)].name = name;
    return ruleset;
}

} // namespace

int rwset_enter(Config& cfg, std::string_view text, std::size_t* endp, Reporter& rep) {
    cfg.ruleset_find_cache.clear();
    cfg.ruleset_find_by_token.clear();
    return strtorwset(&cfg, cfg, text, endp, rep);
}

int rwset_find(const Config& cfg, std::string_view text, std::size_t* endp, Reporter& rep) {
    // Every `$>name` call and every -bt line looks a name up. Once a lookup
    // has found a ruleset, the same text always finds it again and prints
    // nothing (a name keeps the number it got), so the answer is kept.
    if (endp) return strtorwset(nullptr, cfg, text, endp, rep);
    std::string key(text.substr(0, text.find('\0')));
    auto hit = cfg.ruleset_find_cache.find(key);
    if (hit != cfg.ruleset_find_cache.end()) return hit->second;
    int rs = strtorwset(nullptr, cfg, text, nullptr, rep);
    if (rs >= 0) cfg.ruleset_find_cache.emplace(std::move(key), rs);
    return rs;
}

int rwset_find(const Config& cfg, TokId name, Reporter& rep) {
    std::vector<int>& known = cfg.ruleset_find_by_token;
    if (name < known.size() && known[name] >= 0) return known[name];
    int rs = rwset_find(cfg, token_pool().text(name), nullptr, rep);
    if (rs >= 0) {
        if (known.size() <= name) known.resize(static_cast<std::size_t>(name) + 1, -1);
        known[name] = rs;
    }
    return rs;
}

std::string ruleset_display_name(const Config& cfg, int rs) {
    const std::string& n = cfg.rulesets[static_cast<std::size_t>(rs)].name;
    return n.empty() ? std::to_string(rs) : n;
}


int Config::find_ruleset(const std::string& name) const {
    CollectingReporter quiet;
    return rwset_find(*this, name, nullptr, quiet);
}

const Mailer* Config::find_mailer(const std::string& name) const {
    for (const Mailer& m : mailers) {
        if (ascii_iequal(m.name, name)) return &m;
    }
    return nullptr;
}

} // namespace cfkit
