// Plays a SessionScript against an SmtpServer and keeps the transcript, and
// checks a transcript against the script's `expect` lines. Shared by
// `cfkit session` and `cfkit test`.
#pragma once

#include <string>
#include <vector>

#include "engine/smtp/server.hpp"
#include "engine/smtp/session_script.hpp"

namespace cfkit {

struct TranscriptEntry {
    const ScriptStep* step = nullptr;
    std::string sent;                 // what the client sent ("" for connect and cfkit-only steps)
    std::vector<std::string> reply;   // the server's lines
    std::vector<CheckRun> checks;
    bool skipped = false;             // not sent: the connection was already closed
};

struct Transcript {
    std::vector<TranscriptEntry> entries;
    std::vector<std::string> problems;  // steps cfkit could not apply (unknown map, bad macro name)
};

Transcript run_session(const Config& cfg, const SessionScript& script, ServerSetup setup);

struct ExpectFailure {
    int line = 0;               // the expect line
    int step_line = 0;          // the command it checks
    std::string wanted, got;    // as shown to the user
};

// Every expectation of the script checked against the transcript.
std::vector<ExpectFailure> check_expectations(const Transcript& t);

} // namespace cfkit
