// See policy.hpp. One small reader per JSON object of the format; each
// error names the JSON path and points at the value (or the member name)
// that is wrong, and reading goes on so that one run reports every error.
#include "rulesets/policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "engine/mail/reply.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit::gen {

namespace {

using Kind = JsonValue::Kind;

bool is_ascii_printable(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c > 0x7e) return false;
    return true;
}

constexpr std::size_t kMaxReplyText = 200;

// A JSON number with a whole value (550, 550.0, 5.5e2), or nullopt.
std::optional<long> whole_number(const std::string& text) {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (*end != '\0' || d != static_cast<double>(static_cast<long>(d)) || d < -1e9 || d > 1e9) return std::nullopt;
    return static_cast<long>(d);
}

std::string quoted_list(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
}

// Dotted-quad parts: 1 to 4 numbers 0-255 without leading zeros.
bool ipv4_parts(const std::string& s, int& parts) {
    parts = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i || j - i > 3 || (j - i > 1 && s[i] == '0') || std::stoi(s.substr(i, j - i)) > 255) return false;
        ++parts;
        if (j == s.size()) return parts <= 4;
        if (s[j] != '.' || parts == 4) return false;
        i = j + 1;
    }
    return parts >= 1;  // "10." ends here
}

bool is_host_name(const std::string& s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string::npos) return false;
    for (unsigned char c : s)
        if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

// Whole hex groups of an IPv6 prefix ("2001:db8"), no "::".
bool ipv6_groups(const std::string& s, std::string& norm) {
    norm.clear();
    std::size_t i = 0, groups = 0;
    std::string t = s;
    if (!t.empty() && t.back() == ':') t.pop_back();
    while (i <= t.size()) {
        std::size_t j = t.find(':', i);
        if (j == std::string::npos) j = t.size();
        std::string g = t.substr(i, j - i);
        if (g.empty() || g.size() > 4) return false;
        for (unsigned char c : g)
            if (!std::isxdigit(c)) return false;
        std::size_t v = std::stoul(g, nullptr, 16);
        char buf[8];
        std::snprintf(buf, sizeof buf, "%zx", v);
        norm += (groups ? ":" : "") + std::string(buf);
        if (++groups > 7) return false;
        i = j + 1;
    }
    return true;
}

class Reader {
public:
    Reader(const std::string& path, Diagnostics& diags) : path_(path), diags_(diags) {}

    std::optional<Policy> policy(const JsonValue& root);

private:
    using Fields = std::vector<const char*>;

    void error(const SourceLoc& loc, const std::string& where, const std::string& msg) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.loc = loc;
        d.message = where + ": " + msg;
        diags_.push_back(d);
    }
    // Checks an object's member names: each unknown one is reported; false
    // when `v` is no object or a name is given twice (the caller reads no further).
    bool object(const JsonValue& v, const std::string& where, const Fields& known);
    bool type(const JsonValue& v, const std::string& where, Kind k);
    std::optional<bool> boolean(const JsonValue& v, const std::string& where);
    std::optional<std::string> string(const JsonValue& v, const std::string& where);
    std::vector<At<std::string>> strings(const JsonValue& v, const std::string& where,
                                         const std::function<std::optional<std::string>(const std::string&,
                                                                                        const JsonValue&,
                                                                                        const std::string&)>& check);
    Exempt exempt(const JsonValue& v, const std::string& where);
    std::optional<HeloSection> helo(const JsonValue& v, const std::string& where);
    std::optional<ResolveSection> resolve(const JsonValue& v, const std::string& where);
    std::optional<Reply> reply(const JsonValue& v, const std::string& where, int default_class);
    bool text_pieces(const JsonValue& v, const std::string& where, Reply& r);
    std::optional<Stage> stage(const JsonValue& v, const std::string& where, const std::vector<Stage>& allowed);
    std::optional<std::string> network(const std::string& s, const JsonValue& v, const std::string& where);
    // An address as {client_addr} writes it, or a host name in lower case.
    std::optional<std::string> client(const std::string& s, const JsonValue& v, const std::string& where);
    Origin origin(const JsonValue& v, const std::string& where) const { return Origin{where, v.loc}; }

    const std::string& path_;
    Diagnostics& diags_;
};

bool Reader::type(const JsonValue& v, const std::string& where, Kind k) {
    if (v.kind == k) return true;
    error(v.loc, where, std::string("expected ") + json_kind_name(k) + ", got " + json_kind_name(v.kind));
    return false;
}

bool Reader::object(const JsonValue& v, const std::string& where, const Fields& known) {
    if (!type(v, where, Kind::Object)) return false;
    bool ok = true;  // no key given twice (unknown keys are reported, and reading goes on)
    std::vector<std::string> seen;
    for (const JsonMember& m : v.members) {
        std::string at = where + "." + m.key;
        if (std::find(seen.begin(), seen.end(), m.key) != seen.end()) {
            error(m.key_loc, at, "given twice");
            ok = false;
            continue;
        }
        seen.push_back(m.key);
        if (std::find_if(known.begin(), known.end(), [&](const char* k) { return m.key == k; }) != known.end())
            continue;
        std::string msg = "unknown key";
        const char* best = nullptr;
        std::size_t best_d = 3;
        for (const char* k : known) {
            std::size_t d = edit_distance(ascii_lower(m.key), ascii_lower(k));
            if (d < best_d) best = k, best_d = d;
        }
        if (best) msg += " (did you mean \"" + std::string(best) + "\"?)";
        else {
            std::vector<std::string> names(known.begin(), known.end());
            msg += " (known: " + quoted_list(names) + ")";
        }
        error(m.key_loc, at, msg);
    }
    return ok;
}

std::optional<bool> Reader::boolean(const JsonValue& v, const std::string& where) {
    if (!type(v, where, Kind::Bool)) return std::nullopt;
    return v.boolean;
}

std::optional<std::string> Reader::string(const JsonValue& v, const std::string& where) {
    if (!type(v, where, Kind::String)) return std::nullopt;
    return v.text;
}

std::vector<At<std::string>> Reader::strings(
    const JsonValue& v, const std::string& where,
    const std::function<std::optional<std::string>(const std::string&, const JsonValue&, const std::string&)>& check) {
    std::vector<At<std::string>> out;
    if (!type(v, where, Kind::Array)) return out;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
        const JsonValue& item = v.items[i];
        std::string at = where + "[" + std::to_string(i) + "]";
        std::optional<std::string> s = string(item, at);
        if (!s) continue;
        std::optional<std::string> norm = check(*s, item, at);
        if (!norm) continue;
        if (std::find_if(out.begin(), out.end(), [&](const At<std::string>& o) { return o.value == *norm; }) !=
            out.end()) {
            error(item.loc, at, "\"" + *s + "\" is listed twice");
            continue;
        }
        out.push_back({*norm, origin(item, at)});
    }
    return out;
}

std::optional<std::string> Reader::network(const std::string& s, const JsonValue& v, const std::string& where) {
    int parts = 0;
    if (ipv4_parts(s, parts)) {
        std::string norm = s;
        if (norm.back() == '.') norm.pop_back();
        return norm;
    }
    if (s.find(':') != std::string::npos) {
        std::string t = s.rfind("IPv6:", 0) == 0 ? s.substr(5) : s;
        unsigned char a[16];
        if (inet_pton(AF_INET6, t.c_str(), a) == 1) return "IPv6:" + full_ipv6(a);
        std::string groups;
        if (ipv6_groups(t, groups)) return "IPv6:" + groups;
    }
    error(v.loc, where,
          "\"" + s + "\" is not a network: write an IPv4 address or its first parts (\"10.\", \"192.168\"), or an "
          "IPv6 address or its first whole groups (\"2001:db8\")");
    return std::nullopt;
}

std::optional<std::string> Reader::client(const std::string& s, const JsonValue& v, const std::string& where) {
    int parts = 0;
    if (ipv4_parts(s, parts) && parts == 4 && s.back() != '.') return s;
    std::string t = s.rfind("IPv6:", 0) == 0 ? s.substr(5) : s;
    unsigned char a[16];
    if (inet_pton(AF_INET6, t.c_str(), a) == 1) return "IPv6:" + full_ipv6(a);
    if (is_host_name(s) && s.find_first_not_of("0123456789.") != std::string::npos) return ascii_lower(s);
    error(v.loc, where, "\"" + s + "\" is neither an IP address nor a host name");
    return std::nullopt;
}

Exempt Reader::exempt(const JsonValue& v, const std::string& where) {
    Exempt e;
    e.origin = origin(v, where);
    if (!object(v, where,
                {"authenticated", "tls_verified", "tls_issuers", "relay_networks", "networks", "client_domains",
                 "clients", "access_tag", "local_submission"}))
        return e;
    auto flag = [&](const char* key, std::optional<Origin>& out) {
        if (const JsonMember* m = v.member(key)) {
            std::optional<bool> b = boolean(m->value, where + "." + key);
            if (b && *b) out = origin(m->value, where + "." + key);
        }
    };
    flag("authenticated", e.authenticated);
    flag("tls_verified", e.tls_verified);
    flag("relay_networks", e.relay_networks);
    flag("local_submission", e.local_submission);
    if (const JsonMember* m = v.member("tls_issuers")) {
        e.tls_issuers = strings(m->value, where + ".tls_issuers",
                                [&](const std::string& s, const JsonValue& item, const std::string& at)
                                    -> std::optional<std::string> {
                                    if (s.empty() || !is_ascii_printable(s) || s.find('$') != std::string::npos) {
                                        error(item.loc, at,
                                              "an issuer is a distinguished name of printable ASCII without '$' "
                                              "(\"/C=XX/O=Example CA\")");
                                        return std::nullopt;
                                    }
                                    return xtext(s);
                                });
        if (!e.tls_verified && !e.tls_issuers.empty())
            error(m->key_loc, where + ".tls_issuers",
                  "issuers narrow \"tls_verified\", which is not true here: set \"tls_verified\": true");
    }
    if (const JsonMember* m = v.member("networks"))
        e.networks = strings(m->value, where + ".networks",
                             [&](const std::string& s, const JsonValue& item, const std::string& at) {
                                 return network(s, item, at);
                             });
    if (const JsonMember* m = v.member("client_domains"))
        e.client_domains = strings(m->value, where + ".client_domains",
                                   [&](const std::string& s, const JsonValue& item, const std::string& at)
                                       -> std::optional<std::string> {
                                       int parts = 0;
                                       if (!is_host_name(s) || ipv4_parts(s, parts)) {
                                           error(item.loc, at,
                                                 "\"" + s + "\" is not a domain name (\"example.com\", no dot at "
                                                            "either end)");
                                           return std::nullopt;
                                       }
                                       return ascii_lower(s);
                                   });
    if (const JsonMember* m = v.member("clients")) {
        std::vector<At<std::string>> all = strings(
            m->value, where + ".clients",
            [&](const std::string& s, const JsonValue& item, const std::string& at) { return client(s, item, at); });
        // host names never hold ':' nor consist of digits and dots alone
        for (At<std::string>& c : all) {
            bool addr = c.value.find(':') != std::string::npos ||
                        c.value.find_first_not_of("0123456789.") == std::string::npos;
            (addr ? e.clients_addr : e.clients_name).push_back(c);
        }
    }
    if (const JsonMember* m = v.member("access_tag")) {
        std::string at = where + ".access_tag";
        if (std::optional<std::string> s = string(m->value, at)) {
            bool ok = !s->empty();
            for (unsigned char c : *s) ok = ok && (std::isalnum(c) || c == '_' || c == '-');
            if (ok) e.access_tag = At<std::string>{*s, origin(m->value, at)};
            else error(m->value.loc, at, "a tag is a word of letters, digits, '-' and '_' (\"HeloCheck\")");
        }
    }
    return e;
}

bool Reader::text_pieces(const JsonValue& v, const std::string& where, Reply& r) {
    static const std::pair<const char*, const char*> kPlaceholders[] = {
        {"helo", "s"},
        {"client_addr", "{client_addr}"},
        {"client_name", "{client_name}"},
        {"client_resolve", "{client_resolve}"},
    };
    const std::string& t = v.text;
    if (!is_ascii_printable(t)) {
        error(v.loc, where, "reply text is printable ASCII only (SMTP replies are 7-bit, one line)");
        return false;
    }
    if (t.empty()) {
        error(v.loc, where, "the reply text is empty");
        return false;
    }
    if (t.size() > kMaxReplyText) {
        error(v.loc, where,
              "the reply text is " + std::to_string(t.size()) + " characters; at most " +
                  std::to_string(kMaxReplyText) +
                  " (sendmail cuts a reply at about 250, with the placeholders' values, and refuses longer "
                  "quoted strings in a rule)");
        return false;
    }
    std::string lit;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '$') {
            lit += t[i];
            continue;
        }
        std::size_t close = t.find('}', i);
        if (i + 1 >= t.size() || t[i + 1] != '{' || close == std::string::npos) {
            error(v.loc, where, "a '$' starts a placeholder: write ${helo}, ${client_addr}, ${client_name} or ${client_resolve}");
            return false;
        }
        std::string name = t.substr(i + 2, close - i - 2);
        const char* macro = nullptr;
        for (const auto& p : kPlaceholders)
            if (name == p.first) macro = p.second;
        if (!macro) {
            error(v.loc, where,
                  "unknown placeholder ${" + name +
                      "} (known: ${helo}, ${client_addr}, ${client_name}, ${client_resolve})");
            return false;
        }
        if (!lit.empty()) r.pieces.push_back({false, lit});
        lit.clear();
        r.pieces.push_back({true, macro});
        i = close;
    }
    if (!lit.empty()) r.pieces.push_back({false, lit});
    r.text = t;
    return true;
}

std::optional<Reply> Reader::reply(const JsonValue& v, const std::string& where, int default_class) {
    std::size_t errors = diags_.size();
    if (!object(v, where, {"code", "dsn", "text"})) return std::nullopt;
    Reply r;
    r.origin = origin(v, where);
    bool code_ok = false;  // the DSN is checked against a valid code only
    const JsonMember* code = v.member("code");
    if (!code) {
        error(v.loc, where, "missing \"code\" (a reply code such as " + std::to_string(default_class * 100 + 50) + ")");
    } else if (type(code->value, where + ".code", Kind::Number)) {
        std::optional<long> n = whole_number(code->value.text);
        if (!n || *n < 400 || *n > 599) {
            error(code->value.loc, where + ".code",
                  code->value.text + " is not a rejection: a reply code is 4xx or 5xx");
        } else if (*n == 421) {
            error(code->value.loc, where + ".code",
                  "421 makes sendmail close the connection (at connect it replaces the greeting): use 450 or 451");
        } else {
            r.code = static_cast<int>(*n);
            code_ok = true;
        }
    }
    r.dsn = std::to_string(r.code / 100) + ".7.1";
    if (const JsonMember* dsn = v.member("dsn")) {
        std::string at = where + ".dsn";
        if (std::optional<std::string> s = string(dsn->value, at)) {
            // what sendmail takes for one (isenhsc()): class.subject.detail, 1-3 digits a part
            if (s->empty() || enhanced_code_length(*s, '\0') != s->size()) {
                error(dsn->value.loc, at,
                      "\"" + *s + "\" is not an enhanced status code (class.subject.detail, such as \"5.7.1\")");
            } else if (code_ok && (*s)[0] - '0' != r.code / 100) {
                error(dsn->value.loc, at,
                      *s + " does not agree with code " + std::to_string(r.code) + " (a " +
                          std::to_string(r.code / 100) + "xx code takes a " + std::to_string(r.code / 100) +
                          ".x.x status)");
            } else {
                r.dsn = *s;
            }
        }
    }
    const JsonMember* text = v.member("text");
    if (!text) error(v.loc, where, "missing \"text\"");
    else if (type(text->value, where + ".text", Kind::String)) text_pieces(text->value, where + ".text", r);
    if (diags_.size() != errors) return std::nullopt;
    return r;
}

std::optional<Stage> Reader::stage(const JsonValue& v, const std::string& where, const std::vector<Stage>& allowed) {
    std::optional<std::string> s = string(v, where);
    if (!s) return std::nullopt;
    for (Stage st : {Stage::Connect, Stage::Mail, Stage::Rcpt}) {
        if (*s != stage_name(st)) continue;
        if (std::find(allowed.begin(), allowed.end(), st) != allowed.end()) return st;
        error(v.loc, where,
              "HELO checks cannot run at connect: the client has not said HELO yet (use \"mail\" or \"rcpt\")");
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (Stage st : allowed) names.push_back(std::string("\"") + stage_name(st) + "\"");
    error(v.loc, where, "\"" + *s + "\" is not a stage (" + quoted_list(names) + ")");
    return std::nullopt;
}

std::optional<HeloSection> Reader::helo(const JsonValue& v, const std::string& where) {
    std::size_t errors = diags_.size();
    if (!object(v, where, {"stage", "reject", "deny_names", "reply", "exempt"})) return std::nullopt;
    HeloSection h;
    h.origin = origin(v, where);
    h.stage.origin = h.origin;
    if (const JsonMember* m = v.member("stage")) {
        if (std::optional<Stage> s = stage(m->value, where + ".stage", {Stage::Mail, Stage::Rcpt}))
            h.stage = {*s, origin(m->value, where + ".stage")};
    }
    if (const JsonMember* m = v.member("reject")) {
        std::vector<At<std::string>> names = strings(
            m->value, where + ".reject",
            [&](const std::string& s, const JsonValue& item, const std::string& at) -> std::optional<std::string> {
                std::vector<std::string> known;
                for (HeloCheck c : kHeloChecks) {
                    if (s == helo_check_name(c)) return s;
                    known.push_back(helo_check_name(c));
                }
                error(item.loc, at, "\"" + s + "\" is not a HELO check (" + quoted_list(known) + ")");
                return std::nullopt;
            });
        for (const At<std::string>& n : names)
            for (HeloCheck c : kHeloChecks)
                if (n.value == helo_check_name(c)) h.reject.push_back({c, n.origin});
    }
    if (const JsonMember* m = v.member("deny_names")) {
        std::vector<At<std::string>> names = strings(
            m->value, where + ".deny_names",
            [&](const std::string& s, const JsonValue& item, const std::string& at) -> std::optional<std::string> {
                std::string name = s.rfind("*.", 0) == 0 ? s.substr(2) : s;
                bool ok = !name.empty();
                for (unsigned char c : name) ok = ok && (std::isalnum(c) || std::strchr("[].-_:", c));
                if (!ok || name.front() == '.' || name.back() == '.') {
                    error(item.loc, at,
                          "\"" + s + "\" is not a HELO name or \"*.domain\" (letters, digits and \"[].-_:\")");
                    return std::nullopt;
                }
                return ascii_lower(s);
            });
        for (At<std::string>& n : names) {
            if (n.value.rfind("*.", 0) == 0) h.deny_suffix.push_back({n.value.substr(2), n.origin});
            else h.deny_exact.push_back(n);
        }
    }
    if (const JsonMember* m = v.member("reply")) {
        if (std::optional<Reply> r = reply(m->value, where + ".reply", 5)) h.reply = *r;
    } else {
        Reply r;
        r.origin = origin(v, where + ".reply");
        JsonValue text;
        text.kind = Kind::String;
        text.text = "Access denied - bogus HELO ${helo}";
        text_pieces(text, where + ".reply.text", r);
        h.reply = r;
    }
    if (const JsonMember* m = v.member("exempt")) h.exempt = exempt(m->value, where + ".exempt");
    if (h.reject.empty() && h.deny_exact.empty() && h.deny_suffix.empty() && diags_.size() == errors)
        error(v.loc, where, "nothing to check: give \"reject\" or \"deny_names\"");
    if (diags_.size() != errors) return std::nullopt;
    return h;
}

std::optional<ResolveSection> Reader::resolve(const JsonValue& v, const std::string& where) {
    std::size_t errors = diags_.size();
    if (!object(v, where, {"stage", "TEMP", "FORGED", "FAIL", "exempt"})) return std::nullopt;
    ResolveSection r;
    r.origin = origin(v, where);
    r.stage.origin = r.origin;
    if (const JsonMember* m = v.member("stage")) {
        if (std::optional<Stage> s = stage(m->value, where + ".stage", {Stage::Connect, Stage::Mail, Stage::Rcpt}))
            r.stage = {*s, origin(m->value, where + ".stage")};
    }
    for (Resolve what : {Resolve::Temp, Resolve::Forged, Resolve::Fail}) {
        const JsonMember* m = v.member(resolve_name(what));
        if (!m) continue;
        std::string at = where + "." + resolve_name(what);
        std::optional<Reply> rep = reply(m->value, at, what == Resolve::Temp ? 4 : 5);
        if (!rep) continue;
        for (const Reply::Piece& p : rep->pieces)
            if (p.macro && p.text == "s" && r.stage.value == Stage::Connect)
                error(m->value.member("text")->value.loc, at + ".text",
                      "${helo} is not known at connect: the client has not said HELO yet");
        r.replies.emplace_back(what, *rep);
    }
    if (const JsonMember* m = v.member("exempt")) r.exempt = exempt(m->value, where + ".exempt");
    if (r.replies.empty() && diags_.size() == errors)
        error(v.loc, where, "nothing to check: give \"TEMP\", \"FORGED\" or \"FAIL\"");
    if (diags_.size() != errors) return std::nullopt;
    return r;
}

std::optional<Policy> Reader::policy(const JsonValue& root) {
    Policy p;
    p.path = path_;
    std::size_t errors = diags_.size();
    if (!object(root, "$", {"policy", "description", "mode", "delay_checks", "exempt", "helo", "client_resolve"}))
        return std::nullopt;
    const JsonMember* version = root.member("policy");
    if (!version) {
        error(root.loc, "$", "missing \"policy\": 1 (the version of the policy format)");
    } else if (type(version->value, "$.policy", Kind::Number) && whole_number(version->value.text) != 1L) {
        error(version->value.loc, "$.policy",
              "policy format " + version->value.text + " is not known (this cfkit reads format 1)");
    }
    if (const JsonMember* m = root.member("description")) string(m->value, "$.description");
    if (const JsonMember* m = root.member("mode")) {
        if (std::optional<std::string> s = string(m->value, "$.mode")) {
            if (*s == "enforce") p.mode = Mode::Enforce;
            else if (*s == "warn") p.mode = Mode::Warn;
            else error(m->value.loc, "$.mode", "\"" + *s + "\" is not a mode (\"enforce\", \"warn\")");
        }
    }
    if (const JsonMember* m = root.member("delay_checks")) {
        if (std::optional<bool> b = boolean(m->value, "$.delay_checks"))
            p.delay_checks = At<bool>{*b, origin(m->value, "$.delay_checks")};
    }
    if (const JsonMember* m = root.member("exempt")) p.exempt = exempt(m->value, "$.exempt");
    if (const JsonMember* m = root.member("helo")) p.helo = helo(m->value, "$.helo");
    if (const JsonMember* m = root.member("client_resolve")) p.client_resolve = resolve(m->value, "$.client_resolve");
    if (diags_.size() == errors && !p.helo && !p.client_resolve)
        error(root.loc, "$", "nothing to generate: give \"helo\" or \"client_resolve\"");
    if (diags_.size() != errors) return std::nullopt;
    return p;
}

} // namespace

const char* stage_name(Stage s) {
    switch (s) {
    case Stage::Connect: return "connect";
    case Stage::Mail: return "mail";
    case Stage::Rcpt: return "rcpt";
    }
    return "?";
}

const char* helo_check_name(HeloCheck c) {
    switch (c) {
    case HeloCheck::Unqualified: return "unqualified";
    case HeloCheck::OwnName: return "own_name";
    case HeloCheck::OwnAddress: return "own_address";
    case HeloCheck::BareAddress: return "bare_address";
    case HeloCheck::LiteralMismatch: return "literal_mismatch";
    case HeloCheck::Localhost: return "localhost";
    }
    return "?";
}

const char* resolve_name(Resolve r) {
    switch (r) {
    case Resolve::Temp: return "TEMP";
    case Resolve::Forged: return "FORGED";
    case Resolve::Fail: return "FAIL";
    }
    return "?";
}

std::string xtext(const std::string& s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (c < '!' || c > '~' || c == '+' || c == '\\' || c == '(' || std::strchr("<>\")", c)) {
            out += '+';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::optional<Policy> read_policy(const JsonValue& root, const std::string& path, Diagnostics& diags) {
    return Reader(path, diags).policy(root);
}

std::optional<Policy> parse_policy(std::string_view text, const std::string& path, Diagnostics& diags) {
    JsonRead r = read_json(text, path);
    if (!r.value) {
        Diagnostic d;
        d.loc = r.error.loc;
        d.message = r.error.message;
        diags.push_back(d);
        return std::nullopt;
    }
    return read_policy(*r.value, path, diags);
}

} // namespace cfkit::gen
