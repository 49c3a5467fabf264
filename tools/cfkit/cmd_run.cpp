// cfkit run: rewrite one address with a list of rulesets, outside sendmail's
// test-mode format: the result, and with --trace every rule tried (its .cf
// file:line, whether it matched, the $N bindings, the new workspace), or
// the same as JSON with --json.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/config/compile.hpp"
#include "engine/config/rulesets.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/rewrite/trace.hpp"
#include "engine/text/render.hpp"
#include "engine/text/translate.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/dns_input.hpp"

namespace cfkit {

namespace {

// Messages while the rules run go into the trace, in order.
class TraceReporter : public Reporter {
public:
    explicit TraceReporter(TraceRecorder& t) : trace_(t) {}
    void report(Diagnostic d) override { trace_.message(sendmail_text(d)); }

private:
    TraceRecorder& trace_;
};

std::string join(const Tokens& t, const MacroNames& names) {
    std::string s;
    for (const std::string& x : t) {
        if (!s.empty()) s += ' ';
        s += xputs(x, names);
    }
    return s;
}

nlohmann::json tokens_json(const Tokens& t, const MacroNames& names) {
    nlohmann::json a = nlohmann::json::array();
    for (const std::string& x : t) a.push_back(xputs(x, names));
    return a;
}

const char* kind_name(TraceEvent::Kind k) {
    switch (k) {
    case TraceEvent::Kind::Enter: return "enter";
    case TraceEvent::Kind::Return: return "return";
    case TraceEvent::Kind::Try: return "try";
    case TraceEvent::Kind::Match: return "match";
    case TraceEvent::Kind::Fail: return "fail";
    case TraceEvent::Kind::Rewritten: return "rewritten";
    case TraceEvent::Kind::Message: return "message";
    }
    return "?";
}

struct RunArgs {
    std::string cf, rulesets, address;
    std::vector<std::string> macros, classes;
    bool trace = false, json = false;
    std::optional<std::string> hostname;
    std::string cf_dir = kDefaultCfDir;
    std::optional<std::string> dns_file;
    std::string switch_spec = "files dns";
    bool switch_given = false;  // --hosts-switch was on the command line
};

// Splits NAME=value (NAME braced when longer than a letter); false: reported.
bool split_setting(const std::string& arg, const char* what, std::string& name, std::string& value) {
    std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "cfkit run: --%s %s: expected NAME=value\n", what, arg.c_str());
        return false;
    }
    name = arg.substr(0, eq);
    value = arg.substr(eq + 1);
    if (name.size() > 1 && name[0] != '{') name = "{" + name + "}";
    return true;
}

// --macro and --class, as `.D` and `.C` would set them; false: reported.
bool apply_settings(const RunArgs& a, const Config& config, Session& session, Reporter& load) {
    // the id for NAME in a NAME=value argument, or 0 (reported)
    auto parse_id = [&](const std::string& arg, const char* what, std::string& value) -> MacroId {
        std::string name;
        if (!split_setting(arg, what, name, value)) return 0;
        MacroIdResult id = macid_parse(name, 0, session.env.names, load);
        if (id.id == 0) std::fprintf(stderr, "cfkit run: --%s %s: bad name\n", what, arg.c_str());
        return static_cast<MacroId>(id.id);
    };
    for (const std::string& m : a.macros) {
        std::string value;
        MacroId id = parse_id(m, "macro", value);
        if (id == 0) return false;
        session.env.macros.set(id, translate_dollars(value, config.config_level, session.env.names, load));
    }
    for (const std::string& c : a.classes) {
        std::string value;
        MacroId id = parse_id(c, "class", value);
        if (id == 0) return false;
        session.env.classes.add(id, value);
    }
    return true;
}

struct RunResult {
    Tokens input, result;
    std::vector<std::string> names;  // the rulesets as named on the command line
    int status = 0;
};

// The address through the ruleset list, tokenized as -bt input is;
// nullopt: an unknown ruleset (reported).
std::optional<RunResult> run_rulesets(const RunArgs& a, const Config& config, Session& session, TraceRecorder& rec) {
    RunResult out;
    ScanOptions so;
    so.bufsize = limits::kPsBufSize;
    const TokenTable& table = config.config_level >= 9 ? session.tables().nocomment : session.tables().external;
    ScanResult scan = prescan(a.address, table, so);
    for (const std::string& e : scan.errors) rec.message(e);
    out.result = out.input = scan.tokens;
    std::size_t item = 0;
    while (item < a.rulesets.size()) {
        CollectingReporter quiet;
        int rs = rwset_find(config, a.rulesets.substr(item), nullptr, quiet);
        std::size_t comma = a.rulesets.find(',', item);
        std::string shown = a.rulesets.substr(item, comma == std::string::npos ? std::string::npos : comma - item);
        if (rs < 0) {
            std::fprintf(stderr, "cfkit run: %s: no ruleset named \"%s\"\n", a.cf.c_str(), shown.c_str());
            return std::nullopt;
        }
        out.names.push_back(shown);
        int s = rewrite(session, out.result, rs);
        if (s != 0 && out.status == 0) out.status = s;
        item = comma == std::string::npos ? a.rulesets.size() : comma + 1;
    }
    return out;
}

nlohmann::json event_json(const TraceEvent& e, const Config& config, const MacroNames& mn) {
    nlohmann::json o{{"event", kind_name(e.kind)}, {"depth", e.depth}};
    if (e.ruleset >= 0) o["ruleset"] = ruleset_display_name(config, e.ruleset);
    if (e.rule) o["rule"] = e.rule;
    if (!e.loc.file.empty()) o["source"] = e.loc.file + ":" + std::to_string(e.loc.line);
    if (e.kind == TraceEvent::Kind::Try) {
        o["lhs"] = tokens_json(e.lhs, mn);
        o["rhs"] = tokens_json(e.rhs, mn);
    }
    if (e.kind == TraceEvent::Kind::Enter || e.kind == TraceEvent::Kind::Return || e.kind == TraceEvent::Kind::Try ||
        e.kind == TraceEvent::Kind::Rewritten) {
        o["workspace"] = tokens_json(e.workspace, mn);
    }
    if (e.kind == TraceEvent::Kind::Match) {
        nlohmann::json b = nlohmann::json::array();
        for (const Tokens& t : e.bindings) b.push_back(tokens_json(t, mn));
        o["bindings"] = b;
    }
    if (e.kind == TraceEvent::Kind::Message) o["message"] = e.message;
    return o;
}

void print_json(const RunArgs& a, const RunResult& r, const Config& config, const CollectingReporter& load,
                const TraceRecorder& rec, const MacroNames& mn) {
    nlohmann::json j;
    j["config"] = a.cf;
    j["rulesets"] = r.names;
    j["input"] = tokens_json(r.input, mn);
    j["result"] = tokens_json(r.result, mn);
    j["status"] = r.status;
    nlohmann::json diags = nlohmann::json::array();
    for (const Diagnostic& d : load.diagnostics)
        diags.push_back({{"file", d.loc.file}, {"line", d.sendmail_line}, {"message", d.message}});
    j["diagnostics"] = diags;
    if (a.trace) {
        nlohmann::json ev = nlohmann::json::array();
        for (const TraceEvent& e : rec.events) ev.push_back(event_json(e, config, mn));
        j["trace"] = ev;
    }
    std::printf("%s\n", j.dump(2).c_str());
}

void print_trace(const TraceRecorder& rec, const MacroNames& mn) {
    std::string pending_try;
    for (const TraceEvent& e : rec.events) {
        std::string ind(static_cast<std::size_t>(e.depth) * 2, ' ');
        switch (e.kind) {
        case TraceEvent::Kind::Enter:
            std::printf("%sruleset %s  input: %s\n", ind.c_str(), e.ruleset_name.c_str(), join(e.workspace, mn).c_str());
            break;
        case TraceEvent::Kind::Return:
            std::printf("%sruleset %s returns: %s\n", ind.c_str(), e.ruleset_name.c_str(),
                        join(e.workspace, mn).c_str());
            break;
        case TraceEvent::Kind::Try:
            pending_try = ind + "  rule " + std::to_string(e.rule) + " (" + e.loc.file + ":" +
                          std::to_string(e.loc.line) + ")  " + join(e.lhs, mn) + "  =>  " + join(e.rhs, mn);
            break;
        case TraceEvent::Kind::Fail:
            std::printf("%s  : no match\n", pending_try.c_str());
            break;
        case TraceEvent::Kind::Match:
            std::printf("%s  : MATCH\n", pending_try.c_str());
            for (std::size_t i = 0; i < e.bindings.size(); ++i)
                std::printf("%s      $%zu = %s\n", ind.c_str(), i + 1, join(e.bindings[i], mn).c_str());
            break;
        case TraceEvent::Kind::Rewritten:
            std::printf("%s      now: %s\n", ind.c_str(), join(e.workspace, mn).c_str());
            break;
        case TraceEvent::Kind::Message:
            std::printf("%s  ! %s\n", ind.c_str(), e.message.c_str());
            break;
        }
    }
}

} // namespace

int cmd_run(int argc, char** argv) {
    CLI::App app{"Rewrite an address with rulesets and show how (cfkit's own format; see `cfkit bt` for sendmail's)."};
    app.name("cfkit run");
    RunArgs a;
    app.add_option("config", a.cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("--cf-dir", a.cf_dir, "sendmail-cf's cf directory, for .mc files")->capture_default_str();
    app.add_option("rulesets", a.rulesets, "ruleset list, as in -bt: 3,0 or check_mail")->required();
    app.add_option("address", a.address, "the address (one; quote it for the shell)")->required();
    app.add_option("--macro", a.macros, "set a macro before running: x=value or {name}=value");
    app.add_option("--class", a.classes, "add a class word: X=word or {Name}=word");
    app.add_option("--hostname", a.hostname, "host name to use instead of this machine's");
    app.add_option("--dns-records", a.dns_file, "DNS records to answer name lookups from (as `cfkit bt`)");
    app.add_option("--hosts-switch", a.switch_spec, "with --dns-records: the service switch's hosts line (default: the ServiceSwitchFile's, when set)")
        ->capture_default_str();
    app.add_flag("--trace", a.trace, "show every rule tried");
    app.add_flag("--json", a.json, "print the result and the trace as JSON");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    a.switch_given = app.count("--hosts-switch") > 0;

    std::optional<DnsRecords> records;
    if (a.dns_file) {
        records = read_dns_records(*a.dns_file);
        if (!records) return 2;
    }
    ProbeOptions po;
    po.hostname = a.hostname;
    CollectingReporter load;
    std::unique_ptr<Config> config = load_config(a.cf, a.cf_dir, po, load, "cfkit run");
    if (!config) return 2;

    TraceRecorder rec;
    TraceReporter rrep(rec);
    Session session(*config);
    session.reporter = &rrep;
    session.observer = &rec;
    std::unique_ptr<NameService> name_service;
    if (records) {
        name_service = std::make_unique<NameService>(
            NameServiceSetup{config->host.hosts, std::move(*records), hosts_switch_for(*config, a.switch_given, a.switch_spec),
                             config->host.hostname, {}},
            &session.env);
        session.maps.resolver = name_service.get();
    }
    if (!apply_settings(a, *config, session, load)) return 2;
    std::optional<RunResult> r = run_rulesets(a, *config, session, rec);
    if (!r) return 2;

    const MacroNames& mn = session.env.names;
    if (a.json) {
        print_json(a, *r, *config, load, rec, mn);
        return r->status == 0 ? 0 : 1;
    }
    for (const Diagnostic& d : load.diagnostics) std::fprintf(stderr, "%s\n", sendmail_text(d).c_str());
    if (a.trace) {
        print_trace(rec, mn);
    } else {
        for (const TraceEvent& e : rec.events)
            if (e.kind == TraceEvent::Kind::Message) std::fprintf(stderr, "%s\n", e.message.c_str());
        std::printf("%s\n", join(r->result, mn).c_str());
    }
    if (r->status != 0) std::printf("status %d\n", r->status);
    return r->status == 0 ? 0 : 1;
}

} // namespace cfkit
