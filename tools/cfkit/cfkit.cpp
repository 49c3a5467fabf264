// The cfkit program: a table of subcommands (ninja's kTools[] pattern).
// Each subcommand parses its own arguments, calls the library, and prints.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/text/textutil.hpp"
#include "tools/cfkit/commands.hpp"

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(int argc, char** argv);
};

const Command kCommands[] = {
    {"bt", "address test mode, byte-compatible with sendmail -bt", cfkit::cmd_bt},
    {"run", "rewrite one address and show every rule tried (--trace, --json)", cfkit::cmd_run},
    {"session", "dry-run an SMTP session script: the replies sendmail would send", cfkit::cmd_session},
    {"test", "run session cases with expected replies (for CI)", cfkit::cmd_test},
    {"lint", "find the mistakes in a .cf or .mc that sendmail loads without a word", cfkit::cmd_lint},
    {"explain", "show rewriting step by step: each rule tried, what $* took, backtracking, why rules fail", cfkit::cmd_explain},
    {"replay", "replay sendmail's mail log through a config: which verdicts would change", cfkit::cmd_replay},
    {"queue", "the mail queue: list as mailq does, check, and move/quarantine/clean safely", cfkit::cmd_queue},
    {"gen", "generate LOCAL_RULESETS (and their tests) from a HELO and reverse-DNS policy", cfkit::cmd_gen},
    {"bench-load", "time reading a config in one process (median of N runs)", cfkit::cmd_bench_load},
};

void usage(std::FILE* f) {
    std::fprintf(f, "usage: cfkit <command> [options]\n\ncommands:\n");
    for (const Command& c : kCommands) std::fprintf(f, "  %-10s %s\n", c.name, c.summary);
    std::fprintf(f, "\nRun 'cfkit <command> --help' for a command's options.\n");
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        usage(stdout);
        return 0;
    }
    for (const Command& c : kCommands) {
        if (name == c.name) return c.run(argc - 1, argv + 1);
    }
    std::fprintf(stderr, "cfkit: unknown command '%s'", name.c_str());
    const Command* best = nullptr;
    std::size_t best_d = 3;
    for (const Command& c : kCommands) {
        std::size_t d = cfkit::edit_distance(name, c.name);
        if (d < best_d) {
            best = &c;
            best_d = d;
        }
    }
    if (best) std::fprintf(stderr, " (did you mean '%s'?)", best->name);
    std::fprintf(stderr, "\n");
    usage(stderr);
    return 2;
}
