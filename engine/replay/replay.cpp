// Replayer: a rebuilt session as a session script, run on the SMTP server,
// each step's verdict compared (see replay.hpp).
#include "engine/replay/replay.hpp"

#include <map>

#include "engine/smtp/session_run.hpp"
#include "engine/smtp/session_script.hpp"

namespace cfkit::replay {

namespace {

// HELO names that checks often refuse: one without a dot, and (added at
// run time) the server's own name.
const char* const kProbeHelo = "replayprobe";

Verdict::Kind kind_of_reply(const std::vector<std::string>& reply) {
    if (reply.empty() || reply.back().empty()) return Verdict::Kind::Unknown;
    switch (reply.back()[0]) {
    case '2': case '3': return Verdict::Kind::Accepted;
    case '4': return Verdict::Kind::TempFailed;
    case '5': return Verdict::Kind::Rejected;
    default: return Verdict::Kind::Unknown;
    }
}

// What a script line is, by its line number in the script text.
struct Plan {
    std::map<int, std::pair<std::string, std::string>> steps;  // line -> (what, address)
};

std::string build_script(const RebuiltSession& s, const std::string& helo, Plan* plan) {
    std::string out;
    int line = 0;
    auto add = [&](const std::string& text, const char* what = "", const std::string& addr = "") {
        out += text + "\n";
        ++line;
        if (plan && *what) plan->steps[line] = {what, addr};
    };
    std::string c = "connect " + (s.client.addr.empty() ? std::string("192.0.2.1") : s.client.addr);
    if (!s.client.name.empty()) c += " name=" + s.client.name;
    c += s.client.forged ? " resolve=FORGED" : s.client.name.empty() ? " resolve=FAIL" : " resolve=OK";
    add(c, "connection");
    // the first HELO the log gives (a transaction's), else `helo`
    std::string current = helo;
    if (!s.helo.empty())
        for (const Transaction& t : s.txns)
            if (!t.helo.empty()) {
                current = t.helo;
                break;
            }
    add("ehlo " + current);
    if (!s.tls_verify.empty()) add("starttls verify=" + s.tls_verify);
    const std::string auth = "auth " + s.auth_id + " " + (s.auth_mech.empty() ? "PLAIN" : s.auth_mech);
    for (std::size_t k = 0; k < s.txns.size(); ++k) {
        if (!s.auth_id.empty() && k == s.auth_at) add(auth);  // where the log puts it
        const Transaction& t = s.txns[k];
        if (!t.has_sender) continue;
        if (!t.helo.empty() && t.helo != current) {  // the client said EHLO again
            current = t.helo;
            add("ehlo " + current);
        }
        add("mail <" + t.sender + ">", "sender", t.sender);
        for (const RcptRecord& r : t.rcpts) add("rcpt <" + r.address + ">", "recipient", r.address);
        add("rset");
    }
    if (!s.auth_id.empty() && s.auth_at >= s.txns.size()) add(auth);
    add("quit");
    return out;
}

}  // namespace

std::string default_helo(const RebuiltSession& s) {
    if (!s.helo.empty()) return s.helo;
    if (!s.client.name.empty()) return s.client.name;
    return "[" + (s.client.addr.empty() ? std::string("192.0.2.1") : s.client.addr) + "]";
}

std::string Replayer::script_for(const RebuiltSession& s, const std::string& helo) {
    return build_script(s, helo, nullptr);
}

Replayer::Replayer(const Config& cfg, ServerSetup setup, const Config* baseline, std::string dns_lines)
    : cfg_(cfg), baseline_(baseline), setup_(std::move(setup)), dns_lines_(std::move(dns_lines)) {}

// The verdict of every planned step, in script order.
std::vector<StepResult> Replayer::run(const Config& cfg, const std::string& script_text) {
    std::vector<StepResult> out;
    SessionScript script;
    std::vector<Diagnostic> errors;
    if (!parse_session_script(script_text + dns_lines_, "replay", script, errors)) return out;
    Transcript t = run_session(cfg, script, setup_);
    for (const TranscriptEntry& e : t.entries) {
        if (!e.step) continue;
        StepResult r;
        if (e.skipped) {
            r.verdict.kind = Verdict::Kind::Unknown;
        } else if (e.step->kind == ScriptStep::Kind::Connect) {
            // the greeting; check_relay decides whether later commands are refused
            r.verdict.kind = Verdict::Kind::Accepted;
            for (const CheckRun& c : e.checks) {
                if (c.outcome == "reject") r.verdict.kind = Verdict::Kind::Rejected;
                else if (c.outcome == "tempfail") r.verdict.kind = Verdict::Kind::TempFailed;
                else continue;
                // the greeting is still 220: the check's own answer is what counts
                r.verdict.reply = c.ruleset + ": " + c.outcome;
                for (const std::string& m : c.messages) r.verdict.reply += " (" + m + ")";
            }
            if (kind_of_reply(e.reply) == Verdict::Kind::Rejected) r.verdict.kind = Verdict::Kind::Rejected;
        } else {
            r.verdict.kind = kind_of_reply(e.reply);
        }
        if (!e.reply.empty() && r.verdict.reply.empty()) r.verdict.reply = e.reply.back();
        for (const CheckRun& c : e.checks)
            if (c.deciding) {
                r.deciding = c.deciding;
                r.deciding_ruleset = c.deciding_ruleset;
                r.deciding_rule = c.deciding_rule;
                r.verdict.ruleset = c.ruleset;
            }
        out.push_back(std::move(r));
    }
    return out;
}

SessionOutcome Replayer::replay(const RebuiltSession& s) {
    SessionOutcome o;
    Plan plan;
    const std::string helo = default_helo(s);
    o.script = build_script(s, helo, &plan);
    const std::vector<StepResult> now = run(cfg_, o.script);
    std::vector<StepResult> before;
    if (baseline_) before = run(*baseline_, o.script);

    // the logged verdict of each planned step, in the same order
    std::vector<Verdict> logged;
    logged.push_back(s.connect.kind == Verdict::Kind::Unknown ? Verdict{Verdict::Kind::Accepted, "", ""} : s.connect);
    for (const Transaction& t : s.txns) {
        if (!t.has_sender) continue;
        logged.push_back(t.mail.kind == Verdict::Kind::Unknown ? Verdict{Verdict::Kind::Accepted, "", ""} : t.mail);
        for (const RcptRecord& r : t.rcpts) logged.push_back(r.logged);
    }
    // the planned steps' results (script steps, in line order)
    std::vector<const StepResult*> planned;
    std::vector<const StepResult*> planned_before;
    std::vector<std::size_t> planned_idx;  // their indices among the script's steps
    {
        SessionScript script;
        std::vector<Diagnostic> errors;
        parse_session_script(o.script, "replay", script, errors);
        for (std::size_t i = 0; i < script.steps.size() && i < now.size(); ++i)
            if (plan.steps.count(script.steps[i].line)) {
                planned.push_back(&now[i]);
                planned_idx.push_back(i);
                if (baseline_ && i < before.size()) planned_before.push_back(&before[i]);
            }
    }
    std::vector<std::pair<std::string, std::string>> what;
    for (const auto& [line, w] : plan.steps) what.push_back(w);
    std::vector<const Transaction*> txn_of;  // for each planned step
    for (const Transaction& t : s.txns) {
        if (!t.has_sender) continue;
        txn_of.push_back(&t);
        for (std::size_t k = 0; k < t.rcpts.size(); ++k) txn_of.push_back(&t);
    }
    std::vector<std::vector<StepResult>> probes;  // the session with other HELO names, run only if needed
    bool probed = false;
    bool connection_refused = false, sender_refused = false;
    for (std::size_t i = 0; i < planned.size() && i < what.size() && i < logged.size(); ++i) {
        const std::string& kind = what[i].first;
        if (kind == "sender") sender_refused = false;
        if (connection_refused || (kind == "recipient" && sender_refused)) continue;  // the later replies follow from it
        const Verdict::Kind after = planned[i]->verdict.kind;
        const Verdict::Kind was = baseline_ ? (i < planned_before.size() ? planned_before[i]->verdict.kind
                                                                        : Verdict::Kind::Unknown)
                                            : logged[i].kind;
        ++o.steps;
        if (kind == "connection" && after != Verdict::Kind::Accepted) connection_refused = true;
        if (kind == "sender" && after != Verdict::Kind::Accepted) sender_refused = true;
        if (was == Verdict::Kind::Unknown || after == Verdict::Kind::Unknown || was == after) continue;
        Difference d;
        d.what = kind;
        d.address = what[i].second;
        const Transaction* t = i > 0 && i - 1 < txn_of.size() ? txn_of[i - 1] : nullptr;
        if (t) {
            d.qid = t->qid;
            d.sender = t->sender;
        }
        d.before = was;
        d.after = after;
        d.before_reply = baseline_ ? planned_before[i]->verdict.reply : logged[i].reply;
        d.after_reply = planned[i]->verdict.reply;
        d.decided = *planned[i];
        d.client_addr = s.client.addr;
        d.client_name = s.client.name;
        d.stamp = s.stamp;
        d.line = s.first_line;
        if (s.helo.empty()) {
            if (!probed) {
                std::vector<std::string> names{kProbeHelo};
                if (const std::string* j = cfg_.env.macros.get('j')) names.push_back(*j);
                for (const std::string& n : names) probes.push_back(run(cfg_, build_script(s, n, nullptr)));
                probed = true;
            }
            // A probe tells only when every earlier step went as in this run
            // (else an earlier refusal explains the change); then a verdict
            // that changes with the HELO name depends on it.
            for (const std::vector<StepResult>& probe : probes) {
                bool same_before = true;
                for (std::size_t j = 0; j <= i && j < planned_idx.size(); ++j) {
                    if (planned_idx[j] >= probe.size()) {
                        same_before = false;
                        break;
                    }
                    if (j < i && probe[planned_idx[j]].verdict.kind != planned[j]->verdict.kind) same_before = false;
                }
                if (same_before && probe[planned_idx[i]].verdict.kind != after) d.helo_dependent = true;
            }
        }
        o.differences.push_back(std::move(d));
    }
    return o;
}

}  // namespace cfkit::replay
