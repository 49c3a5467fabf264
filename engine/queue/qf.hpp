// A queue control file (qf, hf, Qf) read into an immutable value: one
// function per line letter, as readqf() in sendmail's queue.c dispatches
// (version 8 files: V T K N P I M F $ S R H C Q q Z B ! d A r E D L .).
// The listing (mailq.hpp) reads the raw lines itself, since `sendmail -bp`
// prints from them and not from what readqf() makes of them; `show`,
// `check` and the operations use this value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cfkit::queue {

constexpr int kQfVersion = 8;  // QF_VERSION of sendmail 8.17

struct QfLine {
    int line = 0;       // first physical line (continuation lines fold in)
    char letter = 0;    // the key letter; '\0' for an empty line
    std::string text;   // after the letter, continuation lines joined with "\n"
};

struct QfRecipient {
    int line = 0;
    std::string flags;    // before the ':' (version >= 1): N S F D P A B
    std::string address;  // after it
    std::string orcpt;    // the Q line before it (ORCPT=)
    std::string final_rcpt;  // the r line before it
    std::string status;   // an M line just before it (the recipient's status)
};

struct QfProblem {
    int line = 0;  // 0: the file as a whole
    std::string message;
};

struct QueueFile {
    std::vector<QfLine> lines;  // every logical line, in order
    int version = 0;
    long long ctime = 0;  // T: when queued
    bool has_ctime = false;
    long long last_try = 0;  // K
    int attempts = 0;        // N
    long long priority = 0;  // P
    std::string flags;       // F letters
    std::string sender;      // S
    bool has_sender = false;
    std::string status;  // M before the first recipient: the envelope's last error
    std::string quarantine;  // q
    bool quarantined = false;
    std::string body_type;  // B
    std::string data_dir;   // d: the df is in another queue directory
    std::string auth;       // A: AUTH= parameter
    std::string envid;      // Z
    std::string ctl_user;   // C
    std::vector<std::string> headers;  // H lines (without the H)
    std::vector<QfRecipient> recipients;
    bool terminated = false;  // the '.' line was read
    bool empty = false;       // no line at all (sendmail removes such a file)
    std::vector<QfProblem> problems;  // what makes readqf() give up, or would
};

// Reads the text of a qf file. Never fails: what readqf() would refuse is
// in `problems`, with the line.
QueueFile parse_qf(std::string_view text);

// A flag letter's meaning (F line), "" if sendmail ignores it.
const char* qf_flag_meaning(char f);
// A recipient flag letter's meaning (R line before ':').
const char* rcpt_flag_meaning(char f);
// A line letter's meaning ("creation time", ...), "" if unknown.
const char* qf_letter_meaning(char letter);

}  // namespace cfkit::queue
