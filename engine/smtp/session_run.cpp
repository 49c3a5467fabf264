#include "engine/smtp/session_run.hpp"

#include <regex>

#include "engine/smtp/sasl.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {

// A script's `auth USER MECH [PASSWORD]`: the exchange a client runs (the
// replies of every line it sends), or without accounts the bare success.
SmtpReply run_auth(SmtpServer& server, const ScriptStep& st, std::string& sent) {
    const std::string& user = st.words[1];
    const std::string& mech = st.words[2];
    sent = "AUTH " + mech;
    if (!server.checks_auth()) return server.authenticate(user, mech);
    const bool pw = st.words.size() > 3;
    std::string upper = ascii_upper(mech);
    if (upper == "PLAIN" && pw) {
        sent += " " + base64_encode(std::string(1, '\0') + user + '\0' + st.words[3]);
        return server.command(sent);
    }
    SmtpReply r = server.command(sent);
    if (upper != "LOGIN" || !pw) return r;
    for (const std::string& answer : {user, st.words[3]}) {
        if (r.lines.empty() || r.lines.back().compare(0, 4, "334 ") != 0) break;
        SmtpReply next = server.command(base64_encode(answer));
        r.lines.insert(r.lines.end(), next.lines.begin(), next.lines.end());
        r.checks.insert(r.checks.end(), next.checks.begin(), next.checks.end());
    }
    return r;
}

} // namespace

Transcript run_session(const Config& cfg, const SessionScript& script, ServerSetup setup) {
    setup.dns = script.dns;
    for (const auto& [user, password] : script.accounts) setup.accounts.add(user, password);
    SmtpServer server(cfg, std::move(setup));
    Transcript t;
    CollectingReporter sink;
    for (std::size_t i = 0; i < script.steps.size(); ++i) {
        const ScriptStep& st = script.steps[i];
        TranscriptEntry e;
        e.step = &st;
        if (server.closed() && st.kind != ScriptStep::Kind::Macro && st.kind != ScriptStep::Kind::Class &&
            st.kind != ScriptStep::Kind::Map) {
            e.skipped = true;
            t.entries.push_back(std::move(e));
            continue;
        }
        SmtpReply r;
        switch (st.kind) {
        case ScriptStep::Kind::Connect: {
            ClientInfo c;
            c.address = st.words[1];
            for (const std::string& w : st.words)
                if (w.compare(0, 5, "port=") == 0) c.port = std::atoi(w.c_str() + 5);
            c.talks_first = i + 1 < script.steps.size() && script.steps[i + 1].early;
            r = server.connect(c);
            break;
        }
        case ScriptStep::Kind::Smtp:
            e.sent = st.smtp;
            r = server.command(st.smtp);
            break;
        case ScriptStep::Kind::Data:
            e.sent = st.smtp;
            r = server.command(st.smtp);
            if (server.in_data()) {
                SmtpReply r2 = server.message(st.body);
                r.lines.insert(r.lines.end(), r2.lines.begin(), r2.lines.end());
                r.checks.insert(r.checks.end(), r2.checks.begin(), r2.checks.end());
            }
            break;
        case ScriptStep::Kind::Auth:
            r = run_auth(server, st, e.sent);
            break;
        case ScriptStep::Kind::StartTls: {
            e.sent = st.smtp;
            r = server.command(st.smtp);
            std::string error;
            if (r.lines.size() == 1 && r.lines[0].compare(0, 4, "220 ") == 0 &&
                !server.tls_handshake(st.cert, st.tls_macros, error, r))
                t.problems.push_back(script.path + ":" + std::to_string(st.line) + ": starttls: " + error);
            break;
        }
        case ScriptStep::Kind::Macro:
        case ScriptStep::Kind::Class: {
            Session& s = server.session();
            const bool macro = st.kind == ScriptStep::Kind::Macro;
            if (!macro) s.memo = nullptr;  // remembered runs assume the config's classes
            std::string name = st.words[1];
            if (name.size() > 1 && name[0] != '{') name = "{" + name + "}";
            MacroIdResult id = macid_parse(name, 0, s.env.names, sink);
            if (id.id == 0)
                t.problems.push_back(script.path + ":" + std::to_string(st.line) + ": bad " +
                                     (macro ? "macro" : "class") + " name " + st.words[1]);
            else if (macro)
                s.env.macros.set(static_cast<MacroId>(id.id),
                                 translate_dollars(st.words[2], cfg.config_level, s.env.names, sink));
            else
                s.env.classes.add(static_cast<MacroId>(id.id), st.words[2]);
            break;
        }
        case ScriptStep::Kind::Map: {
            Session& s = server.session();
            const MapDef* m = cfg.maps ? cfg.maps->find(st.words[1]) : nullptr;
            if (!m) {
                t.problems.push_back(script.path + ":" + std::to_string(st.line) + ": no map named " + st.words[1] + " in the configuration");
                break;
            }
            std::string lname = ascii_lower(m->name);
            s.maps.added[lname][m->no_fold ? st.words[2] : ascii_lower(st.words[2])] = st.words[3];
            int& state = s.maps.open_state[lname];
            if (state != 1) state = 1;  // usable even when its file is missing
            break;
        }
        }
        e.reply = std::move(r.lines);
        e.checks = std::move(r.checks);
        t.entries.push_back(std::move(e));
    }
    return t;
}

std::vector<ExpectFailure> check_expectations(const Transcript& t) {
    std::vector<ExpectFailure> out;
    for (const TranscriptEntry& e : t.entries) {
        for (const Expectation& x : e.step->expect) {
            std::string got;
            for (const std::string& l : e.reply) got += (got.empty() ? "" : "\n") + l;
            if (e.skipped) got = "(not sent: the connection was closed)";
            // the last line of a multi-line reply carries the final text
            std::string last = e.reply.empty() ? std::string() : e.reply.back();
            bool ok;
            std::string wanted;
            if (x.regex) {
                wanted = "/" + *x.regex + "/";
                ok = !e.skipped && (x.compiled ? std::regex_search(got, *x.compiled)
                                               : std::regex_search(got, std::regex(*x.regex)));
            } else {
                wanted = x.code + (x.text ? " " + *x.text : "");
                ok = !e.skipped && last.size() >= 3 && last.compare(0, 3, x.code) == 0 &&
                     (!x.text || (last.size() > 4 && last.substr(4) == *x.text));
            }
            if (!ok) out.push_back({x.line, e.step->line, wanted, got});
        }
    }
    return out;
}

} // namespace cfkit
