// See generate.hpp. The rules follow the seed's shape: each check sets the
// workspace from the macros it needs ("$: <$&s>"), then one rule per case;
// an exemption returns "$@ OK" from the section's ruleset, a rejection
// returns a `$#error` triple (or, in warn mode, logs it and returns OK).
// Each section is a ruleset of its own (cfkit_helo, cfkit_resolve); the
// ruleset sendmail runs at the asked stage calls them in order.
#include "rulesets/generate.hpp"

#include <algorithm>

#include "engine/config/config.hpp"
#include "rulesets/model.hpp"

namespace cfkit::gen {

namespace {

// The classes an exemption set uses, named by the set ("" global, "Helo", "Resolve").
struct ClassNames {
    std::string nets, domains, client_addrs, client_names, issuers;
    explicit ClassNames(const std::string& set)
        : nets("cfkit" + set + "Nets"), domains("cfkit" + set + "Domains"),
          client_addrs("cfkit" + set + "ClientAddrs"), client_names("cfkit" + set + "ClientNames"),
          issuers("cfkit" + set + "Issuers") {}
};

const char* kLogMap = "cfkit_log";

class Generator {
public:
    Generator(const Policy& p, const McFacts& mc, Diagnostics& diags) : p_(p), mc_(mc), diags_(diags) {}
    std::optional<Generated> run();

private:
    void refuse(const Origin& o, const std::string& msg) {
        Diagnostic d;
        d.loc = o.loc;
        d.message = o.path + ": " + msg;
        diags_.push_back(d);
    }
    void note(const Origin& o, const std::string& msg) {
        Diagnostic d;
        d.severity = Severity::Warning;
        d.loc = o.loc;
        d.message = o.path + ": " + msg;
        out_.notes.push_back(d);
    }
    void comment(std::vector<Line>& to, const std::string& text) { to.push_back({Line::Kind::Comment, "", {fixed(text)}, {}}); }
    void rule(std::vector<Text> lhs, std::vector<Text> rhs) {
        rules_.push_back({Line::Kind::Rule, "", std::move(lhs), std::move(rhs)});
    }
    void rule(const std::string& lhs, const std::string& rhs) { rule({fixed(lhs)}, {fixed(rhs)}); }
    void define_class(const std::string& name, const std::vector<At<std::string>>& words, const std::string& why);
    void define_class(const std::string& name, const std::vector<std::string>& words, const std::string& why);

    bool check_exempt_possible(const Exempt& e, Stage stage, bool own, bool helo);
    void exempt_rules(const EffectiveExempt& e, const std::string& set);
    std::vector<Text> reject_rhs(const Reply& r, const std::string& what);
    void helo_rules(const HeloSection& h);
    void resolve_rules(const ResolveSection& r);
    bool placement_possible(const Origin& o, const Placement& pl);

    const Policy& p_;
    const McFacts& mc_;
    Diagnostics& diags_;
    Generated out_;
    std::vector<Line> rules_;  // the rules of the ruleset being written
    std::vector<std::string> classes_done_;
};

void Generator::define_class(const std::string& name, const std::vector<std::string>& words, const std::string& why) {
    if (std::find(classes_done_.begin(), classes_done_.end(), name) != classes_done_.end()) return;
    classes_done_.push_back(name);
    comment(out_.block.config, why);
    // several C lines of a few words each: readcf() reads at most MAXLINE
    // bytes of a line, and short lines read better
    std::size_t bytes = 0;
    for (const std::string& w : words) {
        if (bytes == 0 || bytes + w.size() > 200) {
            out_.block.config.push_back({Line::Kind::Class, name, {}, {}});
            bytes = 0;
        }
        out_.block.config.back().items.push_back(word(w));
        bytes += w.size() + 1;
    }
}

void Generator::define_class(const std::string& name, const std::vector<At<std::string>>& words,
                             const std::string& why) {
    std::vector<std::string> w;
    for (const At<std::string>& a : words) w.push_back(a.value);
    define_class(name, w, why);
}

std::vector<Text> Generator::reject_rhs(const Reply& r, const std::string& what) {
    // "$: "550 5.7.1 text " $&s "more"": the code and the enhanced status
    // code open the first quoted string (sendmail takes a status code at
    // the start of the text as the reply's, so the text, or a HELO name
    // standing first in it, could otherwise choose one); adjacent
    // placeholders get an empty string between them (cataddr() would put
    // a space between two atoms).
    const std::string head = std::to_string(r.code) + " " + r.dsn + " ";
    std::vector<Text> msg;
    bool first = true, last_macro = false;
    for (const Reply::Piece& piece : r.pieces) {
        if (first && piece.macro) msg.push_back(quoted(head));
        if (piece.macro) {
            if (last_macro) msg.push_back(quoted(""));
            msg.push_back(fixed("$&" + piece.text));
        } else {
            msg.push_back(quoted((first ? head : "") + piece.text));
        }
        first = false;
        last_macro = piece.macro;
    }
    std::vector<Text> rhs;
    if (p_.mode == Mode::Warn) {
        rhs.push_back(fixed("$@ $(" + std::string(kLogMap)));
        rhs.push_back(quoted("cfkit " + what + ": would reject: "));
        rhs.insert(rhs.end(), msg.begin(), msg.end());
        rhs.push_back(fixed("$) OK"));
    } else {
        rhs.push_back(fixed("$#error $@ " + r.dsn + " $:"));
        rhs.insert(rhs.end(), msg.begin(), msg.end());
    }
    return rhs;
}

bool Generator::check_exempt_possible(const Exempt& e, Stage stage, bool own, bool helo) {
    bool ok = true;
    if (stage == Stage::Connect && own) {
        if (e.authenticated) {
            refuse(*e.authenticated, "refused: a check at connect runs before the client can authenticate (AUTH "
                                     "comes after EHLO); move the check to \"mail\" or \"rcpt\"");
            ok = false;
        }
        if (e.tls_verified) {
            refuse(*e.tls_verified, "refused: a check at connect runs before the client can start TLS; move the "
                                    "check to \"mail\" or \"rcpt\"");
            ok = false;
        }
    }
    if (!helo && own && (!e.client_domains.empty() || !e.clients_name.empty())) {
        const Origin& o = !e.client_domains.empty() ? e.client_domains.front().origin : e.clients_name.front().origin;
        refuse(o, "refused: {client_name} is the address in brackets whenever {client_resolve} is not OK, so a "
                  "client_resolve check cannot exempt by name; exempt by address");
        ok = false;
    }
    if (e.access_tag && mc_.known && !mc_.access_db) {
        refuse(e.access_tag->origin, "refused: " + mc_.path +
                                         " has no access map (FEATURE(access_db)), so there is nothing to look the "
                                         "tag up in");
        ok = false;
    }
    return ok;
}

void Generator::exempt_rules(const EffectiveExempt& eff, const std::string& set) {
    const Exempt& e = eff.set;
    const std::string from = eff.own ? e.origin.path : "$.exempt";
    for (const std::string& s : eff.skipped) comment(rules_, s);
    ClassNames cn(set);
    if (e.authenticated) {
        comment(rules_, from + ".authenticated: the client authenticated ({auth_authen} is set)");
        rule("$*", "$: <$&{auth_authen}>");
        rule("<$+>", "$@ OK");
    }
    if (e.tls_verified) {
        if (e.tls_issuers.empty()) {
            comment(rules_, from + ".tls_verified: the client's certificate verified ({verify} is OK)");
            rule("$*", "$: <$&{verify}>");
            rule("<OK>", "$@ OK");
        } else {
            comment(rules_, from + ".tls_verified, .tls_issuers: a verified certificate from one of these issuers "
                                   "({cert_issuer} in $={" + cn.issuers + "})");
            define_class(cn.issuers, e.tls_issuers, from + ".tls_issuers, as {cert_issuer} writes them (xtext)");
            rule("$*", "$: <$&{verify}> <$&{cert_issuer}>");
            rule("<OK> <$={" + cn.issuers + "}>", "$@ OK");
        }
    }
    if (e.relay_networks) {
        comment(rules_, from + ".relay_networks: the client's address starts with a word of $=R");
        rule("$*", "$: <$&{client_addr}>");
        rule("<$=R $*>", "$@ OK");
    }
    if (!e.networks.empty()) {
        comment(rules_, from + ".networks: the client's address is one of these or starts with one, by whole parts");
        define_class(cn.nets, e.networks, from + ".networks");
        rule("$*", "$: <$&{client_addr}>");
        rule("<$={" + cn.nets + "} $*>", "$@ OK");
    }
    if (!e.client_domains.empty()) {
        comment(rules_, from + ".client_domains: {client_name} is one of these domains or below one, and "
                               "{client_resolve} is OK");
        define_class(cn.domains, e.client_domains, from + ".client_domains");
        rule("$*", "$: <$&{client_resolve}> <$&{client_name}>");
        rule("<OK> <$={" + cn.domains + "}>", "$@ OK");
        rule("<OK> <$+ . $={" + cn.domains + "}>", "$@ OK");
    }
    if (!e.clients_addr.empty()) {
        comment(rules_, from + ".clients: these client addresses");
        define_class(cn.client_addrs, e.clients_addr, from + ".clients (addresses)");
        rule("$*", "$: <$&{client_addr}>");
        rule("<$={" + cn.client_addrs + "}>", "$@ OK");
    }
    if (!e.clients_name.empty()) {
        comment(rules_, from + ".clients: these client host names ({client_name}, which is the address in "
                               "brackets unless the name resolved)");
        define_class(cn.client_names, e.clients_name, from + ".clients (host names)");
        rule("$*", "$: <$&{client_name}>");
        rule("<$={" + cn.client_names + "}>", "$@ OK");
    }
    if (e.access_tag) {
        const std::string& tag = e.access_tag->value;
        comment(rules_, from + ".access_tag: the access map says OK for " + tag +
                            ":NAME (the client's name or a parent domain) or " + tag +
                            ":ADDRESS (the address or a shorter prefix), as Connect: entries are looked up");
        rule("$*", "$: <$&{client_name}>");
        rule({fixed("<$+>")}, {fixed("$: $>D <$1> <?> <!"), word(tag), fixed("> <>")});
        rule("<OK> $*", "$@ OK");
        rule("$*", "$: <$&{client_addr}>");
        rule({fixed("<$+>")}, {fixed("$: $>A <$1> <?> <!"), word(tag), fixed("> <>")});
        rule("<OK> $*", "$@ OK");
    }
    if (e.local_submission) {
        comment(rules_, from + ".local_submission: a local submission (sendmail -bs: {client_addr} is 0)");
        rule("$*", "$: <$&{client_addr}>");
        rule("<0>", "$@ OK");
    }
}

void Generator::helo_rules(const HeloSection& h) {
    const std::string w = "$.helo";
    auto reject = [&](const std::string& lhs, const std::string& what) {
        rule({fixed(lhs)}, reject_rhs(h.reply, "helo " + what));
    };
    for (const At<HeloCheck>& c : h.reject) {
        const std::string at = c.origin.path + " " + helo_check_name(c.value);
        switch (c.value) {
        case HeloCheck::Unqualified:
            comment(rules_, at + ": no dot inside the HELO name (a dot at either end does not count)");
            rule("$*", "$: <$&s>");
            rule("<$+ . $+>", "$: OK");
            reject("<$*>", "unqualified");
            break;
        case HeloCheck::OwnName:
            comment(rules_, at + ": the HELO name is in $=w (our names, and our addresses in brackets)");
            rule("$*", "$: <$&s>");
            reject("<$=w>", "own_name");
            break;
        case HeloCheck::OwnAddress:
            comment(rules_, at + ": the HELO name is one of our addresses, bare or in brackets ([a.b.c.d] in $=w)");
            rule("$*", "$: <$&s>");
            rule("<$-.$-.$-.$->", "$: <ADDR> [ $1.$2.$3.$4 ]");
            rule("<[ $+ ]>", "$: <ADDR> [ $1 ]");
            reject("<ADDR> $=w", "own_address");
            break;
        case HeloCheck::BareAddress:
            comment(rules_, at + ": the HELO name is a dotted quad without brackets");
            define_class("cfkitOctet",
                         [] {
                             std::vector<std::string> v;
                             for (int i = 0; i < 256; ++i) v.push_back(std::to_string(i));
                             return v;
                         }(),
                         "the numbers 0-255, for dotted quads");
            rule("$*", "$: <$&s>");
            reject("<$={cfkitOctet}.$={cfkitOctet}.$={cfkitOctet}.$={cfkitOctet}>", "bare_address");
            break;
        case HeloCheck::LiteralMismatch:
            comment(rules_, at + ": an address literal [a.b.c.d] that is not the client's address");
            rule("$*", "$: <$&s>");
            rule("<[ $&{client_addr} ]>", "$: OK");
            reject("<[ $-.$-.$-.$- ]>", "literal_mismatch");
            break;
        case HeloCheck::Localhost:
            comment(rules_, at + ": localhost or localhost.anything from a client that is not on a loopback address");
            rule("$*", "$: <$&s> <$&{client_addr}>");
            rule("<$*> <127.$-.$-.$->", "$: OK");
            rule("<$*> <IPv6:0:0:0:0:0:0:0:1>", "$: OK");
            rule("<$*> <IPv6:::1>", "$: OK");
            reject("<localhost> <$*>", "localhost");
            reject("<localhost . $+> <$*>", "localhost");
            break;
        }
    }
    if (!h.deny_exact.empty() || !h.deny_suffix.empty()) {
        comment(rules_, w + ".deny_names: these HELO names" +
                            (h.deny_suffix.empty() ? std::string() : ", and any name below the *.domain entries"));
        rule("$*", "$: <$&s>");
        if (!h.deny_exact.empty()) {
            define_class("cfkitHeloDeny", h.deny_exact, w + ".deny_names (exact names)");
            reject("<$={cfkitHeloDeny}>", "deny_names");
        }
        if (!h.deny_suffix.empty()) {
            define_class("cfkitHeloDenyBelow", h.deny_suffix, w + ".deny_names (*.domain: names below these)");
            reject("<$+ . $={cfkitHeloDenyBelow}>", "deny_names");
        }
    }
}

void Generator::resolve_rules(const ResolveSection& r) {
    rule("$*", "$: <$&{client_resolve}>");
    for (const auto& [what, reply] : r.replies) {
        comment(rules_, std::string("$.client_resolve.") + resolve_name(what) + ": {client_resolve} is " +
                            resolve_name(what));
        rule({fixed(std::string("<") + resolve_name(what) + ">")},
             reject_rhs(reply, std::string("client_resolve ") + resolve_name(what)));
    }
}

bool Generator::placement_possible(const Origin& o, const Placement& pl) {
    if (!mc_.known) return true;
    if (std::find(mc_.rulesets_with_rules.begin(), mc_.rulesets_with_rules.end(), pl.ruleset) ==
        mc_.rulesets_with_rules.end())
        return true;
    refuse(o, "refused: " + mc_.path + " already has rules in " + pl.ruleset +
                  ", where these checks go; merge them by hand, or remove them and generate again");
    return false;
}

std::optional<Generated> Generator::run() {
    std::size_t errors = diags_.size();
    out_.delay_checks = p_.delay_checks ? p_.delay_checks->value : false;
    if (mc_.known) {
        if (p_.delay_checks && p_.delay_checks->value != mc_.delay_checks)
            note(p_.delay_checks->origin, std::string("is ") + (p_.delay_checks->value ? "true" : "false") + ", but " +
                                              mc_.path + (mc_.delay_checks ? " has" : " does not have") +
                                              " FEATURE(delay_checks): the .mc decides");
        out_.delay_checks = mc_.delay_checks;
    }
    out_.block.source = p_.path;

    const std::vector<SectionRef> sections = sections_in_order(p_);
    auto ruleset_name = [](const SectionRef& s) { return s.helo ? "cfkit_helo" : "cfkit_resolve"; };

    // exemptions first: refusals before anything is written
    for (const SectionRef& s : sections) {
        if (*s.own) check_exempt_possible(**s.own, s.stage, true, s.helo);
        else check_exempt_possible(p_.exempt, s.stage, false, s.helo);
        placement_possible(s.origin, place(s.stage, out_.delay_checks));
    }
    if (diags_.size() != errors) return std::nullopt;

    if (p_.mode == Mode::Warn) {
        comment(out_.block.config, "$.mode warn: would-be rejections are logged through this map, nothing is "
                                   "rejected");
        out_.block.config.push_back({Line::Kind::Map, kLogMap, {fixed("syslog")}, {}});
    }
    std::vector<Line>& rs = out_.block.rulesets;
    // the stage rulesets, each calling its sections in order
    for (std::size_t i = 0; i < sections.size();) {
        Placement pl = place(sections[i].stage, out_.delay_checks);
        comment(rs, pl.why);
        rs.push_back({Line::Kind::Ruleset, pl.ruleset, {}, {}});
        for (; i < sections.size() && place(sections[i].stage, out_.delay_checks).ruleset == pl.ruleset; ++i)
            rs.push_back({Line::Kind::Rule, "", {fixed("$*")},
                          {fixed("$: $>" + std::string(ruleset_name(sections[i])) + " $1")}});
    }
    // the sections
    for (const SectionRef& s : sections) {
        out_.placements.push_back({s.helo ? "helo" : "client_resolve", s.stage, place(s.stage, out_.delay_checks)});
        rules_.clear();
        EffectiveExempt eff = effective_exempt(p_, *s.own, s.stage, s.helo);
        if (s.helo) {
            comment(rs, "$.helo: HELO checks at " + std::string(stage_name(s.stage)) + ", in $.helo.reject order" +
                            (p_.mode == Mode::Warn ? " (warn: logged, not rejected)" : ""));
        } else {
            comment(rs, "$.client_resolve: {client_resolve} checks at " + std::string(stage_name(s.stage)) +
                            (p_.mode == Mode::Warn ? " (warn: logged, not rejected)" : ""));
        }
        rs.push_back({Line::Kind::Ruleset, ruleset_name(s), {}, {}});
        exempt_rules(eff, eff.own ? (s.helo ? "Helo" : "Resolve") : "");
        if (s.helo) helo_rules(*p_.helo);
        else resolve_rules(*p_.client_resolve);
        rs.insert(rs.end(), rules_.begin(), rules_.end());
    }
    return out_;
}

} // namespace

Placement place(Stage s, bool delay_checks) {
    switch (s) {
    case Stage::Connect:
        if (!delay_checks)
            return {"Local_check_relay", false,
                    "stage connect: check_relay runs Local_check_relay when the client connects"};
        return {"check_relay", true,
                "stage connect with delay_checks: proto.m4 then runs its connection checks at RCPT (checkrelay), "
                "so these rules form a check_relay ruleset of their own, which the daemon runs at connect"};
    case Stage::Mail:
        if (!delay_checks)
            return {"Local_check_mail", false, "stage mail: check_mail runs Local_check_mail at MAIL"};
        return {"check_mail", true,
                "stage mail with delay_checks: proto.m4 runs Local_check_mail only at RCPT (checkmail, after its "
                "recipient exemptions), so these rules form a check_mail ruleset of their own, which the daemon "
                "runs at MAIL (the seed's choice)"};
    case Stage::Rcpt:
        if (!delay_checks)
            return {"Local_check_rcpt", false, "stage rcpt: check_rcpt runs Local_check_rcpt at each RCPT"};
        return {"Local_check_mail", false,
                "stage rcpt with delay_checks: check_rcpt runs Local_check_mail at each RCPT, after the "
                "delay_checks friend/hater exemptions (Local_check_rcpt would run before them)"};
    }
    return {};
}

McFacts mc_facts(const Config& cfg, const std::string& path) {
    McFacts f;
    f.known = true;
    f.path = path;
    f.delay_checks = cfg.find_ruleset("checkrcpt") >= 0;
    f.access_db = cfg.maps && cfg.maps->find("access") != nullptr;
    for (const char* name : {"Local_check_relay", "Local_check_mail", "Local_check_rcpt", "check_relay", "check_mail"}) {
        int rs = cfg.find_ruleset(name);
        if (rs >= 0 && !cfg.rulesets[static_cast<std::size_t>(rs)].rules.empty()) f.rulesets_with_rules.push_back(name);
    }
    f.class_r = cfg.env.classes.dump(static_cast<MacroId>('R'));
    f.class_w = cfg.env.classes.dump(static_cast<MacroId>('w'));
    return f;
}

std::optional<Generated> generate(const Policy& p, const McFacts& mc, Diagnostics& diags) {
    return Generator(p, mc, diags).run();
}

} // namespace cfkit::gen
