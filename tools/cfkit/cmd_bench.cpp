// cfkit bench-load: how long reading a config takes, inside one process
// (parse + compile, as `cfkit bt` does before its banner), without the
// process start and host probing that a timed `cfkit bt` run includes.
// tools/oracle/bench.py reports it beside the address batch.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/config/compile.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"

namespace cfkit {

int cmd_bench_load(int argc, char** argv) {
    CLI::App app{"time reading and compiling a config (median of N runs, in one process)", "cfkit bench-load"};
    std::string cf, cf_dir = kDefaultCfDir, hostname = "mail.example.com";
    int runs = 50;
    app.add_option("config", cf, "the .cf (or .mc) file")->required();
    app.add_option("--cf-dir", cf_dir, "sendmail-cf's cf directory, for .mc files")->capture_default_str();
    app.add_option("--runs", runs, "how many times to load it")->capture_default_str()->check(CLI::Range(1, 100000));
    app.add_option("--hostname", hostname, "host name for $j")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    std::string error;
    std::optional<ConfigText> text = read_config(cf, cf_dir, error);
    if (!text) {
        std::fprintf(stderr, "cfkit bench-load: %s\n", error.c_str());
        return 2;
    }
    ProbeOptions po;
    po.hostname = hostname;
    CompileOptions co;
    co.host = probe_host(po);  // once: it is I/O, not loading
    co.display_path = cf;
    std::vector<double> ms;
    std::size_t rules = 0;
    for (int i = 0; i < runs; ++i) {
        CollectingReporter rep;
        auto t0 = std::chrono::steady_clock::now();
        CfFile ast = parse_cf(text->content, cf);
        std::unique_ptr<Config> config = compile_cf(ast, co, rep);
        auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        rules = 0;
        for (const auto& rs : config->rulesets) rules += rs.rules.size();
    }
    std::sort(ms.begin(), ms.end());
    std::size_t lines = static_cast<std::size_t>(std::count(text->content.begin(), text->content.end(), '\n'));
    std::printf("%s: %zu lines, %zu rules: load median %.2f ms, min %.2f ms, max %.2f ms (%d runs)\n", cf.c_str(),
                lines, rules, ms[ms.size() / 2], ms.front(), ms.back(), runs);
    return 0;
}

} // namespace cfkit
