// The one diagnostic type. The engine returns these (it never prints);
// tools/ chooses the format: cfkit's `file:line:col: error: message` with the
// source line and a caret, or sendmail's own bytes in `bt` mode.
#pragma once

#include <string>
#include <vector>

#include "grammar/ast.hpp"

namespace cfkit {

enum class Severity { Error, Warning, Note };

// How sendmail would have emitted the message; decides its -bt rendering.
enum class Emit {
    Syserr,  // syserr(): "file: line N: " prefix while reading, ExitStat 70/71
    Usrerr,  // usrerr(): reply code stripped in -bt
    Plain,   // a plain print to stdout
    Message, // message(): a status line, shown like a usrerr but never silenced by SuprErrs
};

struct Diagnostic {
    Severity severity = Severity::Error;
    Emit emit = Emit::Syserr;
    SourceLoc loc;        // empty file name: not tied to a place in a file
    std::string message;  // sendmail's words, without reply codes
    int sendmail_line = 0;  // the line number sendmail prints (last physical line)
    bool with_errno = false;  // syserr with errno set: ExitStat 71, not 70
};

using Diagnostics = std::vector<Diagnostic>;

// sendmail's text for a message as -bt prints it (high bit of every byte
// cleared, "file: line N: " in front when it came from reading a file).
std::string sendmail_text(const Diagnostic& d);

// cfkit's own format: "file:line:col: error: message".
std::string cfkit_text(const Diagnostic& d);

} // namespace cfkit

namespace cfkit {

// Where the engine sends messages as they happen. Sendmail interleaves them
// with its trace output, so they must reach the caller in order.
class Reporter {
public:
    virtual ~Reporter() = default;
    virtual void report(Diagnostic d) = 0;

    // While a file is read: the place messages refer to.
    SourceLoc loc;
    int sendmail_line = 0;

    void syserr(std::string msg, bool with_errno = false) {
        send(Emit::Syserr, Severity::Error, std::move(msg), with_errno);
    }
    void usrerr(std::string msg) { send(Emit::Usrerr, Severity::Error, std::move(msg)); }
    void message(std::string msg) { send(Emit::Message, Severity::Note, std::move(msg)); }
    void plain(std::string text) { send(Emit::Plain, Severity::Warning, std::move(text)); }

private:
    // One diagnostic at the current place.
    void send(Emit emit, Severity severity, std::string msg, bool with_errno = false) {
        Diagnostic d;
        d.severity = severity;
        d.emit = emit;
        d.message = std::move(msg);
        d.loc = loc;
        d.sendmail_line = sendmail_line;
        d.with_errno = with_errno;
        report(std::move(d));
    }
};

// Collects everything, for callers that only want the list.
class CollectingReporter : public Reporter {
public:
    Diagnostics diagnostics;
    void report(Diagnostic d) override { diagnostics.push_back(std::move(d)); }
};

// sendmail's SuprErrs: usrerr() messages are dropped; syserr(), message()
// and plain prints still go through to `to`.
class SuppressedErrors : public Reporter {
public:
    explicit SuppressedErrors(Reporter& to) : to_(to) {
        loc = to.loc;
        sendmail_line = to.sendmail_line;
    }
    void report(Diagnostic d) override {
        if (d.emit != Emit::Usrerr) to_.report(std::move(d));
    }

private:
    Reporter& to_;
};

} // namespace cfkit
