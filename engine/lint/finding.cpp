#include "engine/lint/finding.hpp"

namespace cfkit {

LintFinding make_finding(const std::string& id, const SourceLoc& loc, const std::string& message) {
    const LintCheck* c = find_lint_check(id);
    LintFinding f;
    f.id = id;
    f.diag.severity = c ? c->severity : Severity::Warning;
    f.diag.emit = Emit::Plain;
    f.diag.loc = loc;
    f.diag.message = message;
    if (c) f.hint = c->summary;
    return f;
}

std::vector<std::string> text_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

void read_suppressions(const std::string& line, const std::string& key, SourceLoc loc, int target,
                       std::vector<Suppression>& out) {
    std::size_t p = line.find(key);
    if (p == std::string::npos) return;
    loc.column = static_cast<int>(p) + 1;
    std::size_t b = p + key.size();
    std::size_t e = line.find_first_of(" \t\n", b);
    std::string ids = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
    std::size_t q = 0;
    while (q <= ids.size()) {
        std::size_t c = ids.find(',', q);
        std::string id = ids.substr(q, c == std::string::npos ? std::string::npos : c - q);
        if (!id.empty()) out.push_back({loc, target, id, false});
        if (c == std::string::npos) break;
        q = c + 1;
    }
}

void apply_suppressions(std::vector<LintFinding>& findings, std::vector<Suppression>& sups, const LintOptions& options) {
    std::vector<LintFinding> kept;
    for (LintFinding& f : findings) {
        bool hidden = false;
        for (Suppression& s : sups)
            if (s.id == f.id && s.target == f.diag.loc.line && s.loc.file == f.diag.loc.file) hidden = s.used = true;
        if (!hidden) kept.push_back(std::move(f));
    }
    for (const Suppression& s : sups) {
        if (s.used || options.disabled.count("unused-suppression")) continue;
        std::string why = find_lint_check(s.id) ? "no " + s.id + " finding on this line" : "no check is named " + s.id;
        kept.push_back(make_finding("unused-suppression", s.loc,
                                    "cfkit-lint: disable=" + s.id + " suppresses nothing: " + why));
    }
    findings = std::move(kept);
}

} // namespace cfkit
