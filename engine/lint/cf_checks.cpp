// The checks of a .cf: the file as written (the AST) and as compiled.
#include "engine/lint/finding.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "engine/rewrite/rewrite.hpp"
#include "engine/rewrite/session.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {

namespace {

std::map<int, const CfLine*> lines_by_number(const CfFile& ast) {
    std::map<int, const CfLine*> out;
    for (const CfLine& l : ast.lines) out[l.loc.line] = &l;
    return out;
}

class Linter {
public:
    Linter(const CfFile& ast, const Config& cfg, const LintOptions& o)
        : ast_(ast), cfg_(cfg), opts_(o), lines_(lines_by_number(ast)),
          // FEATURE(delay_checks) renames check_mail and check_relay, which check_rcpt calls
          delay_checks_(cfg.find_ruleset("checkmail") >= 0 && cfg.find_ruleset("checkrelay") >= 0) {}

    // The evidence of a finding in ruleset `rs`: the ruleset run, as
    // sendmail -bt would run it, on a sample address; its messages and
    // result.
    std::string evidence(int rs) const {
        const std::string input = "user@example.com";
        Session s(cfg_);
        CollectingReporter rep;
        s.reporter = &rep;
        ScanResult sr = prescan(input, s.tables().internal, ScanOptions{});
        if (!sr.ok) return std::string();
        Tokens ws = sr.tokens;
        int st = rewrite(s, ws, rs);
        std::string out = "ruleset " + ruleset_label(rs) + " on \"" + input + "\": ";
        std::vector<std::string> said;  // each message once
        for (const Diagnostic& d : rep.diagnostics) {
            std::string m = sendmail_text(d);
            if (std::find(said.begin(), said.end(), m) != said.end()) continue;
            said.push_back(m);
            out += "\"" + m + "\"; ";
        }
        std::string result = printav(ws, cfg_.env.names);
        std::size_t b = result.find_first_not_of(' ');
        result = b == std::string::npos ? std::string() : result.substr(b);
        while (!result.empty() && (result.back() == '\n' || result.back() == ' ')) result.pop_back();
        if (result.size() > 60) result = result.substr(0, 57) + "...";
        out += "returns \"" + result + "\"";
        if (st != 0) out += ", status " + std::to_string(st);
        return out;
    }

    std::vector<LintFinding> run(const Diagnostics& load) {
        collect_assigned();
        load_messages(load);
        for (std::size_t rs = 0; rs < cfg_.rulesets.size(); ++rs) ruleset(static_cast<int>(rs));
        recursion();
        class_words();
        return suppress();
    }

private:
    void add(const std::string& id, const SourceLoc& loc, const std::string& message) {
        found_.push_back(make_finding(id, loc, message));
    }

    const CfLine* line_at(const SourceLoc& loc) const {
        auto it = lines_.find(loc.line);
        return it == lines_.end() ? nullptr : it->second;
    }

    // Where `needle` starts in a field (its first occurrence), else the field.
    static SourceLoc at(const Field& f, const std::string& needle) {
        SourceLoc l = f.loc;
        std::size_t p = needle.empty() ? std::string::npos : f.text.find(needle);
        if (p != std::string::npos && f.text.find('\n') > p) l.column += static_cast<int>(p);
        return l;
    }

    void load_messages(const Diagnostics& load) {
        for (const Diagnostic& d : load) {
            SourceLoc loc = d.loc;
            if (loc.file.empty()) loc.file = ast_.path;
            const CfLine* l = line_at(loc);
            if (l && l->kind == LineKind::Rule && l->missing_tab) {
                add("missing-tab", loc, "no TAB after the LHS, so the rule has no RHS (sendmail: \"invalid rewrite line\")");
                continue;
            }
            // a file or user of the machine, not of the config
            if (d.message.find("cannot open") != std::string::npos ||
                d.message.find("unknown user") != std::string::npos ||
                d.message.find("unknown group") != std::string::npos) {
                add("host-dependent", loc, d.message);
                continue;
            }
            // sendmail's words for two of the issue's checks
            if (d.message.find(" out of bounds") != std::string::npos) {
                add("positional-out-of-range", loc, d.message + ": the LHS has fewer wildcards");
                continue;
            }
            if (d.message.find("missing map closing token") != std::string::npos) {
                add("unbalanced-lookup", loc, "$( or $[ without its $) or $] (sendmail: \"" + d.message + "\")");
                continue;
            }
            LintFinding f = make_finding("sendmail-error", loc, d.message);
            f.diag.severity = d.severity;  // sendmail's warnings stay warnings
            found_.push_back(std::move(f));
        }
        // spaces where TABs belong, on lines sendmail took
        for (const CfLine& l : ast_.lines) {
            if (l.kind != LineKind::Rule || l.missing_tab) continue;
            spaces_in(l.lhs, true);
            if (l.rhs.present) spaces_in(l.rhs, false);
        }
    }

    void spaces_in(const Field& f, bool lhs) {
        std::size_t lead = f.text.find_first_not_of(" \t");  // sendmail skips leading blanks
        if (lead == std::string::npos) return;
        std::size_t p = f.text.find("  ", lead);
        while (p != std::string::npos) {
            std::size_t end = f.text.find_first_not_of(' ', p);
            if (end == std::string::npos) return;
            std::string rest = f.text.substr(end);
            SourceLoc loc = f.loc;
            loc.column += static_cast<int>(p);
            if (lhs && (rest.rfind("$:", 0) == 0 || rest.rfind("$@", 0) == 0 || rest.rfind("$#", 0) == 0)) {
                add("lhs-spaces", loc, "spaces, not a TAB, before \"" + first_words(rest) + "\": sendmail reads it as part of the LHS");
                return;
            }
            // a comment that became part of the RHS: words, no address operators
            bool prose = rest.find_first_of("$<>@") == std::string::npos &&
                         std::any_of(rest.begin(), rest.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
            if (!lhs && p > 0 && prose) {
                add("rhs-spaces", loc, "spaces, not a TAB, before \"" + first_words(rest) +
                                           "\": sendmail copies it into the rewritten address");
                return;
            }
            p = f.text.find("  ", end);
        }
    }

    static std::string first_words(const std::string& s) {
        std::string w = s.substr(0, s.find('\n'));
        return w.size() > 30 ? w.substr(0, 27) + "..." : w;
    }

    std::string ruleset_label(int rs) const {
        const std::string& n = cfg_.rulesets[static_cast<std::size_t>(rs)].name;
        return n.empty() ? std::to_string(rs) : n;
    }

    void ruleset(int rs) {
        const Ruleset& r = cfg_.rulesets[static_cast<std::size_t>(rs)];
        const std::string& name = r.name;
        const bool at_connect = !delay_checks_ && (name == "check_relay" || name == "Local_check_relay");
        if (delay_checks_ && (name == "Local_check_relay" || name == "Local_check_mail") && !r.rules.empty())
            add("delay-checks", r.rules[0].loc,
                "with FEATURE(delay_checks) " + name + " runs at RCPT time, from check_rcpt after its exemptions: "
                "its rejections come at RCPT, not at " + (name == "Local_check_mail" ? "MAIL" : "connect"));
        bool ended = false;
        int end_line = 0;
        for (const Rule& rule : r.rules) {
            const CfLine* l = line_at(rule.loc);
            if (ended) {
                add("unreachable-rule", rule.loc,
                    "never tried: the rule at line " + std::to_string(end_line) + " ends ruleset " + ruleset_label(rs) +
                        " for every input");
                if (opts_.explain) found_.back().evidence = evidence(rs);
                ended = false;  // once per ruleset
                end_line = -1;
            }
            const bool any = rule.lhs.size() == 1 && meta::first(rule.lhs[0]) == meta::MATCHZANY;
            unsigned char head = rule.rhs.empty() ? 0 : meta::first(rule.rhs[0]);
            if (any && (head == meta::CANONHOST || head == meta::CANONNET) && end_line == 0) {
                ended = true;
                end_line = rule.loc.line;
            }
            if (any && head != meta::CANONHOST && head != meta::CANONNET && head != meta::CANONUSER &&
                !calls_or_looks_up(rule)) {
                add("endless-loop", rule.loc, "`$*` matches this rule's result again: sendmail rewrites until "
                                              "\"Infinite loop in ruleset " + ruleset_label(rs) + "\"");
                if (opts_.explain) found_.back().evidence = evidence(rs);
            }
            tokens(rule, l, at_connect, rs);
            balance(rule);
            w_brackets(rule, l);
        }
    }

    // The seed's pitfall: `[$=w]` meant to catch this host's address literals.
    void w_brackets(const Rule& rule, const CfLine* l) {
        for (std::size_t k = 1; k + 1 < rule.lhs.size(); ++k) {
            const std::string& t = rule.lhs[k];
            if (meta::first(t) != meta::MATCHCLASS || t.size() < 2 || t[1] != 'w') continue;
            if (rule.lhs[k - 1] != "[" || rule.lhs[k + 1] != "]") continue;
            add("w-brackets", l ? at(l->lhs, "[$=w]") : rule.loc,
                "[$=w] matches this host's names in brackets, never its addresses ($=w holds them as [192.0.2.1])");
            return;
        }
    }

    // `<` `>` pairs and quoted strings in each side of a rule.
    void balance(const Rule& rule) {
        for (const auto* side : {&rule.lhs, &rule.rhs}) {
            int depth = 0;
            bool open_quote = false;
            for (const std::string& t : *side) {
                if (t == "<") ++depth;
                if (t == ">" && --depth < 0) break;
                if (!t.empty() && t[0] == '"' && (t.size() == 1 || t.back() != '"')) open_quote = true;
            }
            const char* which = side == &rule.lhs ? "LHS" : "RHS";
            if (depth != 0)
                add("unbalanced", rule.loc,
                    std::string(depth > 0 ? "'<' without '>'" : "'>' without '<'") + " in the " + which);
            else if (open_quote)
                add("unbalanced", rule.loc, std::string("a quote that does not end in the ") + which);
        }
    }

    // Rulesets whose first rule matches everything and calls another: a
    // cycle of them recurses on every input until sendmail's limit.
    void recursion() {
        std::map<int, int> next;  // ruleset -> the one its first rule calls
        for (std::size_t rs = 0; rs < cfg_.rulesets.size(); ++rs) {
            const Ruleset& r = cfg_.rulesets[rs];
            if (r.rules.empty()) continue;
            const Rule& first = r.rules[0];
            if (first.lhs.size() != 1 || meta::first(first.lhs[0]) != meta::MATCHZANY) continue;
            for (std::size_t k = 0; k + 1 < first.rhs.size(); ++k) {
                if (meta::first(first.rhs[k]) != meta::CALLSUBR || meta::is_meta(meta::first(first.rhs[k + 1]))) continue;
                std::string name = first.rhs[k + 1];
                name.erase(std::remove(name.begin(), name.end(), '"'), name.end());
                int target = cfg_.find_ruleset(name);
                if (target >= 0 && cfg_.rulesets[static_cast<std::size_t>(target)].defined) next[static_cast<int>(rs)] = target;
                break;
            }
        }
        // each cycle reported once, at the ruleset written first
        std::vector<int> starts;
        for (const auto& kv : next) starts.push_back(kv.first);
        std::sort(starts.begin(), starts.end(), [&](int a, int b) {
            return cfg_.rulesets[static_cast<std::size_t>(a)].rules[0].loc.line <
                   cfg_.rulesets[static_cast<std::size_t>(b)].rules[0].loc.line;
        });
        std::set<int> reported;
        for (int start : starts) {
            std::vector<int> path{start};
            int at = start;
            while (next.count(at)) {
                at = next[at];
                if (at == start) {
                    if (reported.count(start)) break;
                    std::string cycle;
                    for (int p : path) {
                        reported.insert(p);
                        cycle += ruleset_label(p) + " -> ";
                    }
                    add("recursion", cfg_.rulesets[static_cast<std::size_t>(start)].rules[0].loc,
                        "every input recurses: " + cycle + ruleset_label(start) +
                            " (sendmail: \"rewrite: excessive recursion (max 50)\")");
                    if (opts_.explain) found_.back().evidence = evidence(start);
                    break;
                }
                if (std::find(path.begin(), path.end(), at) != path.end()) break;  // a cycle that start only leads into
                path.push_back(at);
            }
        }
    }

    static bool calls_or_looks_up(const Rule& rule) {
        for (const std::string& t : rule.rhs) {
            unsigned char c = meta::first(t);
            if (c == meta::CALLSUBR || c == meta::LOOKUPBEGIN || c == meta::HOSTBEGIN) return true;
        }
        return false;
    }

    void tokens(const Rule& rule, const CfLine* l, bool at_connect, int rs) {
        static const Field none;
        const Field& lhs = l ? l->lhs : none;
        const Field& rhs = l ? l->rhs : none;
        for (const std::string& t : rule.lhs) {
            unsigned char c = meta::first(t);
            if ((c == meta::MATCHCLASS || c == meta::MATCHNCLASS) && t.size() > 1) {
                MacroId id = static_cast<MacroId>(t[1]);
                if (cfg_.env.classes.empty(id) && !filled_by_sendmail(id)) {
                    std::string shown = cfg_.env.names.display(id);
                    std::string op = c == meta::MATCHCLASS ? "$=" : "$~";
                    add("empty-class", at(lhs, op + shown), op + shown + ": no C or F line fills class " + shown);
                }
            }
            if (c == meta::MACRODEXPAND && t.size() > 1) macro_use(static_cast<MacroId>(t[1]), lhs, at_connect);
        }
        for (std::size_t k = 0; k < rule.rhs.size(); ++k) {
            const std::string& t = rule.rhs[k];
            unsigned char c = meta::first(t);
            // a name made at run time ($>$2) is not looked up here
            if (c == meta::CALLSUBR && k + 1 < rule.rhs.size() && !meta::is_meta(meta::first(rule.rhs[k + 1]))) {
                const std::string& written = rule.rhs[k + 1];
                std::string name = written;  // callsubr() strips quotes: $>"Name"
                name.erase(std::remove(name.begin(), name.end(), '"'), name.end());
                int target = cfg_.find_ruleset(name);
                if (target < 0) {
                    add("undefined-ruleset", at(rhs, "$>" + written),
                        "$>" + written + ": no ruleset " + name + " (sendmail: \"Unknown ruleset " + name + "\")");
                    if (opts_.explain) found_.back().evidence = evidence(rs);
                }
                // a named one without rules is a hook sendmail-cf declares on purpose
                else if (!cfg_.rulesets[static_cast<std::size_t>(target)].defined &&
                         name.find_first_not_of("0123456789") == std::string::npos)
                    add("empty-ruleset-call", at(rhs, "$>" + written), "$>" + written + ": ruleset " + name + " has no rules");
            }
            if (c == meta::LOOKUPBEGIN && k + 1 < rule.rhs.size() && !meta::is_meta(meta::first(rule.rhs[k + 1]))) {
                const std::string& name = rule.rhs[k + 1];
                if (!cfg_.maps || !cfg_.maps->find(name))
                    add("undeclared-map", at(rhs, "$(" + name), "$(" + name + ": no K line declares map " + name);
            }
            if (c == meta::MACRODEXPAND && t.size() > 1) macro_use(static_cast<MacroId>(t[1]), rhs, at_connect);
        }
    }

    // Classes sendmail fills itself ($=w and $=k: the host's names, $=m its
    // domain, $=t trusted users), and those sendmail-cf's own rules test,
    // which stay empty until a .mc fills them ($=R without relay domains).
    bool filled_by_sendmail(MacroId id) const {
        if (id == 'w' || id == 'k' || id == 'm' || id == 't') return true;
        static const char* const kCfClasses[] = {
            "A", "B", "E", "G", "L", "M", "N", "O", "P", "R", "U", "V", "W", "X", "Y", "Z",
            "{Accept}", "{Canonify}", "{LDAPRouteEquiv}", "{LDAPRoute}", "{MappedDomain}", "{ResOk}",
            "{SMTPOpModes}", "{SpamTag}", "{Src}", "{TlsVerified}", "{Tls}", "{TrustAuthMech}", "{VirtHost}",
            "{cert_altnames}"};
        std::string shown = cfg_.env.names.display(id);
        for (const char* c : kCfClasses)
            if (shown == c) return true;
        return false;
    }

    // Macros a rule sets at run time: `$(macro {name} ...)` (and maps of the
    // macro class under other names, such as sendmail-cf's `storage`).
    void collect_assigned() {
        for (const Ruleset& r : cfg_.rulesets)
            for (const Rule& rule : r.rules)
                for (std::size_t k = 0; k + 2 < rule.rhs.size(); ++k) {
                    if (meta::first(rule.rhs[k]) != meta::LOOKUPBEGIN) continue;
                    const MapDef* m = cfg_.maps ? cfg_.maps->find(rule.rhs[k + 1]) : nullptr;
                    if (!m || m->class_name != "macro") continue;
                    // the key: "{name}" as one token, "{" "name" "}", or one letter
                    std::string name = rule.rhs[k + 2];
                    if (name == "{" && k + 3 < rule.rhs.size()) name = rule.rhs[k + 3];
                    if (name.size() > 2 && name.front() == '{' && name.back() == '}') name = name.substr(1, name.size() - 2);
                    assigned_.insert(name);
                }
    }

    // Set by sendmail itself (srvrsmtp.c, daemon.c, tls.c, main.c ...), in
    // sessions or test mode.
    static bool set_by_sendmail(const std::string& name) {
        if (name.size() == 1) return true;  // one-letter macros: sendmail's, or the file's D lines
        static const char* const kSet[] = {
            "addr_type", "alg_bits", "auth_authen", "auth_author", "auth_ssf", "auth_type", "bodytype",
            "cert_altnames", "cert_fp", "cert_issuer", "cert_md5", "cert_subject", "cipher", "cipher_bits",
            "client_addr", "client_connections", "client_flags", "client_name", "client_port", "client_ptr",
            "client_rate", "client_resolve", "cn_issuer", "cn_subject", "currHeader", "daemon_addr",
            "daemon_family", "daemon_flags", "daemon_info", "daemon_name", "daemon_port", "deliveryMode",
            "dsn_envid", "dsn_notify", "dsn_ret", "envid", "hdr_name", "hdrlen", "if_addr", "if_addr_out",
            "if_family", "if_family_out", "if_name", "if_name_out", "load_avg", "mail_addr", "mail_from",
            "mail_host", "mail_mailer", "msg_id", "msg_size", "nbadrcpts", "nrcpts", "ntries", "opMode",
            "persistentMacros", "quarantine", "queue", "queue_interval", "rcpt_addr", "rcpt_flags", "rcpt_host",
            "rcpt_mailer", "sendmailMTACluster", "server_addr", "server_name", "sts_sni", "time", "tls_version",
            "total_rate", "verify"};
        for (const char* s : kSet)
            if (name == s) return true;
        return false;
    }

    void macro_use(MacroId id, const Field& f, bool at_connect) {
        std::string long_name = id < 0xA0 ? std::string() : cfg_.env.names.name_of(id);
        if (!long_name.empty() && !cfg_.env.macros.get(id) && !assigned_.count(long_name) && !set_by_sendmail(long_name))
            add("unset-macro", at(f, "$&{" + long_name + "}"),
                "$&{" + long_name + "}: neither sendmail nor this file sets it, so it is always empty");
        if (!at_connect) return;
        static const char* const kLater[] = {"s", "auth_authen", "auth_type", "auth_author", "auth_ssf",
                                             "mail_addr", "mail_host", "mail_mailer", "f", "rcpt_addr",
                                             "rcpt_host", "rcpt_mailer", "verify", "cert_subject", "cert_issuer",
                                             "cn_subject", "cn_issuer", "tls_version", "cipher", "cipher_bits",
                                             "msg_size", "nrcpts"};
        std::string name = id < 0xA0 ? std::string(1, static_cast<char>(id)) : cfg_.env.names.name_of(id);
        for (const char* later : kLater) {
            if (name != later) continue;
            std::string shown = cfg_.env.names.display(id);
            add("macro-before-set", at(f, "$&" + shown),
                "$&" + shown + " is empty here: check_relay runs at connect, before sendmail sets it");
            return;
        }
    }

    // $=R words written as networks: "192.168.1.0", "10.0.0.0/8".
    void class_words() {
        for (const CfLine& l : ast_.lines) {
            if (l.kind != LineKind::Class || l.name.text != "R") continue;
            std::size_t p = 0;
            const std::string& v = l.value.text;
            while (p < v.size()) {
                std::size_t b = v.find_first_not_of(" \t\n", p);
                if (b == std::string::npos) break;
                std::size_t e = v.find_first_of(" \t\n", b);
                std::string w = v.substr(b, e == std::string::npos ? std::string::npos : e - b);
                p = e == std::string::npos ? v.size() : e;
                bool slash = w.find('/') != std::string::npos;
                bool dotted_zero = std::count(w.begin(), w.end(), '.') == 3 && w.size() > 2 &&
                                   w.compare(w.size() - 2, 2, ".0") == 0 &&
                                   w.find_first_not_of("0123456789.") == std::string::npos;
                if (!slash && !dotted_zero) continue;
                std::string net = w.substr(0, w.find('/'));
                while (net.size() > 2 && net.compare(net.size() - 2, 2, ".0") == 0) net.resize(net.size() - 2);
                SourceLoc loc = l.value.loc;
                loc.column += static_cast<int>(b);
                add("network-literal", loc,
                    "\"" + w + "\" in $=R matches only the address written so; for the network write \"" + net + "\"");
            }
        }
    }

    // --disable, then the lines' "cfkit-lint: disable=ID[,ID] reason" comments.
    std::vector<LintFinding> suppress() {
        std::vector<LintFinding> out;
        for (LintFinding& f : found_)
            if (!opts_.disabled.count(f.id)) out.push_back(std::move(f));
        found_.clear();
        std::vector<Suppression> sups;
        for (const CfLine& l : ast_.lines) read_suppressions(l.raw, "cfkit-lint: disable=", l.loc, l.loc.line, sups);
        apply_suppressions(out, sups, opts_);
        std::stable_sort(out.begin(), out.end(), [](const LintFinding& a, const LintFinding& b) {
            return std::make_pair(a.diag.loc.line, a.diag.loc.column) < std::make_pair(b.diag.loc.line, b.diag.loc.column);
        });
        return out;
    }

    const CfFile& ast_;
    const Config& cfg_;
    const LintOptions& opts_;
    std::map<int, const CfLine*> lines_;
    std::vector<LintFinding> found_;
    bool delay_checks_;
    std::set<std::string> assigned_;  // macros a macro-class map sets
};

} // namespace

std::vector<LintFinding> lint_config(const CfFile& ast, const Config& cfg, const Diagnostics& load,
                                     const LintOptions& options) {
    return Linter(ast, cfg, options).run(load);
}


} // namespace cfkit
