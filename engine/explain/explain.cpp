// explain_input_json() and explain_input_text(): each input line goes to a
// TestMode, as `cfkit bt` would give it; for a ruleset line a TraceRecorder
// watches the interpreter, and every rule tried is matched again by the
// recording matcher (explain_matcher.hpp) to tell what each operator took,
// how often it backtracked, or where it stopped.
#include "engine/explain/explain.hpp"

#include <cstdio>

#include "engine/explain/explain_matcher.hpp"
#include "engine/rewrite/trace.hpp"
#include "engine/testmode/testmode.hpp"
#include "engine/text/json_text.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"

namespace cfkit {

namespace {

// ---- the explanation as data ----------------------------------------------

struct Run;

struct Attempt {
    int rule = 0;
    SourceLoc loc;
    Tokens lhs, rhs, input, output;
    bool matched = false, rewritten = false;
    std::vector<Tokens> bindings;
    MatchStory story;
    std::vector<int> calls;  // runs of $> in its RHS (indices)
};

struct Run {
    int ruleset = -1;
    std::string name;
    Tokens input, result;
    std::vector<Attempt> attempts;
    std::string ended;
};

struct LineExplanation {
    std::string line, kind, output;
    Tokens tokens;
    std::vector<Run> runs;  // every run; the top-level ones listed in `top`
    std::vector<int> top;
};

// The display form of a token: `$*`, `$=w`, `$#` as written in a .cf.
std::string shown(const std::string& tok, const MacroNames& names) { return xputs(tok, names); }

std::vector<std::string> shown_all(const Tokens& t, const MacroNames& names) {
    std::vector<std::string> out;
    for (const std::string& s : t) out.push_back(shown(s, names));
    return out;
}

std::string joined(const Tokens& t, const MacroNames& names, std::size_t first = 0, std::size_t end = std::string::npos) {
    std::string s;
    end = std::min(end, t.size());
    for (std::size_t i = first; i < end; ++i) s += (i > first ? " " : "") + shown(t[i], names);
    return s;
}

// Why a rule did not match, in words.
std::string why_not(const Attempt& a, const MacroNames& names) {
    const MatchStory& st = a.story;
    const int n = static_cast<int>(a.input.size());
    const int e = st.fail_element, t = st.fail_token;
    std::string where = t < n ? "\"" + shown(a.input[static_cast<std::size_t>(t)], names) + "\" (token " +
                                    std::to_string(t + 1) + ")"
                              : "the end of the input";
    std::string after = st.backtracks ? " after " + std::to_string(st.backtracks) + " backtrack" +
                                            (st.backtracks == 1 ? "" : "s")
                                      : std::string();
    if (e < 0) return "no match" + after;
    if (e >= static_cast<int>(a.lhs.size()))
        return "the pattern ended with tokens left: " + joined(a.input, names, static_cast<std::size_t>(t)) + after;
    const std::string& p = a.lhs[static_cast<std::size_t>(e)];
    const unsigned char f = meta::first(p);
    const std::string el = shown(p, names);
    if (t >= n) return "\"" + el + "\" expected, but the tokens ran out" + after;
    switch (f) {
    case meta::MATCHCLASS: return el + ": no member of the class starts at " + where + after;
    case meta::MATCHNCLASS: return el + ": " + where + " is in the class" + after;
    case meta::MACRODEXPAND: return el + ": the macro's value differs at " + where + after;
    default: return "\"" + el + "\" expected at " + where + after;
    }
}

std::string ended_text(const Run& r, const MacroNames& names) {
    for (auto it = r.attempts.rbegin(); it != r.attempts.rend(); ++it) {
        if (!it->matched || !it->rewritten) continue;
        if (!it->output.empty() && meta::first(it->output[0]) == meta::CANONNET)
            return "rule " + std::to_string(it->rule) + " resolved it ($#): rewriting stops";
        if (!it->rhs.empty() && meta::first(it->rhs[0]) == meta::CANONHOST)
            return "rule " + std::to_string(it->rule) + " returned ($@)";
        break;
    }
    (void)names;
    return "end of the rules";
}

// Builds the runs from a trace: a ruleset entered while a rule's RHS is
// being built ($>) belongs to that rule.
void build(LineExplanation& x, const std::vector<TraceEvent>& events, Session& s) {
    const Config& cfg = s.config();
    std::vector<int> stack;
    const MatchEnv env{s.env.classes, s.env.macros, s.tables().internal, cfg.options.blank_sub};
    for (const TraceEvent& e : events) {
        Run* cur = stack.empty() ? nullptr : &x.runs[static_cast<std::size_t>(stack.back())];
        switch (e.kind) {
        case TraceEvent::Kind::Enter: {
            Run r;
            r.ruleset = e.ruleset;
            r.name = e.ruleset_name;
            r.input = e.workspace;
            const int idx = static_cast<int>(x.runs.size());
            if (cur && !cur->attempts.empty() && cur->attempts.back().matched && !cur->attempts.back().rewritten)
                cur->attempts.back().calls.push_back(idx);
            else if (!cur)
                x.top.push_back(idx);
            if (x.tokens.empty() && !cur) x.tokens = e.workspace;
            x.runs.push_back(std::move(r));
            stack.push_back(idx);
            break;
        }
        case TraceEvent::Kind::Return:
            if (cur) {
                cur->result = e.workspace;
                cur->ended = ended_text(*cur, cfg.env.names);
                stack.pop_back();
            }
            break;
        case TraceEvent::Kind::Try:
            if (cur) {
                Attempt a;
                a.rule = e.rule;
                a.loc = e.loc;
                a.lhs = e.lhs;
                a.rhs = e.rhs;
                a.input = e.workspace;
                a.story = explain_match(a.lhs, a.input, env);
                cur->attempts.push_back(std::move(a));
            }
            break;
        case TraceEvent::Kind::Match:
            if (cur && !cur->attempts.empty()) {
                cur->attempts.back().matched = true;
                cur->attempts.back().bindings = e.bindings;
            }
            break;
        case TraceEvent::Kind::Fail:
            if (cur && !cur->attempts.empty()) cur->attempts.back().matched = false;
            break;
        case TraceEvent::Kind::Rewritten:
            if (cur && !cur->attempts.empty()) {
                cur->attempts.back().output = e.workspace;
                cur->attempts.back().rewritten = true;
            }
            break;
        case TraceEvent::Kind::Message: break;
        }
    }
}

enum class Kind { Comment, Command, Explain };

Kind kind_of(const std::string& raw) {
    std::size_t p = 0;
    while (p < raw.size() && raw[p] == ' ') ++p;
    if (p == raw.size() || raw[p] == '#') return Kind::Comment;
    switch (raw[p]) {
    case '?': case '.': case '=': case '-': case '$': case '/': return Kind::Command;
    default: return Kind::Explain;
    }
}

std::vector<LineExplanation> explain_all(const Config& cfg, const std::string& input, bool* undefined) {
    std::vector<LineExplanation> out;
    std::string text;
    TextReporter rep;
    rep.out = &text;
    TestMode tm(cfg, rep);
    std::size_t p = 0;
    while (p <= input.size()) {
        std::size_t nl = input.find('\n', p);
        if (nl == std::string::npos) nl = input.size();
        std::string line = input.substr(p, nl - p);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        p = nl + 1;
        if (line.empty() && p > input.size()) break;
        LineExplanation x;
        x.line = line;
        const Kind k = kind_of(line);
        x.kind = k == Kind::Comment ? "comment" : k == Kind::Command ? "command" : "explain";
        text.clear();
        TraceRecorder rec;
        if (k == Kind::Explain) tm.watcher = &rec;
        const bool go_on = tm.line(line);
        tm.watcher = nullptr;
        x.output = text;
        if (k == Kind::Explain) build(x, rec.events, tm.session());
        if (undefined && k == Kind::Explain && x.output.find("Undefined ruleset ") != std::string::npos) *undefined = true;
        out.push_back(std::move(x));
        if (!go_on) break;
    }
    return out;
}

// ---- JSON ------------------------------------------------------------------

// (tokens may hold any byte: what is not UTF-8 becomes \u00XX)
void json_string(std::string& o, const std::string& s) { append_json_string(o, s); }

void json_strings(std::string& o, const std::vector<std::string>& v) {
    o += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) o += ',';
        json_string(o, v[i]);
    }
    o += ']';
}

void json_run(std::string& o, const LineExplanation& x, const Run& r, const MacroNames& names);

void json_attempt(std::string& o, const LineExplanation& x, const Attempt& a, const MacroNames& names) {
    o += "{\"rule\":" + std::to_string(a.rule) + ",\"file\":";
    json_string(o, a.loc.file);
    o += ",\"line\":" + std::to_string(a.loc.line) + ",\"lhs\":";
    json_strings(o, shown_all(a.lhs, names));
    o += ",\"rhs\":";
    json_strings(o, shown_all(a.rhs, names));
    o += ",\"input\":";
    json_strings(o, shown_all(a.input, names));
    o += std::string(",\"matched\":") + (a.matched ? "true" : "false");
    o += ",\"backtracks\":" + std::to_string(a.story.backtracks) + ",\"steps\":[";
    for (std::size_t i = 0; i < a.story.steps.size(); ++i) {
        const MatchStep& st = a.story.steps[i];
        o += (i ? "," : "") + std::string("{\"element\":") + std::to_string(st.element) +
             ",\"from\":" + std::to_string(st.first) + ",\"to\":" + std::to_string(st.last) +
             ",\"widened\":" + (st.widened ? "true" : "false") + "}";
    }
    o += "]";
    if (a.matched && a.story.matched) {
        o += ",\"spans\":[";
        for (std::size_t i = 0; i < a.story.spans.size(); ++i) {
            const MatchRecord& m = a.story.spans[i];
            o += i ? "," : "";
            o += "{\"element\":" + std::to_string(m.pattern) + ",\"text\":";
            json_string(o, shown(a.lhs[static_cast<std::size_t>(m.pattern)], names));
            o += ",\"from\":" + std::to_string(m.first) + ",\"to\":" + std::to_string(m.last) + ",\"tokens\":";
            Tokens span(a.input.begin() + m.first, a.input.begin() + (m.last + 1));
            json_strings(o, shown_all(span, names));
            o += "}";
        }
        o += "],\"bindings\":[";
        for (std::size_t i = 0; i < a.bindings.size(); ++i) {
            o += i ? "," : "";
            json_string(o, joined(a.bindings[i], names));
        }
        o += "]";
    }
    if (!a.matched) {
        o += ",\"why\":";
        json_string(o, why_not(a, names));
    }
    if (a.rewritten) {
        o += ",\"output\":";
        json_strings(o, shown_all(a.output, names));
    }
    o += ",\"calls\":[";
    for (std::size_t i = 0; i < a.calls.size(); ++i) {
        o += i ? "," : "";
        json_run(o, x, x.runs[static_cast<std::size_t>(a.calls[i])], names);
    }
    o += "]}";
}

void json_run(std::string& o, const LineExplanation& x, const Run& r, const MacroNames& names) {
    o += "{\"ruleset\":" + std::to_string(r.ruleset) + ",\"name\":";
    json_string(o, r.name);
    o += ",\"input\":";
    json_strings(o, shown_all(r.input, names));
    o += ",\"result\":";
    json_strings(o, shown_all(r.result, names));
    o += ",\"ended\":";
    json_string(o, r.ended);
    o += ",\"rules\":[";
    for (std::size_t i = 0; i < r.attempts.size(); ++i) {
        o += i ? "," : "";
        json_attempt(o, x, r.attempts[i], names);
    }
    o += "]}";
}

// ---- text ------------------------------------------------------------------

struct Paint {
    bool on;
    bool steps = false;  // (not paint, but how much to show: rides along)
    std::string operator()(const char* code, const std::string& s) const {
        return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
    }
};

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

// The LHS under the tokens: one column per LHS element, its span above it.
void aligned(std::string& o, const Attempt& a, const MacroNames& names, const std::string& indent, const Paint& paint) {
    std::string top, bottom;
    for (const MatchRecord& m : a.story.spans) {
        const std::string el = shown(a.lhs[static_cast<std::size_t>(m.pattern)], names);
        std::string span = m.last < m.first ? std::string("(none)") : joined(a.input, names, static_cast<std::size_t>(m.first),
                                                                                   static_cast<std::size_t>(m.last) + 1);
        const std::size_t w = std::max(el.size(), span.size()) + 2;
        top += paint("36", pad(span, w));
        bottom += pad(el, w);
    }
    while (!top.empty() && top.back() == ' ') top.pop_back();
    while (!bottom.empty() && bottom.back() == ' ') bottom.pop_back();
    o += indent + top + "\n" + indent + bottom + "\n";
}

void text_run(std::string& o, const LineExplanation& x, const Run& r, const MacroNames& names, const std::string& indent,
              const Paint& paint);

// Every span the wildcards tried, in order: "$* (1) tries: joe @" ...
void steps_text(std::string& o, const Attempt& a, const MacroNames& names, const std::string& indent) {
    for (const MatchStep& st : a.story.steps) {
        const std::string el = shown(a.lhs[static_cast<std::size_t>(st.element)], names);
        const std::string span = st.last < st.first ? std::string("(none)")
                                                    : joined(a.input, names, static_cast<std::size_t>(st.first),
                                                             static_cast<std::size_t>(st.last) + 1);
        o += indent + "  " + (st.widened ? "widen " : "try   ") + el + " (element " + std::to_string(st.element + 1) +
             ") = " + span + "\n";
    }
    if (a.story.step_count > static_cast<int>(a.story.steps.size()))
        o += indent + "  ... " + std::to_string(a.story.step_count - static_cast<int>(a.story.steps.size())) +
             " more\n";
}

void text_attempt(std::string& o, const LineExplanation& x, const Attempt& a, bool again, const MacroNames& names,
                  const std::string& indent, const Paint& paint) {
    std::string head = indent + "rule " + std::to_string(a.rule);
    if (again) head += " (again)";  // a rule that matched is tried once more
    else if (a.loc.line) head += " (line " + std::to_string(a.loc.line) + ")";
    head = pad(head + "  ", indent.size() + 18) + joined(a.lhs, names);
    if (!a.matched) {
        o += paint("2", head) + "\n" + indent + "    " + paint("31", "no: " + why_not(a, names)) + "\n";
        if (paint.steps) steps_text(o, a, names, indent + "    ");
        return;
    }
    o += head + "\n" + indent + "    " + paint("32", "matched") +
         (a.story.backtracks ? " (after " + std::to_string(a.story.backtracks) + " backtrack" +
                                   (a.story.backtracks == 1 ? "" : "s") + ")"
                             : std::string()) +
         "\n";
    if (a.story.matched) aligned(o, a, names, indent + "      ", paint);
    if (paint.steps) steps_text(o, a, names, indent + "    ");
    for (std::size_t i = 0; i < a.bindings.size(); ++i)
        o += indent + "    $" + std::to_string(i + 1) + " = " +
             (a.bindings[i].empty() ? std::string("(empty)") : joined(a.bindings[i], names)) + "\n";
    o += indent + "    RHS " + joined(a.rhs, names) + "\n";
    for (int c : a.calls) text_run(o, x, x.runs[static_cast<std::size_t>(c)], names, indent + "      ", paint);
    if (a.rewritten) o += indent + "    -> " + paint("36", joined(a.output, names)) + "\n";
}

void text_run(std::string& o, const LineExplanation& x, const Run& r, const MacroNames& names, const std::string& indent,
              const Paint& paint) {
    std::string title = "ruleset " + std::to_string(r.ruleset);
    if (!r.name.empty() && r.name != std::to_string(r.ruleset)) title += " (" + r.name + ")";
    o += indent + paint("1", title) + "  input: " + paint("36", joined(r.input, names)) + "\n";
    for (std::size_t i = 0; i < r.attempts.size(); ++i) {
        const Attempt& a = r.attempts[i];
        const bool again = i > 0 && r.attempts[i - 1].rule == a.rule && r.attempts[i - 1].matched;
        text_attempt(o, x, a, again, names, indent + "  ", paint);
    }
    o += indent + "returns: " + paint("36", joined(r.result, names)) + "   [" + r.ended + "]\n";
}

}  // namespace

std::string explain_input_json(const Config& cfg, const std::string& input_lines, bool* undefined) {
    std::string o = "[";
    const std::vector<LineExplanation> all = explain_all(cfg, input_lines, undefined);
    for (std::size_t i = 0; i < all.size(); ++i) {
        const LineExplanation& x = all[i];
        o += i ? "," : "";
        o += "{\"line\":";
        json_string(o, x.line);
        o += ",\"kind\":\"" + x.kind + "\",\"output\":";
        json_string(o, x.output);
        if (x.kind == "explain") {
            o += ",\"tokens\":";
            json_strings(o, shown_all(x.tokens, cfg.env.names));
            o += ",\"runs\":[";
            for (std::size_t k = 0; k < x.top.size(); ++k) {
                o += k ? "," : "";
                json_run(o, x, x.runs[static_cast<std::size_t>(x.top[k])], cfg.env.names);
            }
            o += "]";
        }
        o += "}";
    }
    return o + "]";
}

std::string explain_input_text(const Config& cfg, const std::string& input_lines, bool color, bool* undefined,
                               bool steps) {
    const Paint paint{color, steps};
    std::string o;
    for (const LineExplanation& x : explain_all(cfg, input_lines, undefined)) {
        if (x.kind == "comment") continue;
        o += paint("1", "> " + x.line) + "\n";
        if (x.kind == "command") {
            o += x.output;
            continue;
        }
        std::string toks;
        for (const std::string& t : x.tokens) toks += (toks.empty() ? "" : " ") + ("\"" + shown(t, cfg.env.names) + "\"");
        o += "tokens: " + toks + "\n";
        for (int t : x.top) text_run(o, x, x.runs[static_cast<std::size_t>(t)], cfg.env.names, "", paint);
        // what else sendmail -bt prints for the line (messages, errors):
        // its lines other than the "NAME input:"/"returns:" traces
        std::string said;
        for (std::size_t p = 0; p < x.output.size();) {
            std::size_t nl = x.output.find('\n', p);
            if (nl == std::string::npos) nl = x.output.size();
            const std::string l = x.output.substr(p, nl - p);
            p = nl + 1;
            const std::size_t sp = l.find(' ');
            const std::size_t word = sp == std::string::npos ? sp : l.find_first_not_of(' ', sp);
            const bool trace = word != std::string::npos &&
                               (l.compare(word, 6, "input:") == 0 || l.compare(word, 8, "returns:") == 0);
            if (!trace && !l.empty()) said += "  " + l + "\n";
        }
        if (!said.empty()) o += "sendmail -bt also says:\n" + said;
        o += "\n";
    }
    return o;
}

}  // namespace cfkit
