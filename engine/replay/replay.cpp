// Replayer: a rebuilt session as a session script, run on the SMTP server,
// each step's verdict compared (see replay.hpp).
#include "engine/replay/replay.hpp"


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

// A step of the script whose verdict is compared, with what the log says
// of it. Every line build_script() writes is one script step, so a step's
// index is its line's.
struct PlannedStep {
    std::size_t index = 0;
    const char* what = "";  // "connection", "sender", "recipient"
    std::string address;
    Verdict logged;
    const Transaction* txn = nullptr;
};

Verdict accepted_unless(const Verdict& v) {
    return v.kind == Verdict::Kind::Unknown ? Verdict{Verdict::Kind::Accepted, "", ""} : v;
}

std::string build_script(const RebuiltSession& s, const std::string& helo, std::vector<PlannedStep>* plan) {
    std::string out;
    std::size_t steps = 0;
    auto add = [&](const std::string& text, const char* what = nullptr, const std::string& addr = "",
                   const Verdict& logged = {}, const Transaction* txn = nullptr) {
        if (plan && what) plan->push_back({steps, what, addr, logged, txn});
        out += text + "\n";
        ++steps;
    };
    std::string c = "connect " + (s.client.addr.empty() ? std::string("192.0.2.1") : s.client.addr);
    if (!s.client.name.empty()) c += " name=" + s.client.name;
    c += s.client.forged ? " resolve=FORGED" : s.client.name.empty() ? " resolve=FAIL" : " resolve=OK";
    add(c, "connection", "", accepted_unless(s.connect));
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
        add("mail <" + t.sender + ">", "sender", t.sender, accepted_unless(t.mail), &t);
        for (const RcptRecord& r : t.rcpts) add("rcpt <" + r.address + ">", "recipient", r.address, r.logged, &t);
        add("rset");
    }
    if (!s.auth_id.empty() && s.auth_at >= s.txns.size()) add(auth);
    add("quit");
    return out;
}

Verdict::Kind kind_at(const std::vector<StepResult>& r, std::size_t i) {
    return i < r.size() ? r[i].verdict.kind : Verdict::Kind::Unknown;
}

}  // namespace

std::string default_helo(const RebuiltSession& s) {
    if (!s.helo.empty()) return s.helo;
    if (!s.client.name.empty()) return s.client.name;
    return "[" + (s.client.addr.empty() ? std::string("192.0.2.1") : s.client.addr) + "]";
}

namespace {
// The records of `more` after those of `to`, as if their lines came after.
void add_records(DnsRecords& to, const DnsRecords& more) {
    auto append = [](auto& dst, const auto& src) {
        for (const auto& [k, v] : src) {
            auto& d = dst[k];
            d.insert(d.end(), v.begin(), v.end());
        }
    };
    append(to.a, more.a);
    append(to.aaaa, more.aaaa);
    append(to.mx, more.mx);
    append(to.ptr, more.ptr);
    append(to.txt, more.txt);
    to.temp.insert(more.temp.begin(), more.temp.end());
}
} // namespace

Replayer::Replayer(const Config& cfg, ServerSetup setup, const Config* baseline, DnsRecords dns, bool memo)
    : cfg_(cfg), baseline_(baseline), setup_(std::move(setup)), dns_(std::move(dns)) {
    if (!memo) return;
    memo_ = std::make_unique<RewriteMemo>(cfg);
    if (baseline) baseline_memo_ = std::make_unique<RewriteMemo>(*baseline);
}

// The verdict of every planned step, in script order.
std::vector<StepResult> Replayer::run(const Config& cfg, const std::string& script_text, std::string* problem) {
    std::vector<StepResult> out;
    SessionScript script;
    std::vector<Diagnostic> errors;
    if (!parse_session_script(script_text, "replay", script, errors)) {
        // the first error says why (the rest follow from it: no connect, no commands)
        if (problem) *problem = errors.empty() ? "the rebuilt session script did not read" : errors.front().message;
        return out;
    }
    add_records(script.dns, dns_);
    setup_.memo = &cfg == &cfg_ ? memo_.get() : baseline_memo_.get();
    Transcript t = run_session(cfg, script, setup_);
    out.reserve(t.entries.size());
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
    std::vector<PlannedStep> plan;
    o.script = build_script(s, default_helo(s), &plan);
    const std::vector<StepResult> now = run(cfg_, o.script, &o.not_replayed);
    if (!o.not_replayed.empty()) return o;
    std::vector<StepResult> before;
    if (baseline_) before = run(*baseline_, o.script);
    std::vector<std::vector<StepResult>> probes;  // the session with other HELO names, run only if needed
    bool connection_refused = false, sender_refused = false;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const PlannedStep& p = plan[i];
        const std::string kind = p.what;
        if (kind == "sender") sender_refused = false;
        if (connection_refused || (kind == "recipient" && sender_refused)) continue;  // the later replies follow from it
        if (p.index >= now.size()) break;
        const StepResult& r = now[p.index];
        const Verdict::Kind after = r.verdict.kind;
        const Verdict::Kind was = baseline_ ? kind_at(before, p.index) : p.logged.kind;
        ++o.steps;
        if (kind == "connection" && after != Verdict::Kind::Accepted) connection_refused = true;
        if (kind == "sender" && after != Verdict::Kind::Accepted) sender_refused = true;
        if (was == Verdict::Kind::Unknown || after == Verdict::Kind::Unknown || was == after) continue;
        Difference d;
        d.what = kind;
        d.address = p.address;
        if (p.txn) {
            d.qid = p.txn->qid;
            d.sender = p.txn->sender;
        }
        d.before = was;
        d.after = after;
        d.before_reply = baseline_ ? before[p.index].verdict.reply : p.logged.reply;
        d.after_reply = r.verdict.reply;
        d.decided = r;
        d.client_addr = s.client.addr;
        d.client_name = s.client.name;
        d.stamp = s.stamp;
        d.line = s.first_line;
        d.script_line = p.index;
        if (s.helo.empty()) {
            if (probes.empty()) {
                std::vector<std::string> names{kProbeHelo};
                if (const std::string* j = cfg_.env.macros.get('j')) names.push_back(*j);
                for (const std::string& n : names) probes.push_back(run(cfg_, build_script(s, n, nullptr)));
            }
            // A probe tells only when every earlier step went as in this run
            // (else an earlier refusal explains the change); then a verdict
            // that changes with the HELO name depends on it.
            for (const std::vector<StepResult>& probe : probes) {
                bool same_before = p.index < probe.size();
                for (std::size_t j = 0; j < i && same_before; ++j)
                    same_before = kind_at(probe, plan[j].index) == kind_at(now, plan[j].index);
                if (same_before && probe[p.index].verdict.kind != after) d.helo_dependent = true;
            }
        }
        o.differences.push_back(std::move(d));
    }
    return o;
}

std::string case_text(const RebuiltSession& s, const SessionOutcome& o, const std::vector<Difference>& diffs,
                      bool baseline) {
    // the script with, after each differing step, what it answered before
    std::string out = "# rebuilt by cfkit replay from log line " + std::to_string(s.first_line) + " (" + s.stamp +
                      "); expectations: the " + (baseline ? "baseline config's" : "logged") + " verdicts\n";
    std::size_t pos = 0;
    for (std::size_t index = 0; pos < o.script.size(); ++index) {
        std::size_t nl = o.script.find('\n', pos);
        const std::string line = o.script.substr(pos, nl - pos);
        pos = nl + 1;
        out += line + "\n";
        for (const Difference& d : diffs) {
            if (d.script_line != index) continue;  // (by place: a recipient may come in two transactions)
            const char* cls = d.before == Verdict::Kind::Accepted ? "2" : d.before == Verdict::Kind::TempFailed ? "4" : "5";
            if (d.what == "connection") out += "# the connection was " + std::string(verdict_word(d.before)) + "\n";
            else out += "expect /^" + std::string(cls) + "/\n";
        }
    }
    return out;
}

}  // namespace cfkit::replay
