// Address test mode: sendmail -bt (main.c testmodeline()). The engine side
// takes one input line at a time and returns the bytes sendmail would have
// written for it; tools/cfkit/cmd_bt.cpp does the reading and writing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/config/config.hpp"
#include "engine/config/headers.hpp"
#include "engine/rewrite/memo.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit {

// Collects sendmail-formatted output and the sticky exit status: the first
// syserr sets 70 (71 with errno), later ones do not change it.
class TextReporter : public Reporter {
public:
    std::string* out = nullptr;
    int exit_status = 0;
    void report(Diagnostic d) override;
    // setstat(): only an OK or temporary-failure status is replaced
    void setstat(int s) {
        if (exit_status == 0 || exit_status == 75) exit_status = s;
    }
};

class TestMode {
public:
    // `out` receives everything written; `rep` is the same sink the config
    // was compiled with (so the exit status carries over).
    TestMode(const Config& cfg, TextReporter& rep);

    // The two banner lines.
    std::string banner() const;
    // What the -d flags set before the first line print ahead of the banner
    // (-d0.15: every mailer, as =M shows it).
    std::string startup_debug_text() const;
    // Verbose 2: "> " before every read; Verbose 1: the line is echoed.
    int verbosity() const { return verbose_; }
    void set_verbosity(int v) {
        verbose_ = v;
        session_.maps.warn_unsafe = v > 1;
        session_.maps.verbose = v;
    }

    // Handles one line (without its LF). Returns false after /quit.
    bool line(std::string_view line);

    // sendmail's exit status (75 is reported as 0).
    int exit_status() const;

    Session& session() { return session_; }
    // Work every ruleset run out afresh (the output is the same).
    void no_memo() { session_.memo = nullptr; }
    // Sees every rewrite() event of the lines that follow (besides the -bt
    // trace TestMode prints): cfkit explain's recorder.
    RewriteObserver* watcher = nullptr;

private:
    void ruleset_and_address(const std::string& line);
    void dot_command(const std::string& line);
    void equals_command(const std::string& line);
    void dollar_command(const std::string& line);
    void slash_command(std::string line);
    void parse_command(const std::string& arg);
    void try_command(const std::string& arg);
    void sender_command(const std::string& arg);
    void canon_command(const std::string& arg);
    void header_command(const std::string& arg);
    void mx_command(const std::string& arg);
    unsigned try_flags() const;
    std::string try_flags_words() const;
    void help();
    std::string print_mailer(const Mailer& m) const;

    std::string& out() { return *rep_.out; }

    const Config& cfg_;
    TextReporter& rep_;
    Session session_;
    RewriteMemo memo_;
    int verbose_ = 2;
    bool tryflags_header_ = false;  // /tryflags: header vs envelope address
    bool tryflags_sender_ = false;  // sender vs recipient
    // sendmail's FullName: set by the first /sender with a passwd entry (or
    // $NAME) and kept for every later one
    std::optional<std::string> full_name_;
    // the envelope's sender (/sender) and header state (/header)
    std::string sender_paddr_, sender_user_;
    std::string e_to_;  // e->e_to: set by /sender's parseaddr(), cleared by /parse and /try
    bool sender_local_ = false;
    bool resent_ = false;  // EF_RESENT: a Resent-* header was given
    bool headers_init_ = false;
    std::vector<DefaultHeader> defaults_;
};

} // namespace cfkit
