// See model.hpp. Names compare case-insensitively, as sendmail's classes
// and rule literals do; "prefix by whole parts" means the entry's tokens
// (sendmail splits at '.', ':', '[' and ']') begin the address's tokens.
#include "rulesets/model.hpp"

#include <algorithm>

#include "engine/mail/reply.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit::gen {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// prescan()'s tokens of a name or address: the operators among the bytes
// such names hold are single tokens; everything else runs together.
std::vector<std::string> tokens(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == '.' || c == ':' || c == '[' || c == ']') {
            if (!cur.empty()) out.push_back(ascii_lower(cur));
            cur.clear();
            out.emplace_back(1, c);
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(ascii_lower(cur));
    return out;
}

bool in_class(const std::vector<std::string>& cls, const std::string& word) {
    for (const std::string& m : cls)
        if (ascii_iequal(m, word)) return true;
    return false;
}
template <typename T> std::vector<std::string> values(const std::vector<At<T>>& v) {
    std::vector<std::string> out;
    for (const At<T>& a : v) out.push_back(a.value);
    return out;
}

// `<$=X $*>`: some member's tokens begin the address's tokens.
bool prefix_in(const std::vector<std::string>& cls, const std::string& addr) {
    std::vector<std::string> a = tokens(addr);
    for (const std::string& m : cls) {
        std::vector<std::string> t = tokens(m);
        if (!t.empty() && t.size() <= a.size() && std::equal(t.begin(), t.end(), a.begin())) return true;
    }
    return false;
}

// `$+ . $=X`: the name is below one of the domains.
bool below(const std::vector<std::string>& domains, const std::string& name) {
    for (const std::string& d : domains)
        if (name.size() > d.size() + 1 && ends_with(ascii_lower(name), "." + ascii_lower(d))) return true;
    return false;
}

// Cuts the last part of an address, the token after the last '.', ':' or
// "::" (proto.m4's A, and D inside brackets); false when there is none.
bool cut_last_part(std::string& k) {
    std::size_t sep = k.find_last_of(".:");
    if (sep == std::string::npos || sep == 0 || sep + 1 >= k.size()) return false;
    if (k[sep] == ':' && k[sep - 1] == ':') --sep;  // "$+::$-" before "$+:$-"
    if (sep == 0) return false;
    k = k.substr(0, sep);
    return true;
}

// proto.m4's D and A lookups with a tag (mark '!'): the most specific
// entry found. D: the name, then its parent domains; an address literal
// "[a.b.c.d]" loses its last part instead. A: the address, then shorter
// prefixes.
std::string access_lookup(const std::vector<std::pair<std::string, std::string>>& map, const std::string& tag,
                          const std::string& key, bool domain) {
    std::string k = key;
    for (;;) {
        for (const auto& [mk, mv] : map)
            if (ascii_iequal(mk, tag + ":" + k)) return mv;
        if (domain && k.size() > 2 && k.front() == '[' && k.back() == ']') {
            std::string inner = k.substr(1, k.size() - 2);
            if (cut_last_part(inner)) {
                k = "[" + inner + "]";
                continue;
            }
        }
        if (domain) {
            std::size_t dot = k.find('.');
            if (dot == std::string::npos || dot == 0 || dot + 1 >= k.size()) return "";
            k = k.substr(dot + 1);
        } else if (!cut_last_part(k)) {
            return "";
        }
    }
}

bool dotted_quad(const std::string& s, bool numbers) {
    std::vector<std::string> t = tokens(s);
    if (t.size() != 7) return false;
    for (std::size_t i = 0; i < 7; ++i) {
        if (i % 2 == 1) {
            if (t[i] != ".") return false;
            continue;
        }
        if (t[i] == "." || t[i] == ":" || t[i] == "[" || t[i] == "]") return false;
        if (!numbers) continue;
        if (t[i].size() > 3 || (t[i].size() > 1 && t[i][0] == '0')) return false;
        for (char c : t[i])
            if (c < '0' || c > '9') return false;
        if (std::stoi(t[i]) > 255) return false;
    }
    return true;
}

bool bracketed(const std::string& s) { return s.size() > 2 && s.front() == '[' && s.back() == ']'; }

// The first of the section's HELO checks that refuses `s`, or "".
std::string helo_refusal(const HeloSection& h, const Scenario& s, const World& w) {
    const std::string& helo = s.helo;
    std::vector<std::string> t = tokens(helo);
    for (const At<HeloCheck>& c : h.reject) {
        bool hit = false;
        switch (c.value) {
        case HeloCheck::Unqualified: {
            bool inside = false;
            for (std::size_t i = 1; i + 1 < t.size(); ++i) inside = inside || t[i] == ".";
            hit = !inside;
            break;
        }
        case HeloCheck::OwnName: hit = in_class(w.class_w, helo); break;
        case HeloCheck::OwnAddress:
            if (dotted_quad(helo, false)) hit = in_class(w.class_w, "[" + helo + "]");
            else if (bracketed(helo)) hit = in_class(w.class_w, helo);
            break;
        case HeloCheck::BareAddress: hit = dotted_quad(helo, true); break;
        case HeloCheck::LiteralMismatch:
            hit = bracketed(helo) && dotted_quad(helo.substr(1, helo.size() - 2), false) &&
                  !ascii_iequal(helo.substr(1, helo.size() - 2), s.addr);
            break;
        case HeloCheck::Localhost: {
            std::vector<std::string> a = tokens(s.addr);
            bool loopback = (a.size() == 7 && a[0] == "127" && dotted_quad(s.addr, false)) ||
                            ascii_iequal(s.addr, "IPv6:0:0:0:0:0:0:0:1") || ascii_iequal(s.addr, "IPv6:::1");
            hit = !loopback && (ascii_iequal(helo, "localhost") ||
                                (ascii_lower(helo).rfind("localhost.", 0) == 0 && helo.size() > 10));
            break;
        }
        }
        if (hit) return std::string("helo ") + helo_check_name(c.value);
    }
    if (in_class(values(h.deny_exact), helo) || below(values(h.deny_suffix), helo)) return "helo deny_names";
    return "";
}

} // namespace

EffectiveExempt effective_exempt(const Policy& p, const std::optional<Exempt>& own, Stage stage, bool helo) {
    EffectiveExempt e;
    e.own = own.has_value();
    e.set = own ? *own : p.exempt;
    if (!helo && !e.own && (!e.set.client_domains.empty() || !e.set.clients_name.empty())) {
        e.skipped.push_back("$.exempt.client_domains and host names of $.exempt.clients: skipped here: "
                            "{client_name} is the address in brackets whenever {client_resolve} is not OK");
        e.set.client_domains.clear();
        e.set.clients_name.clear();
    }
    if (!e.own && stage == Stage::Connect) {
        if (e.set.authenticated) {
            e.skipped.push_back("$.exempt.authenticated: skipped here: at connect no client has authenticated yet");
            e.set.authenticated.reset();
        }
        if (e.set.tls_verified) {
            e.skipped.push_back("$.exempt.tls_verified: skipped here: at connect no client has started TLS yet");
            e.set.tls_verified.reset();
            e.set.tls_issuers.clear();
        }
    }
    return e;
}

bool exempt(const Exempt& e, const Scenario& s, const World& w) {
    if (e.authenticated && s.authenticated) return true;
    if (e.tls_verified && ascii_iequal(s.verify, "OK") &&
        (e.tls_issuers.empty() || in_class(values(e.tls_issuers), s.cert_issuer)))
        return true;
    if (e.relay_networks && prefix_in(w.class_r, s.addr)) return true;
    if (prefix_in(values(e.networks), s.addr)) return true;
    std::vector<std::string> domains = values(e.client_domains);
    if (ascii_iequal(s.resolve, "OK") && (in_class(domains, s.client_name()) || below(domains, s.client_name())))
        return true;
    if (in_class(values(e.clients_addr), s.addr) || in_class(values(e.clients_name), s.client_name())) return true;
    if (e.access_tag) {
        const std::string& tag = e.access_tag->value;
        if (ascii_iequal(access_lookup(s.access, tag, s.client_name(), true), "OK")) return true;
        if (ascii_iequal(access_lookup(s.access, tag, s.addr, false), "OK")) return true;
    }
    if (e.local_submission && s.addr == "0") return true;
    return false;
}

std::string reply_line(const Verdict& v, const std::string& who) {
    return format_reply(std::to_string(v.code) + " " + v.dsn + " " + v.text, who);
}

std::string fill(const Reply& r, const Scenario& s) {
    std::string out;
    for (const Reply::Piece& p : r.pieces) {
        if (!p.macro) out += p.text;
        else if (p.text == "s") out += s.helo;
        else if (p.text == "{client_addr}") out += s.addr;
        else if (p.text == "{client_name}") out += s.client_name();
        else if (p.text == "{client_resolve}") out += s.resolve;
    }
    return out;
}

std::vector<SectionRef> sections_in_order(const Policy& p) {
    std::vector<SectionRef> out;
    if (p.client_resolve) out.push_back({false, p.client_resolve->stage.value, &p.client_resolve->exempt,
                                         p.client_resolve->stage.origin});
    if (p.helo) out.push_back({true, p.helo->stage.value, &p.helo->exempt, p.helo->stage.origin});
    // stable: at one stage client_resolve (pushed first) stays before helo
    std::stable_sort(out.begin(), out.end(), [](const SectionRef& a, const SectionRef& b) { return a.stage < b.stage; });
    return out;
}

Verdict evaluate(const Policy& p, const Scenario& s, const World& w) {
    Verdict v;
    for (const SectionRef& sec : sections_in_order(p)) {
        const bool helo = sec.helo;
        EffectiveExempt e = effective_exempt(p, *sec.own, sec.stage, helo);
        if (exempt(e.set, s, w)) continue;
        const Reply* reply = nullptr;
        std::string check;
        if (helo) {
            check = helo_refusal(*p.helo, s, w);
            if (!check.empty()) reply = &p.helo->reply;
        } else {
            for (const auto& [what, r] : p.client_resolve->replies) {
                if (!ascii_iequal(s.resolve, resolve_name(what))) continue;
                check = std::string("client_resolve ") + resolve_name(what);
                reply = &r;
            }
        }
        if (!reply) continue;
        std::string text = fill(*reply, s);
        if (p.mode == Mode::Warn) {
            if (v.logged.empty()) v.logged = check + ": " + std::to_string(reply->code) + " " + reply->dsn + " " + text;
            continue;
        }
        v.rejected = true;
        v.stage = sec.stage;
        v.check = check;
        v.code = reply->code;
        v.dsn = reply->dsn;
        v.text = text;
        return v;
    }
    return v;
}

} // namespace cfkit::gen
