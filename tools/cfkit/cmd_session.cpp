// cfkit session: a dry run of an SMTP session against a configuration.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "engine/rewrite/memo.hpp"
#include "engine/names/safefile.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/dns_input.hpp"
#include "tools/cfkit/session_common.hpp"

namespace cfkit {

int cmd_session(int argc, char** argv) {
    CLI::App app{"Play an SMTP session (a script) against a config: the replies sendmail's daemon would send."};
    app.name("cfkit session");
    ServerConfigOptions o;
    o.cf_dir = kDefaultCfDir;
    std::vector<std::string> script_paths;
    bool replies = false, trace = false, json = false, no_interfaces = false, no_memo = false;
    std::string sasl;
    std::string date;
    std::string switch_spec = "files dns";
    app.add_option("config", o.cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("script", script_paths,
                   "the session script (default: standard input); with several, each is played in turn, "
                   "its transcript under a `==> SCRIPT <==` line (--json: an array)");
    add_server_options(app, o, no_interfaces, switch_spec, "the script's dns lines");
    app.add_option("--sasl-mechs", sasl, "SASL mechanisms the server has (default: the installed plugins)");
    app.add_option("--date", date, "the date in the greeting ($b) instead of now");
    app.add_flag("--replies", replies, "print only the server's reply lines");
    app.add_flag("--trace", trace, "show the check rulesets under each reply, with the deciding rule");
    app.add_flag("--json", json, "print the transcript as JSON");
    app.add_flag("--no-memo", no_memo, "work out every ruleset run afresh (slower; the results are the same)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    o.probe_interfaces = !no_interfaces;
    if (script_paths.empty()) script_paths.push_back("-");
    std::vector<SessionScript> scripts(script_paths.size());
    // every script read first, each bad one reported, before any runs
    bool unusable = false;
    for (std::size_t i = 0; i < scripts.size(); ++i)
        if (!load_script(script_paths[i], scripts[i], "cfkit session")) unusable = true;
    if (unusable) return 2;
    std::unique_ptr<Config> config = load_server_config(o, "cfkit session");
    if (!config) return 2;
    ServerSetup setup;
    if (app.count("--sasl-mechs")) {
        std::vector<std::string> m;
        std::string w;
        for (char c : sasl + " ") {
            if (c == ' ' || c == ',') {
                if (!w.empty()) m.push_back(w);
                w.clear();
            } else {
                w += c;
            }
        }
        setup.sasl_mechs = m;
    }
    setup.date = date;
    if (!load_server_files(o, setup, "cfkit session")) return 2;
    setup.hosts_switch = hosts_switch_for(*config, app.count("--hosts-switch") > 0, switch_spec);
    // Several scripts share one memo: what one session worked out, the
    // next need not (the results are the same either way).
    RewriteMemo memo(*config);
    if (!no_memo) setup.memo = &memo;
    const bool several = scripts.size() > 1;
    // several sessions: the files are taken as unchanged while they run (safefile.hpp)
    if (several) remember_file_checks(true);
    bool problems = false;
    if (several && json) std::fputs("[\n", stdout);
    for (std::size_t i = 0; i < scripts.size(); ++i) {
        Transcript t = run_session(*config, scripts[i], setup);
        for (const std::string& p : t.problems) std::fprintf(stderr, "cfkit session: %s\n", p.c_str());
        problems = problems || !t.problems.empty();
        if (json) {
            if (several && i > 0) std::fputs(",\n", stdout);
            std::fputs(transcript_json(t, *config).c_str(), stdout);
        } else {
            if (several) std::printf("%s==> %s <==\n", i ? "\n" : "", script_paths[i].c_str());
            std::fputs(format_transcript(t, replies, trace, *config).c_str(), stdout);
        }
    }
    if (several && json) std::fputs("]\n", stdout);
    return problems ? 2 : 0;
}

} // namespace cfkit
