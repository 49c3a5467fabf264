// cfkit session: a dry run of an SMTP session against a configuration.
#include <cstdio>

#include <CLI/CLI.hpp>

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
    std::string script_path = "-";
    bool replies = false, trace = false, json = false, no_interfaces = false;
    std::string sasl;
    std::string date;
    std::string switch_spec = "files dns";
    app.add_option("config", o.cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("script", script_path, "the session script (default: standard input)");
    add_server_options(app, o, no_interfaces, switch_spec, "the script's dns lines");
    app.add_option("--sasl-mechs", sasl, "SASL mechanisms the server has (default: the installed plugins)");
    app.add_option("--date", date, "the date in the greeting ($b) instead of now");
    app.add_flag("--replies", replies, "print only the server's reply lines");
    app.add_flag("--trace", trace, "show the check rulesets under each reply, with the deciding rule");
    app.add_flag("--json", json, "print the transcript as JSON");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    o.probe_interfaces = !no_interfaces;
    SessionScript script;
    if (!load_script(script_path, script, "cfkit session")) return 2;
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
    Transcript t = run_session(*config, script, setup);
    for (const std::string& p : t.problems) std::fprintf(stderr, "cfkit session: %s\n", p.c_str());
    if (json) std::fputs(transcript_json(t, *config).c_str(), stdout);
    else std::fputs(format_transcript(t, replies, trace, *config).c_str(), stdout);
    return t.problems.empty() ? 0 : 2;
}

} // namespace cfkit
