// cfkit lint: a .cf (or a .mc, expanded first) checked for the mistakes
// that load fine; findings as text with the line and a caret, as JSON, as
// SARIF or as GitHub workflow annotations.
#include <cstdint>
#include <cstdio>
#include <map>
#include <tuple>
#include <algorithm>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/config/compile.hpp"
#include "engine/lint/finding.hpp"
#include "engine/lint/lint.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/source_diagnostics.hpp"

namespace cfkit {

namespace {

const char* kWho = "cfkit lint";

const char* level_word(Severity s) {
    return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

int rank(Severity s) { return s == Severity::Error ? 2 : s == Severity::Warning ? 1 : 0; }

// The text of each file findings point into: the .cf (or a .mc's m4 output)
// and the .mc itself.
using Sources = std::map<std::string, std::string>;

const std::string& source_of(const Sources& src, const std::string& file) {
    static const std::string none;
    auto it = src.find(file);
    return it == src.end() ? none : it->second;
}

std::string text_report(const std::vector<LintFinding>& fs, const Sources& src) {
    std::string out;
    for (const LintFinding& f : fs) {
        Diagnostic d = f.diag;
        d.message += " [" + f.id + "]";
        if (d.loc.line > 0) out += with_source_line(d, source_of(src, d.loc.file));
        else out += d.loc.file + ": " + level_word(d.severity) + ": " + d.message + "\n";  // the file as a whole
        if (!f.evidence.empty()) out += "  evidence: " + f.evidence + "\n";
    }
    return out;
}

nlohmann::json json_report(const std::vector<LintFinding>& fs) {
    nlohmann::json a = nlohmann::json::array();
    for (const LintFinding& f : fs) {
        a.push_back({{"id", f.id},
                     {"severity", level_word(f.diag.severity)},
                     {"file", f.diag.loc.file},
                     {"line", f.diag.loc.line},
                     {"column", f.diag.loc.column},
                     {"message", f.diag.message},
                     {"hint", f.hint}});
        if (!f.evidence.empty()) a.back()["evidence"] = f.evidence;
    }
    return a;
}

// The source line a finding points at, for fingerprints that survive
// lines moving up or down.
std::string line_text(const std::string& source, int line) {
    std::size_t start = 0;
    for (int n = 1; n < line && start != std::string::npos; ++n) {
        start = source.find('\n', start);
        if (start != std::string::npos) ++start;
    }
    if (line <= 0 || start == std::string::npos) return std::string();
    return source.substr(start, source.find('\n', start) - start);
}

nlohmann::json sarif_report(const std::vector<LintFinding>& fs, const Sources& src) {
    nlohmann::json rules = nlohmann::json::array();
    for (const LintCheck& c : lint_checks())
        rules.push_back({{"id", c.id},
                         {"shortDescription", {{"text", c.summary}}},
                         {"help", {{"text", c.help}}},
                         {"defaultConfiguration", {{"level", level_word(c.severity)}}}});
    nlohmann::json results = nlohmann::json::array();
    for (const LintFinding& f : fs) {
        // FNV-1a of the check, the message and the line's text: the same
        // finding keeps its fingerprint when lines move
        std::uint64_t h = 1469598103934665603ULL;
        for (unsigned char c : f.id + "\n" + f.diag.message + "\n" + line_text(source_of(src, f.diag.loc.file), f.diag.loc.line)) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        char fp[17];
        std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(h));
        nlohmann::json region = {{"startLine", std::max(1, f.diag.loc.line)}};
        if (f.diag.loc.column > 0) region["startColumn"] = f.diag.loc.column;
        results.push_back({{"ruleId", f.id},
                           {"level", level_word(f.diag.severity)},
                           {"message", {{"text", f.diag.message}}},
                           {"locations",
                            {{{"physicalLocation",
                               {{"artifactLocation", {{"uri", f.diag.loc.file}}}, {"region", region}}}}}},
                           {"partialFingerprints", {{"cfkitFinding/v1", fp}}}});
    }
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs",
             {{{"tool", {{"driver", {{"name", "cfkit lint"}, {"informationUri", "https://example.invalid/cfkit"}, {"rules", rules}}}}},
               {"results", results}}}}};
}

// GitHub shows at most 10 annotations of each level: the rest are counted
// in one more annotation, and every finding is also printed as text.
std::string github_report(const std::vector<LintFinding>& fs, const Sources& src) {
    std::string out;
    std::map<std::string, int> shown, hidden;
    for (const LintFinding& f : fs) {
        std::string level = level_word(f.diag.severity);
        if (level == "note") level = "notice";
        if (shown[level] >= 10) {
            ++hidden[level];
            continue;
        }
        ++shown[level];
        out += "::" + level + " file=" + f.diag.loc.file + ",line=" + std::to_string(std::max(1, f.diag.loc.line)) +
               ",col=" + std::to_string(std::max(1, f.diag.loc.column)) + ",title=" + f.id + "::" + f.diag.message + "\n";
    }
    for (const auto& [level, n] : hidden)
        out += "::" + level + "::" + std::to_string(n) + " more " + level + (n == 1 ? "" : "s") +
               " than GitHub shows; all findings are in the log below\n";
    return out + text_report(fs, src);
}

// Lines m4 copied from the .mc unchanged (LOCAL_RULESETS, LOCAL_CONFIG ...)
// are the user's: a finding on one points at the .mc's line when that text
// is there exactly once.
void point_into_mc(std::vector<LintFinding>& fs, const std::string& shown, const std::string& cf,
                   const std::string& mc_path, const std::string& mc) {
    std::map<std::string, int> where;  // line text -> .mc line, 0 if not unique
    int n = 0;
    for (const std::string& l : text_lines(mc)) {
        ++n;
        if (l.find_first_not_of(" \t") == std::string::npos) continue;
        auto [it, fresh] = where.emplace(l, n);
        if (!fresh) it->second = 0;
    }
    for (LintFinding& f : fs) {
        if (f.diag.loc.file != shown || f.diag.loc.line <= 0) continue;
        auto it = where.find(line_text(cf, f.diag.loc.line));
        if (it == where.end() || it->second == 0) continue;
        f.diag.loc.file = mc_path;
        f.diag.loc.line = it->second;
    }
    std::stable_sort(fs.begin(), fs.end(), [&](const LintFinding& a, const LintFinding& b) {
        return std::make_tuple(a.diag.loc.file != mc_path, a.diag.loc.line, a.diag.loc.column) <
               std::make_tuple(b.diag.loc.file != mc_path, b.diag.loc.line, b.diag.loc.column);
    });
}

} // namespace

int cmd_lint(int argc, char** argv) {
    CLI::App app{"Check a .cf (or .mc) for the mistakes sendmail loads without a word."};
    app.name("cfkit lint");
    std::string path, cf_dir = kDefaultCfDir, format = "text", fail_on = "error";
    std::vector<std::string> disabled;
    bool list = false, opts_explain = false;
    std::optional<std::string> hostname;
    app.add_option("config", path, "the .cf file, or a .mc (expanded with m4 and sendmail-cf)");
    app.add_option("--cf-dir", cf_dir, "sendmail-cf's cf directory, for .mc files")->capture_default_str();
    app.add_option("--format", format, "text, json, sarif or github (workflow annotations)")
        ->check(CLI::IsMember({"text", "json", "sarif", "github"}))
        ->capture_default_str();
    app.add_option("--fail-on", fail_on, "exit 1 when a finding is at least this bad: error, warning or none")
        ->check(CLI::IsMember({"error", "warning", "none"}))
        ->capture_default_str();
    app.add_option("--disable", disabled, "turn a check off (repeatable; see --list-checks)");
    app.add_option("--hostname", hostname, "the host name the config is read with (default mail.example.com)");
    app.add_flag("--list-checks", list, "print every check's id, level and summary");
    app.add_flag("--explain", opts_explain, "run the rules behind loops, unreachable rules and unknown rulesets on a "
                                            "sample address and show what sendmail says (evidence)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (list) {
        for (const LintCheck& c : lint_checks())
            std::printf("%-20s %-8s %s\n", c.id, level_word(c.severity), c.summary);
        return 0;
    }
    if (path.empty()) {
        std::fprintf(stderr, "%s: no configuration given (cfkit lint FILE.cf|FILE.mc)\n", kWho);
        return 2;
    }
    LintOptions opts;
    opts.explain = opts_explain;
    for (const std::string& id : disabled) {
        if (!find_lint_check(id)) {
            std::fprintf(stderr, "%s: --disable %s: no such check (cfkit lint --list-checks)\n", kWho, id.c_str());
            return 2;
        }
        opts.disabled.insert(id);
    }
    std::string error;
    std::optional<ConfigText> text = read_config(path, cf_dir, error);
    if (!text) {
        // m4 failed on a .mc: its own hazards often say why
        std::string ignored;
        std::optional<std::string> mc = path.size() > 3 && path.compare(path.size() - 3, 3, ".mc") == 0
                                            ? read_text_file(path, ignored)
                                            : std::nullopt;
        if (mc) std::fputs(text_report(lint_mc(path, *mc, opts), Sources{{path, *mc}}).c_str(), stdout);
        std::fprintf(stderr, "%s: %s\n", kWho, error.c_str());
        return 2;
    }
    // a .mc's findings point into its m4 output (named so): cfkit does not
    // yet map them back to the .mc's lines
    const std::string shown = text->from_mc ? path + " (m4 output)" : path;
    CompileOptions co;
    ProbeOptions po;
    po.hostname = hostname ? *hostname : std::string("mail.example.com");
    po.probe_interfaces = false;
    co.host = probe_host(po);
    co.display_path = shown;
    co.test_mode = false;
    CollectingReporter load;
    CfFile ast = parse_cf(text->content, shown);
    std::unique_ptr<Config> cfg = compile_cf(ast, co, load);
    std::vector<LintFinding> found;
    Sources src{{shown, text->content}};
    if (text->from_mc) {
        std::optional<std::string> mc = read_text_file(path, error);
        if (mc) {
            found = lint_mc(path, *mc, opts);
            src[path] = *mc;
        }
    }
    for (LintFinding& f : lint_config(ast, *cfg, load.diagnostics, opts)) found.push_back(std::move(f));
    if (text->from_mc && src.count(path)) {
        point_into_mc(found, shown, text->content, path, src[path]);
        apply_mc_suppressions(found, path, src[path], opts);
    }
    // messages may quote 8-bit bytes of the file: not UTF-8, replaced in JSON
    const auto utf8 = nlohmann::json::error_handler_t::replace;
    if (format == "json") std::printf("%s\n", json_report(found).dump(2, ' ', false, utf8).c_str());
    else if (format == "sarif") std::printf("%s\n", sarif_report(found, src).dump(2, ' ', false, utf8).c_str());
    else if (format == "github") std::fputs(github_report(found, src).c_str(), stdout);
    else std::fputs(text_report(found, src).c_str(), stdout);
    if (fail_on == "none") return 0;
    const int bar = fail_on == "warning" ? 1 : 2;
    for (const LintFinding& f : found)
        if (rank(f.diag.severity) >= bar) return 1;
    return 0;
}

} // namespace cfkit
