// cfkit explain: rewriting step by step, for people learning the rules.
// `cfkit explain CONFIG RULESET ADDRESS`, `--rules FILE` for a snippet of
// S and R lines instead of a whole config, or -bt input lines on standard
// input. The work is in engine/explain/.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/config/compile.hpp"
#include "engine/explain/explain.hpp"
#include "engine/testmode/testmode.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"

namespace cfkit {

namespace {
const char* kWho = "cfkit explain";
}

int cmd_explain(int argc, char** argv) {
    CLI::App app{"Show how sendmail rewrites an address: every rule tried, what each $* took, backtracking, "
                 "$1..$9, $> calls, why a rule failed and what ended each ruleset."};
    app.name("cfkit explain");
    std::string config, rules, cf_dir = kDefaultCfDir, color = "auto", hostname = "mail.example.com";
    std::vector<std::string> words;
    bool json = false, steps = false;
    app.add_option("args", words, "CONFIG RULESET ADDRESS (with --rules: RULESET ADDRESS); with no RULESET, "
                                  "-bt lines (\"3,0 a@b\", \".D{x}y\") are read from standard input");
    app.add_option("--rules", rules, "a file of S and R lines (a snippet) instead of a whole config");
    app.add_option("--cf-dir", cf_dir, "sendmail-cf's cf directory, for a .mc")->capture_default_str();
    app.add_option("--hostname", hostname, "the host name the config is read with")->capture_default_str();
    app.add_option("--color", color, "auto (on a terminal), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    app.add_flag("--steps", steps, "also every span each wildcard tried (the backtracking itself)");
    app.add_flag("--json", json, "the same as JSON (the fields are described in engine/explain/explain.hpp)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    std::size_t next = 0;
    std::string path = rules;
    if (path.empty()) {
        if (words.empty()) {
            std::fprintf(stderr, "%s: no configuration given (cfkit explain CONFIG RULESET ADDRESS, or --rules FILE)\n", kWho);
            return 2;
        }
        path = words[next++];
    }
    std::string input;
    if (next < words.size()) {
        if (next + 1 >= words.size()) {
            std::fprintf(stderr, "%s: an address is needed after the ruleset %s\n", kWho, words[next].c_str());
            return 2;
        }
        std::string address;
        for (std::size_t i = next + 1; i < words.size(); ++i) address += (address.empty() ? "" : " ") + words[i];
        input = words[next] + " " + address + "\n";
    } else {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        input = ss.str();
    }
    std::string error;
    std::optional<ConfigText> text = read_config(path, cf_dir, error);
    if (!text) {
        std::fprintf(stderr, "%s: %s\n", kWho, error.c_str());
        return 2;
    }
    // read as -bt reads it: its messages are what `cfkit bt` prints first
    std::string loading;
    TextReporter rep;
    rep.out = &loading;
    CompileOptions co;
    ProbeOptions po;
    po.hostname = hostname;
    po.probe_interfaces = false;
    co.host = probe_host(po);
    co.display_path = path;
    std::unique_ptr<Config> cfg = compile_cf(parse_cf(text->content, path), co, rep);
    // A snippet (--rules) has no V line and no mailers: sendmail's two
    // warnings about that say nothing about the rules themselves.
    if (!rules.empty()) {
        std::string kept;
        for (std::size_t p = 0; p < loading.size();) {
            std::size_t nl = loading.find('\n', p);
            if (nl == std::string::npos) nl = loading.size();
            const std::string l = loading.substr(p, nl - p);
            p = nl + 1;
            if (l.rfind("Warning: .cf file is out of date", 0) == 0 || l == "No local mailer defined") continue;
            kept += l + "\n";
        }
        loading = kept;
    }
    if (!loading.empty()) std::fputs(loading.c_str(), stderr);
    const bool paint = color == "always" || (color == "auto" && ::isatty(1));
    bool undefined = false;
    const std::string out =
        json ? explain_input_json(*cfg, input, &undefined) + "\n" : explain_input_text(*cfg, input, paint, &undefined, steps);
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (undefined) {
        std::fprintf(stderr, "%s: %s: a ruleset named in the input is not defined (see \"Undefined ruleset\" above)\n",
                     kWho, path.c_str());
        return 1;
    }
    return 0;
}

}  // namespace cfkit
