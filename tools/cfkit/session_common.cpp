#include "tools/cfkit/session_common.hpp"

#include "tools/cfkit/session_json.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/config/compile.hpp"
#include "engine/names/hostinfo.hpp"
#include "engine/text/render.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/config_input.hpp"

namespace cfkit {

void add_server_options(CLI::App& app, ServerConfigOptions& o, bool& no_interfaces, std::string& switch_spec,
                        const char* dns_from) {
    app.add_option("--cf-dir", o.cf_dir, "sendmail-cf's cf directory, for .mc files")->capture_default_str();
    app.add_option("--hostname", o.hostname, "the server's host name instead of this machine's");
    app.add_option("--hosts-file", o.hosts_file, "hosts file for the server's own names in $=w")->capture_default_str();
    app.add_flag("--no-interfaces", no_interfaces, "do not add this machine's interface addresses to $=w");
    app.add_option("--hosts-switch", switch_spec,
                   std::string("the service switch's hosts line for maps and $[ $] (") + dns_from +
                       " are the DNS; default: the ServiceSwitchFile's, when set)")
        ->capture_default_str();
    app.add_option("--sasldb", o.sasldb, "a Cyrus sasldb2 file: AUTH checks passwords against it (as do `account` lines)");
    app.add_option("--tls-ca", o.tls_ca, "CA certificates (PEM) for STARTTLS's client certificates instead of CACertFile");
}

bool load_server_files(const ServerConfigOptions& o, ServerSetup& setup, const char* who) {
    setup.tls_ca = o.tls_ca;
    std::string error;
    if (!o.tls_ca.empty() && !read_text_file(o.tls_ca, error)) {
        std::fprintf(stderr, "%s: --tls-ca %s\n", who, error.c_str());
        return false;
    }
    if (o.sasldb.empty()) return true;
    if (setup.accounts.open_sasldb(o.sasldb, error)) return true;
    std::fprintf(stderr, "%s: %s: cannot open the sasldb: %s\n", who, o.sasldb.c_str(), error.c_str());
    return false;
}

std::unique_ptr<Config> load_server_config(const ServerConfigOptions& o, const char* who) {
    ProbeOptions po;
    po.hostname = o.hostname;
    po.probe_interfaces = o.probe_interfaces;
    po.hosts_file = o.hosts_file;
    CollectingReporter load;
    std::unique_ptr<Config> config = load_config(o.cf, o.cf_dir, po, load, who);
    if (!config) return nullptr;
    // the daemon would print these at start-up (syslog); they do not stop it
    for (const Diagnostic& d : load.diagnostics) std::fprintf(stderr, "%s\n", sendmail_text(d).c_str());
    return config;
}

bool load_script(const std::string& path, SessionScript& out, const char* who, std::string& messages) {
    std::string text;
    if (path == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        text = ss.str();
    } else {
        std::string error;
        std::optional<std::string> t = read_text_file(path, error);
        if (!t) {
            messages += std::string(who) + ": " + error + "\n";  // (the path and why)
            return false;
        }
        text = std::move(*t);
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    std::vector<Diagnostic> errors;
    if (looks_like_json(text)) {
        JsonScript js;
        std::string error;
        if (!json_session_script(text, js, error)) {
            messages += name + ": " + error + "\n";
            return false;
        }
        if (!parse_session_script(js.text, name, out, errors)) {
            // the messages name the JSON element the line came from
            for (const Diagnostic& d : errors) {
                std::size_t i = static_cast<std::size_t>(d.loc.line > 0 ? d.loc.line - 1 : 0);
                std::string where = i < js.where.size() ? js.where[i] : "steps";
                messages += name + ": " + where + ": " + d.message + "\n";
            }
            return false;
        }
        return true;
    }
    if (!parse_session_script(text, name, out, errors)) {
        for (const Diagnostic& d : errors)
            messages += d.loc.file + ":" + std::to_string(d.loc.line) + ": " + d.message + "\n";
        return false;
    }
    return true;
}

bool load_script(const std::string& path, SessionScript& out, const char* who) {
    std::string messages;
    bool ok = load_script(path, out, who, messages);
    std::fputs(messages.c_str(), stderr);
    return ok;
}

namespace {

std::string tokens_text(const Tokens& t, const MacroNames& names) {
    std::string s;
    for (const std::string& x : t) s += (s.empty() ? "" : " ") + xputs(x, names);
    return s;
}

} // namespace

std::string format_transcript(const Transcript& t, bool replies_only, bool trace, const Config& cfg) {
    std::string out;
    for (const TranscriptEntry& e : t.entries) {
        if (e.skipped) {
            if (!replies_only) out += "   (not sent: the server closed the connection)\n";
            continue;
        }
        if (!replies_only && !e.sent.empty()) out += "C: " + e.sent + "\n";
        for (const std::string& l : e.reply) out += (replies_only ? "" : "S: ") + l + "\n";
        if (!trace) continue;
        for (const CheckRun& c : e.checks) {
            out += "   [" + c.ruleset + "] ";
            if (!c.defined) {
                out += "not defined: passes\n";
                continue;
            }
            out += "input: " + c.input + "\n";
            out += "   [" + c.ruleset + "] result: " + tokens_text(c.result, cfg.env.names) + " => " + c.outcome + "\n";
            if (c.deciding)
                out += "   [" + c.ruleset + "] decided by " + c.deciding->file + ":" + std::to_string(c.deciding->line) +
                       " (ruleset " + c.deciding_ruleset + ", rule " + std::to_string(c.deciding_rule) + ")\n";
            for (const std::string& m : c.messages) out += "   [" + c.ruleset + "] message: " + m + "\n";
        }
    }
    return out;
}

std::string transcript_json(const Transcript& t, const Config& cfg) {
    nlohmann::json steps = nlohmann::json::array();
    for (const TranscriptEntry& e : t.entries) {
        nlohmann::json o;
        o["line"] = e.step->line;
        if (!e.sent.empty()) o["sent"] = e.sent;
        if (e.skipped) o["skipped"] = true;
        o["reply"] = e.reply;
        nlohmann::json checks = nlohmann::json::array();
        for (const CheckRun& c : e.checks) {
            nlohmann::json j{{"ruleset", c.ruleset}, {"defined", c.defined}};
            if (c.defined) {
                j["input"] = c.input;
                nlohmann::json r = nlohmann::json::array();
                for (const std::string& x : c.result) r.push_back(xputs(x, cfg.env.names));
                j["result"] = r;
                j["outcome"] = c.outcome;
                if (c.deciding) {
                    j["decided_by"] = {{"source", c.deciding->file + ":" + std::to_string(c.deciding->line)},
                                       {"ruleset", c.deciding_ruleset},
                                       {"rule", c.deciding_rule}};
                }
                if (!c.messages.empty()) j["messages"] = c.messages;
            }
            checks.push_back(j);
        }
        o["checks"] = checks;
        steps.push_back(o);
    }
    nlohmann::json j{{"steps", steps}};
    if (!t.problems.empty()) j["problems"] = t.problems;
    return j.dump(2) + "\n";
}

} // namespace cfkit
