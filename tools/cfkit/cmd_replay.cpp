// cfkit replay CONFIG MAILLOG...: yesterday's mail through a new config.
// Reads sendmail's log (plain or .gz, streamed), rebuilds each connection
// (engine/replay/maillog.hpp), runs it on the dry-run SMTP server and
// reports where the verdicts differ from the logged ones (or, with
// --baseline OLD.cf, from OLD.cf's).
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/names/safefile.hpp"
#include "engine/replay/maillog.hpp"
#include "engine/replay/replay.hpp"
#include "engine/text/json_text.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/dns_input.hpp"
#include "tools/cfkit/progress.hpp"
#include "tools/cfkit/session_common.hpp"

namespace cfkit {

namespace {

using namespace cfkit::replay;

const char* kWho = "cfkit replay";

void put(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// Lines of a plain or gzip'd file (zlib reads both), one at a time.
class LineSource {
public:
    explicit LineSource(const std::string& path) : f_(gzopen(path.c_str(), "rb")) {
        if (f_) gzbuffer(f_, 1 << 17);
    }
    ~LineSource() {
        if (f_) gzclose(f_);
    }
    LineSource(const LineSource&) = delete;
    LineSource& operator=(const LineSource&) = delete;
    bool ok() const { return f_ != nullptr; }
    bool next(std::string& line) {
        line.clear();
        char buf[8192];
        while (gzgets(f_, buf, sizeof buf)) {
            line += buf;
            if (!line.empty() && line.back() == '\n') {
                line.pop_back();
                return true;
            }
        }
        return !line.empty();
    }
    // Why reading stopped early ("" at a clean end): a damaged .gz file.
    std::string error() {
        int code = Z_OK;
        const char* m = gzerror(f_, &code);
        return code == Z_OK || code == Z_STREAM_END ? std::string() : std::string(m);
    }
    long long offset() { return gzoffset(f_); }  // compressed bytes read (for progress)

private:
    gzFile f_;
};

struct Totals {
    std::size_t lines = 0, sendmail_lines = 0, sessions = 0, steps = 0, differences = 0, helo_dependent = 0;
    std::size_t not_replayed = 0;  // sessions whose rebuilt script did not read (each said on stderr)
    std::map<std::string, std::size_t> by_kind;            // "recipient accepted -> rejected"
    std::map<std::string, std::vector<Difference>> examples;  // the first few of each kind
};

std::string kind_key(const Difference& d) {
    return d.what + " " + verdict_word(d.before) + " -> " + verdict_word(d.after);
}

std::string plural(std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// "would reject 3 recipients that were accepted"
std::string kind_sentence(const std::string& what, Verdict::Kind before, Verdict::Kind after, std::size_t n) {
    const char* verb = after == Verdict::Kind::Accepted ? "accept"
                       : after == Verdict::Kind::TempFailed ? "tempfail"
                                                            : (what == "connection" ? "refuse" : "reject");
    return std::string("would ") + verb + " " + plural(n, what) + " that " + (n == 1 ? "was " : "were ") +
           verdict_word(before);
}

std::string decided_text(const StepResult& r) {
    if (!r.deciding) return r.verdict.ruleset.empty() ? std::string() : "by " + r.verdict.ruleset;
    return "by " + (r.deciding_ruleset.empty() ? r.verdict.ruleset : r.deciding_ruleset) + " rule " +
           std::to_string(r.deciding_rule) + " (" + r.deciding->file + ":" + std::to_string(r.deciding->line) + ")";
}

std::string difference_json(const Difference& d) {
    JsonObject j;
    j.str("what", d.what).str("address", d.address).str("qid", d.qid).str("sender", d.sender);
    j.str("client_addr", d.client_addr).str("client_name", d.client_name).str("time", d.stamp);
    j.num("log_line", static_cast<long long>(d.line));
    j.str("before", verdict_word(d.before)).str("before_reply", d.before_reply);
    j.str("after", verdict_word(d.after)).str("after_reply", d.after_reply);
    j.boolean("helo_dependent", d.helo_dependent);
    if (d.decided.deciding) {
        j.str("deciding_ruleset", d.decided.deciding_ruleset)
            .num("deciding_rule", d.decided.deciding_rule)
            .str("deciding_file", d.decided.deciding->file)
            .num("deciding_line", d.decided.deciding->line);
    }
    return j.text();
}

}  // namespace

int cmd_replay(int argc, char** argv) {
    CLI::App app{"Replay sendmail's mail log through a config: where would it decide differently?"};
    app.name("cfkit replay");
    ServerConfigOptions o;
    std::vector<std::string> logs;
    bool no_interfaces = false, json = false, no_memo = false;
    std::string switch_spec = "files dns", baseline_path, sessions_dir, dns_file;
    int examples = 3;
    app.add_option("config", o.cf, "the .cf (or .mc) to replay the log through")->required();
    app.add_option("maillog", logs, "sendmail's log files (plain or .gz), in time order")->required();
    add_server_options(app, o, no_interfaces, switch_spec, "--dns-records FILE");
    app.add_option("--baseline", baseline_path,
                   "compare with this config's verdicts on the same rebuilt sessions instead of the logged ones");
    app.add_option("--dns-records", dns_file, "DNS records for the lookups the rules make (the log has none)");
    app.add_option("--sessions", sessions_dir, "write each differing session as a cfkit test case in this directory");
    app.add_option("--examples", examples, "examples shown per kind of difference")->capture_default_str();
    app.add_flag("--json", json, "every difference as a JSON line, then a summary line");
    app.add_flag("--no-memo", no_memo, "work out every ruleset run afresh (slower; the verdicts are the same)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    o.probe_interfaces = !no_interfaces;
    for (const std::string& l : logs) {
        struct stat st;
        if (::stat(l.c_str(), &st) < 0 || !S_ISREG(st.st_mode)) {
            std::fprintf(stderr, "%s: %s: %s\n", kWho, l.c_str(),
                         ::stat(l.c_str(), &st) < 0 ? std::strerror(errno) : "not a file");
            return 2;
        }
    }
    if (!sessions_dir.empty()) {
        struct stat st;
        if (::stat(sessions_dir.c_str(), &st) < 0 && ::mkdir(sessions_dir.c_str(), 0755) < 0) {
            std::fprintf(stderr, "%s: --sessions %s: cannot make the directory: %s\n", kWho, sessions_dir.c_str(),
                         std::strerror(errno));
            return 2;
        }
        if (::stat(sessions_dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode) || ::access(sessions_dir.c_str(), W_OK) < 0) {
            std::fprintf(stderr, "%s: --sessions %s: not a directory this user can write\n", kWho, sessions_dir.c_str());
            return 2;
        }
    }
    std::unique_ptr<Config> config = load_server_config(o, kWho);
    if (!config) return 2;
    std::unique_ptr<Config> baseline;
    if (!baseline_path.empty()) {
        ServerConfigOptions b = o;
        b.cf = baseline_path;
        baseline = load_server_config(b, kWho);
        if (!baseline) return 2;
    }
    ServerSetup setup;
    setup.hosts_switch = hosts_switch_for(*config, app.count("--hosts-switch") > 0, switch_spec);
    DnsRecords records;  // for every session
    if (!dns_file.empty()) {
        std::optional<DnsRecords> r = read_dns_records(dns_file);
        if (!r) return 2;  // (its messages: file:line)
        records = std::move(*r);
    }
    // The log has no passwords: a logged AUTH is replayed as the success it
    // was (an `auth` line without accounts), which a sasldb would turn into
    // an exchange without a password, failing, and false differences.
    if (!o.sasldb.empty()) {
        std::fprintf(stderr, "%s: --sasldb %s is not used: the log has no passwords; a logged AUTH is replayed as "
                             "the success it was\n", kWho, o.sasldb.c_str());
        o.sasldb.clear();
    }
    if (!load_server_files(o, setup, kWho)) return 2;

    // the files are taken as unchanged while the sessions run (safefile.hpp)
    remember_file_checks(true);
    Replayer replayer(*config, setup, baseline.get(), std::move(records), !no_memo);
    Totals t;
    std::size_t case_no = 0;
    std::string unwritten;  // the first --sessions file that could not be written
    auto on_session = [&](RebuiltSession&& s) {
        if (!s.have_client) return;  // lines of a process that served no client (a queue run)
        ++t.sessions;
        SessionOutcome out = replayer.replay(s);
        if (!out.not_replayed.empty()) {
            ++t.not_replayed;
            std::fprintf(stderr, "%s: log line %zu: session of %s [%s] not replayed: %s\n", kWho, s.first_line,
                         s.client.name.empty() ? "(no name)" : s.client.name.c_str(), s.client.addr.c_str(),
                         out.not_replayed.c_str());
            return;
        }
        t.steps += static_cast<std::size_t>(out.steps);
        std::vector<Difference> counted;
        for (Difference& d : out.differences) {
            if (json) put(difference_json(d) + "\n");  // (every one, HELO-dependent too)
            if (d.helo_dependent) {
                ++t.helo_dependent;
                continue;
            }
            ++t.differences;
            const std::string key = kind_key(d);
            ++t.by_kind[key];
            auto& ex = t.examples[key];
            if (static_cast<int>(ex.size()) < examples) ex.push_back(d);
            counted.push_back(d);
        }
        if (!sessions_dir.empty() && !counted.empty()) {
            char name[64];
            std::snprintf(name, sizeof name, "/replay-%05zu.case", ++case_no);
            std::ofstream f(sessions_dir + name);
            f << case_text(s, out, counted, baseline != nullptr);
            if (!f.flush() && unwritten.empty()) unwritten = sessions_dir + name;
        }
    };
    SessionRebuilder rebuilder(on_session);
    long long total_bytes = 0;
    for (const std::string& l : logs) {
        struct stat st;
        if (::stat(l.c_str(), &st) == 0) total_bytes += st.st_size;
    }
    Progress progress("replaying", total_bytes / 1024);
    for (const std::string& path : logs) {
        LineSource src(path);
        if (!src.ok()) {
            std::fprintf(stderr, "%s: %s: cannot open\n", kWho, path.c_str());
            return 2;
        }
        std::string line;
        long long last = 0;
        while (src.next(line)) {
            ++t.lines;
            if (std::optional<LogLine> l = parse_log_line(line)) {
                ++t.sendmail_lines;
                rebuilder.add(*l, t.lines);
            }
            if ((t.lines & 4095) == 0) {
                const long long off = src.offset();
                progress.tick(static_cast<long>((off - last) / 1024));
                last = off;
            }
        }
        if (!src.error().empty()) {
            std::fprintf(stderr, "%s: %s\n", kWho, src.error().c_str());  // (zlib's text names the file)
            return 2;
        }
    }
    rebuilder.finish();
    progress.finish();
    // the summary is still printed; the exit status says a case file is missing
    auto status = [&]() {
        if (unwritten.empty()) return t.differences || t.not_replayed ? 1 : 0;
        std::fprintf(stderr, "%s: --sessions: cannot write %s\n", kWho, unwritten.c_str());
        return 2;
    };

    const char* against = baseline ? "the baseline config's" : "the logged";
    if (json) {
        JsonObject sum;
        sum.str("summary", "cfkit replay")
            .num("lines", static_cast<long long>(t.lines))
            .num("sendmail_lines", static_cast<long long>(t.sendmail_lines))
            .num("sessions", static_cast<long long>(t.sessions))
            .num("verdicts", static_cast<long long>(t.steps))
            .num("differences", static_cast<long long>(t.differences))
            .num("helo_dependent", static_cast<long long>(t.helo_dependent))
            .num("not_replayed", static_cast<long long>(t.not_replayed));
        put(sum.text() + "\n");
        return status();
    }
    std::string out = "cfkit replay: " + plural(t.lines, "line") + " (" + std::to_string(t.sendmail_lines) +
                      " of sendmail), " + plural(t.sessions, "session") + ", " + plural(t.steps, "verdict") +
                      " compared with " + against + " ones\n";
    if (t.differences == 0) out += "no differences\n";
    for (const auto& [key, n] : t.by_kind) {
        const Difference& d0 = t.examples[key].front();
        out += kind_sentence(d0.what, d0.before, d0.after, n) + "\n";
        for (const Difference& d : t.examples[key]) {
            out += "  " + d.stamp + " log line " + std::to_string(d.line) + (d.qid.empty() ? "" : " " + d.qid) +
                   ": client " + (d.client_name.empty() ? "" : d.client_name + " ") + "[" + d.client_addr + "]";
            if (d.what != "connection") out += ", " + d.what + " <" + d.address + ">";
            out += "\n    was: " + std::string(verdict_word(d.before)) +
                   (d.before_reply.empty() ? "" : " (" + d.before_reply + ")") + "\n    now: " + d.after_reply;
            const std::string by = decided_text(d.decided);
            if (!by.empty()) out += "\n    decided " + by;
            out += "\n";
        }
    }
    if (t.helo_dependent)
        out += plural(t.helo_dependent, "other difference") +
               " depend on the HELO name, which the log does not carry (sendmail logs it from LogLevel 14 on, "
               "see README): not counted (--json lists them)\n";
    if (t.not_replayed)
        out += plural(t.not_replayed, "session") + " not replayed: the log did not give a session cfkit could run "
               "(each is named on stderr)\n";
    put(out);
    return status();
}

}  // namespace cfkit
