// cfkit test: session cases with expected replies, for CI. Exit 0 when all
// pass, 1 when any fails, 2 for unusable input.
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <sys/stat.h>

#include <algorithm>

#include <CLI/CLI.hpp>

#include "engine/rewrite/memo.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/dns_input.hpp"
#include "tools/cfkit/session_common.hpp"

namespace cfkit {

namespace {

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

// Files named on the command line, and in directories *.case and *.session
// (and their JSON forms, *.case.json and *.session.json).
bool collect_cases(const std::vector<std::string>& args, std::vector<std::string>& out) {
    for (const std::string& a : args) {
        struct stat st {};
        if (stat(a.c_str(), &st) != 0) {
            std::fprintf(stderr, "cfkit test: %s: no such file or directory\n", a.c_str());
            return false;
        }
        if (!S_ISDIR(st.st_mode)) {
            out.push_back(a);
            continue;
        }
        std::vector<std::string> found;
        if (DIR* d = opendir(a.c_str())) {
            while (dirent* e = readdir(d)) {
                std::string n = e->d_name;
                auto ends = [&](const char* suf) {
                    std::string s(suf);
                    return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
                };
                if (ends(".case") || ends(".session") || ends(".case.json") || ends(".session.json"))
                    found.push_back(a + "/" + n);
            }
            closedir(d);
        }
        std::sort(found.begin(), found.end());
        if (found.empty()) {
            std::fprintf(stderr, "cfkit test: %s: no .case or .session files in it\n", a.c_str());
            return false;
        }
        out.insert(out.end(), found.begin(), found.end());
    }
    return true;
}

} // namespace

int cmd_test(int argc, char** argv) {
    CLI::App app{"Run session cases against a config and check every expected reply."};
    app.name("cfkit test");
    ServerConfigOptions o;
    o.cf_dir = kDefaultCfDir;
    std::vector<std::string> cases;
    std::string junit;
    bool no_interfaces = false, verbose = false, no_memo = false;
    std::string switch_spec = "files dns";
    app.add_option("config", o.cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("cases", cases, "case files (session scripts with `expect` lines) or directories")->required();
    add_server_options(app, o, no_interfaces, switch_spec, "the cases' dns lines");
    app.add_option("--junit", junit, "also write a JUnit XML report to this file");
    app.add_flag("-v,--verbose", verbose, "print the transcript of failing cases");
    app.add_flag("--no-memo", no_memo, "work out every ruleset run afresh (slower; the results are the same)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    o.probe_interfaces = !no_interfaces;
    std::vector<std::string> files;
    if (!collect_cases(cases, files)) return 2;
    std::vector<SessionScript> scripts(files.size());
    bool unusable = false;
    for (std::size_t i = 0; i < files.size(); ++i)
        if (!load_script(files[i], scripts[i], "cfkit test")) unusable = true;
    if (unusable) return 2;
    std::unique_ptr<Config> config = load_server_config(o, "cfkit test");
    if (!config) return 2;

    int passed = 0, failed = 0;
    std::string xml;
    const std::vector<std::string> services = hosts_switch_for(*config, app.count("--hosts-switch") > 0, switch_spec);
    RewriteMemo memo(*config);
    for (std::size_t i = 0; i < files.size(); ++i) {
        const SessionScript& s = scripts[i];
        ServerSetup setup;
        setup.hosts_switch = services;
        if (!no_memo) setup.memo = &memo;
        if (!load_server_files(o, setup, "cfkit test")) return 2;
        Transcript t = run_session(*config, s, setup);
        std::vector<ExpectFailure> fails = check_expectations(t);
        std::size_t nexpect = 0;
        for (const ScriptStep& st : s.steps) nexpect += st.expect.size();
        std::string detail;
        for (const std::string& p : t.problems) detail += "  " + p + "\n";
        for (const ExpectFailure& f : fails) {
            detail += "  " + files[i] + ":" + std::to_string(f.line) + ": step at line " + std::to_string(f.step_line) + "\n";
            detail += "  - " + f.wanted + "\n";
            std::string got = f.got;
            std::size_t p = 0;
            while ((p = got.find('\n', p)) != std::string::npos) got.replace(p, 1, "\n  + "), p += 5;
            detail += "  + " + got + "\n";
        }
        if (nexpect == 0) detail += "  " + files[i] + ": no `expect` lines: nothing is checked\n";
        bool ok = detail.empty();
        if (ok) {
            ++passed;
            std::printf("ok   %s (%zu checks)\n", files[i].c_str(), nexpect);
        } else {
            ++failed;
            std::printf("FAIL %s\n%s", files[i].c_str(), detail.c_str());
            if (verbose) std::printf("%s", format_transcript(t, false, true, *config).c_str());
        }
        xml += "  <testcase classname=\"cfkit.session\" name=\"" + xml_escape(files[i]) + "\"";
        if (ok) xml += "/>\n";
        else xml += ">\n    <failure message=\"expected replies differ\">" + xml_escape(detail) + "</failure>\n  </testcase>\n";
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    if (!junit.empty()) {
        std::ofstream out(junit);
        if (!out) {
            std::fprintf(stderr, "cfkit test: %s: cannot write the JUnit report\n", junit.c_str());
            return 2;
        }
        out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"cfkit test\" tests=\""
            << files.size() << "\" failures=\"" << failed << "\">\n" << xml << "</testsuite>\n";
    }
    return failed ? 1 : 0;
}

} // namespace cfkit
