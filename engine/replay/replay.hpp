// Replaying rebuilt sessions through a config: each RebuiltSession becomes
// a session script (connect with the logged name and resolve status, EHLO,
// STARTTLS's verify, AUTH, then each transaction's MAIL and RCPTs), runs
// on the SMTP server, and every step's verdict is set beside the logged one
// (or, with a baseline, beside another config's). A difference whose verdict
// changes with the HELO name, which the log does not carry, is reported as
// such rather than as a difference.
#pragma once

#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/replay/maillog.hpp"
#include "engine/rewrite/memo.hpp"
#include "engine/smtp/server.hpp"

namespace cfkit::replay {

struct StepResult {
    Verdict verdict;
    std::optional<SourceLoc> deciding;  // the rule that decided ($#), if one did
    std::string deciding_ruleset;
    int deciding_rule = 0;
};

// One step of one session where two verdicts differ.
struct Difference {
    std::string what;        // "connection", "sender", "recipient"
    std::string address;     // the sender or recipient ("" for a connection)
    std::string qid;
    Verdict::Kind before = Verdict::Kind::Unknown, after = Verdict::Kind::Unknown;
    std::string before_reply, after_reply;
    StepResult decided;      // the new run's deciding rule
    bool helo_dependent = false;  // the verdict changes with the HELO name
    // the session, for reports
    std::string client_addr, client_name, stamp, sender;
    std::size_t line = 0;
    std::size_t script_line = 0;  // the line of SessionOutcome::script it is about (from 0)
};

struct SessionOutcome {
    std::vector<Difference> differences;
    std::string script;  // the session script that was run (for --sessions)
    int steps = 0;       // verdicts compared
    // Why the session was not run ("" when it was): its rebuilt script did
    // not read (a client address that is none, say).
    std::string not_replayed;
};

class Replayer {
public:
    // `cfg`: the config to replay; `baseline`: compare with it instead of
    // the log.
    // `dns_lines`: `dns NAME TYPE DATA` script lines put in front of every
    // session (the records the log cannot give; a session script's own DNS
    // is what the server asks).
    // `memo`: ruleset runs remembered across sessions (engine/rewrite/memo.hpp;
    // the verdicts are the same without).
    Replayer(const Config& cfg, ServerSetup setup, const Config* baseline = nullptr, DnsRecords dns = {},
             bool memo = true);
    SessionOutcome replay(const RebuiltSession& s);

private:
    // `problem` (if given) gets why the script could not be run.
    std::vector<StepResult> run(const Config& cfg, const std::string& script, std::string* problem = nullptr);

    const Config& cfg_;
    const Config* baseline_;
    ServerSetup setup_;
    DnsRecords dns_;  // added to every session's own records
    std::unique_ptr<RewriteMemo> memo_, baseline_memo_;
};

// A `cfkit test` case of a replayed session (`--sessions`): its script with,
// after each step that differs, what it answered before (the logged
// verdict, or the baseline config's with `baseline`).
std::string case_text(const RebuiltSession& s, const SessionOutcome& o, const std::vector<Difference>& diffs,
                      bool baseline);

// The HELO name a replay uses when the log has none: the client's name,
// else its address literal.
std::string default_helo(const RebuiltSession& s);

}  // namespace cfkit::replay
