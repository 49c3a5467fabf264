// cfkit test: session cases with expected replies, for CI. Exit 0 when all
// pass, 1 when any fails, 2 for unusable input (a script that does not parse
// is reported in its place and the others still run).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <map>

#include <CLI/CLI.hpp>

#include "engine/rewrite/memo.hpp"
#include "engine/names/safefile.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/dns_input.hpp"
#include "tools/cfkit/session_common.hpp"

namespace cfkit {

namespace {

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        default: o += c;
        }
    }
    return o;
}

// Files named on the command line, and in directories *.case and *.session
// (and their JSON forms, *.case.json and *.session.json).
bool collect_cases(const std::vector<std::string>& args, std::vector<std::string>& out) {
    for (const std::string& a : args) {
        struct stat st {};
        if (stat(a.c_str(), &st) != 0) {
            std::fprintf(stderr, "cfkit test: %s: no such file or directory\n", a.c_str());
            return false;
        }
        if (!S_ISDIR(st.st_mode)) {
            out.push_back(a);
            continue;
        }
        std::vector<std::string> found;
        if (DIR* d = opendir(a.c_str())) {
            while (dirent* e = readdir(d)) {
                std::string n = e->d_name;
                auto ends = [&](const char* suf) {
                    std::string s(suf);
                    return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
                };
                if (ends(".case") || ends(".session") || ends(".case.json") || ends(".session.json"))
                    found.push_back(a + "/" + n);
            }
            closedir(d);
        }
        std::sort(found.begin(), found.end());
        if (found.empty()) {
            std::fprintf(stderr, "cfkit test: %s: no .case or .session files in it\n", a.c_str());
            return false;
        }
        out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    return true;
}

// One case's result, as it is printed (so that a worker process can hand
// it over whole).
struct Outcome {
    enum Kind : char { Pass = 'p', Fail = 'f', Unusable = 'u' } kind = Pass;
    std::string out;  // its stdout lines
    std::string err;  // its stderr lines (an unusable script's messages)
    std::string xml;  // its JUnit <testcase>
};

class CaseRunner {
public:
    // `base`: every case's server set-up (its memo included)
    CaseRunner(const Config& cfg, const ServerSetup& base, bool verbose) : cfg_(cfg), base_(base), verbose_(verbose) {}

    Outcome run(const std::string& file) {
        Outcome o;
        SessionScript s;
        if (!load_script(file, s, "cfkit test", o.err)) {
            o.kind = Outcome::Unusable;
            o.out = "FAIL " + file + "\n  unusable script (the messages are on stderr)\n";
            o.xml = "  <testcase classname=\"cfkit.session\" name=\"" + xml_escape(file) +
                    "\">\n    <error message=\"unusable script\">" + xml_escape(o.err) + "</error>\n  </testcase>\n";
            return o;
        }
        Transcript t = run_session(cfg_, s, base_);
        std::vector<ExpectFailure> fails = check_expectations(t);
        std::size_t nexpect = 0;
        for (const ScriptStep& st : s.steps) nexpect += st.expect.size();
        std::string detail;
        for (const std::string& p : t.problems) detail += "  " + p + "\n";
        for (const ExpectFailure& f : fails) {
            detail += "  " + file + ":" + std::to_string(f.line) + ": step at line " + std::to_string(f.step_line) + "\n";
            detail += "  - " + f.wanted + "\n";
            std::string got = f.got;
            std::size_t p = 0;
            while ((p = got.find('\n', p)) != std::string::npos) got.replace(p, 1, "\n  + "), p += 5;
            detail += "  + " + got + "\n";
        }
        if (nexpect == 0) detail += "  " + file + ": no `expect` lines: nothing is checked\n";
        o.xml = "  <testcase classname=\"cfkit.session\" name=\"" + xml_escape(file) + "\"";
        if (detail.empty()) {
            o.out = "ok   " + file + " (" + std::to_string(nexpect) + " checks)\n";
            o.xml += "/>\n";
            return o;
        }
        o.kind = Outcome::Fail;
        o.out = "FAIL " + file + "\n" + detail;
        if (verbose_) o.out += format_transcript(t, false, true, cfg_);
        o.xml += ">\n    <failure message=\"expected replies differ\">" + xml_escape(detail) + "</failure>\n  </testcase>\n";
        return o;
    }

private:
    const Config& cfg_;
    const ServerSetup& base_;
    bool verbose_;
};

// Totals and the JUnit body, kept in a temporary file as cases finish (the
// counts its first line needs are known only at the end).
struct Report {
    int passed = 0, failed = 0, unusable = 0;
    std::FILE* xml = nullptr;
    void add(const Outcome& o) {
        std::fputs(o.err.c_str(), stderr);
        std::fputs(o.out.c_str(), stdout);
        if (xml) std::fputs(o.xml.c_str(), xml);
        if (o.kind == Outcome::Pass) ++passed;
        else if (o.kind == Outcome::Fail) ++failed;
        else ++unusable;
    }
};

// --- --jobs N: worker processes (the engine's caches are per process) ---
// A worker runs cases k, k+N, k+2N ... and writes each outcome to its pipe
// as: index, kind, three lengths, three texts. The parent prints them in
// case order.
void put_all(int fd, const std::string& b) {
    std::size_t off = 0;
    while (off < b.size()) {
        ssize_t n = ::write(fd, b.data() + off, b.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ::_exit(3);  // (a closed pipe: SIGPIPE has ended the worker already)
        off += static_cast<std::size_t>(n);
    }
}

void put_u64(std::string& b, std::uint64_t v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); }

std::uint64_t get_u64(const std::string& b, std::size_t at) {
    std::uint64_t v;
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

struct Worker {
    pid_t pid = -1;
    int fd = -1;
    std::string buf;
};

// Takes the whole records at the front of `w.buf`.
void take_records(Worker& w, std::map<std::size_t, Outcome>& ready) {
    constexpr std::size_t head = 8 + 1 + 3 * 8;
    std::size_t at = 0;
    while (w.buf.size() - at >= head) {
        const std::uint64_t lo = get_u64(w.buf, at + 9), le = get_u64(w.buf, at + 17), lx = get_u64(w.buf, at + 25);
        if (w.buf.size() - at < head + lo + le + lx) break;
        Outcome o;
        o.kind = static_cast<Outcome::Kind>(w.buf[at + 8]);
        std::size_t p = at + head;
        o.out.assign(w.buf, p, lo);
        o.err.assign(w.buf, p + lo, le);
        o.xml.assign(w.buf, p + lo + le, lx);
        ready.emplace(static_cast<std::size_t>(get_u64(w.buf, at)), std::move(o));
        at += head + lo + le + lx;
    }
    w.buf.erase(0, at);
}

// false: a worker failed (after a message).
bool run_parallel(const std::vector<std::string>& files, int jobs, CaseRunner& runner, Report& report) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::vector<Worker> workers(static_cast<std::size_t>(jobs));
    // the workers started so far stopped and reaped (a failed start, a failed poll)
    auto stop_all = [&]() {
        for (Worker& w : workers) {
            if (w.fd >= 0) ::close(w.fd);
            w.fd = -1;
            if (w.pid > 0) {
                ::kill(w.pid, SIGKILL);
                while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
                }
            }
        }
    };
    for (int k = 0; k < jobs; ++k) {
        int p[2] = {-1, -1};
        pid_t pid = -1;
        if (::pipe(p) != 0 || (pid = ::fork()) < 0) {
            std::fprintf(stderr, "cfkit test: cannot start worker processes: %s\n", std::strerror(errno));
            if (pid < 0 && p[0] >= 0) ::close(p[0]), ::close(p[1]);
            stop_all();
            return false;
        }
        if (pid == 0) {
            ::close(p[0]);
            for (int j = 0; j < k; ++j) ::close(workers[static_cast<std::size_t>(j)].fd);
            std::string b;
            for (std::size_t i = static_cast<std::size_t>(k); i < files.size(); i += static_cast<std::size_t>(jobs)) {
                Outcome o = runner.run(files[i]);
                put_u64(b, i);
                b.push_back(static_cast<char>(o.kind));
                put_u64(b, o.out.size());
                put_u64(b, o.err.size());
                put_u64(b, o.xml.size());
                b += o.out;
                b += o.err;
                b += o.xml;
                if (b.size() > 32768) put_all(p[1], b), b.clear();
            }
            put_all(p[1], b);
            ::close(p[1]);
            ::_exit(0);
        }
        ::close(p[1]);
        workers[static_cast<std::size_t>(k)] = Worker{pid, p[0], {}};
    }
    std::map<std::size_t, Outcome> ready;  // finished, waiting for an earlier case
    std::size_t next = 0;
    std::size_t open = workers.size();
    std::vector<pollfd> fds;
    while (open > 0) {
        fds.clear();
        for (const Worker& w : workers)
            if (w.fd >= 0) fds.push_back(pollfd{w.fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "cfkit test: waiting for the worker processes: %s\n", std::strerror(errno));
            stop_all();
            return false;
        }
        for (Worker& w : workers) {
            if (w.fd < 0) continue;
            auto f = std::find_if(fds.begin(), fds.end(), [&](const pollfd& x) { return x.fd == w.fd; });
            if (f == fds.end() || !(f->revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char chunk[65536];
            ssize_t n = ::read(w.fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(w.fd);
                w.fd = -1;
                --open;
                continue;
            }
            w.buf.append(chunk, static_cast<std::size_t>(n));
            take_records(w, ready);
        }
        for (auto it = ready.find(next); it != ready.end(); it = ready.find(++next)) {
            report.add(it->second);
            ready.erase(it);
        }
    }
    bool ok = true;
    for (Worker& w : workers) {
        int status = 0;
        while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (WIFSIGNALED(status))
                std::fprintf(stderr, "cfkit test: a worker process was killed by signal %d\n", WTERMSIG(status));
            else std::fprintf(stderr, "cfkit test: a worker process exited with status %d\n", WEXITSTATUS(status));
            ok = false;
        }
    }
    if (next != files.size()) {
        // the outcomes already in are printed; the first missing case is named
        for (auto& [i, o] : ready) report.add(o);
        std::fprintf(stderr, "cfkit test: the worker processes reported %zu of %zu cases; no result for %s\n",
                     next + ready.size(), files.size(), files[next].c_str());
        ok = false;
    }
    return ok;
}

} // namespace

int cmd_test(int argc, char** argv) {
    CLI::App app{"Run session cases against a config and check every expected reply."};
    app.name("cfkit test");
    ServerConfigOptions o;
    o.cf_dir = kDefaultCfDir;
    std::vector<std::string> cases;
    std::string junit;
    bool no_interfaces = false, verbose = false, no_memo = false;
    int jobs = 1;
    std::string switch_spec = "files dns";
    app.add_option("config", o.cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("cases", cases, "case files (session scripts with `expect` lines) or directories")->required();
    add_server_options(app, o, no_interfaces, switch_spec, "the cases' dns lines");
    app.add_option("--junit", junit, "also write a JUnit XML report to this file");
    app.add_flag("-v,--verbose", verbose, "print the transcript of failing cases");
    app.add_option("-j,--jobs", jobs, "run the cases in N processes (the output is in case order all the same)")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app.add_flag("--no-memo", no_memo, "work out every ruleset run afresh (slower; the results are the same)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    o.probe_interfaces = !no_interfaces;
    std::vector<std::string> files;
    if (!collect_cases(cases, files)) return 2;
    std::unique_ptr<Config> config = load_server_config(o, "cfkit test");
    if (!config) return 2;
    ServerSetup base;
    base.hosts_switch = hosts_switch_for(*config, app.count("--hosts-switch") > 0, switch_spec);
    if (!load_server_files(o, base, "cfkit test")) return 2;

    Report report;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> xml_body(nullptr, std::fclose);
    if (!junit.empty()) {
        xml_body.reset(std::tmpfile());
        if (!xml_body) {
            std::fprintf(stderr, "cfkit test: cannot make a temporary file for the JUnit report: %s\n",
                         std::strerror(errno));
            return 2;
        }
        report.xml = xml_body.get();
    }
    // Cases are read, run and printed one at a time: memory does not grow
    // with their number (the memo forgets at its limit).
    // the files are taken as unchanged while the sessions run (safefile.hpp)
    remember_file_checks(true);
    RewriteMemo memo(*config);
    if (!no_memo) base.memo = &memo;
    CaseRunner runner(*config, base, verbose);
    const int workers = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(jobs), files.size()));
    if (workers > 1) {
        if (!run_parallel(files, workers, runner, report)) return 2;
    } else {
        for (const std::string& f : files) report.add(runner.run(f));
    }
    std::printf("%d passed, %d failed", report.passed, report.failed + report.unusable);
    if (report.unusable) std::printf(" (%d unusable)", report.unusable);
    std::printf("\n");
    if (!junit.empty()) {
        std::ofstream out(junit);
        if (!out) {
            std::fprintf(stderr, "cfkit test: %s: cannot write the JUnit report\n", junit.c_str());
            return 2;
        }
        out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"cfkit test\" tests=\"" << files.size()
            << "\" failures=\"" << report.failed << "\" errors=\"" << report.unusable << "\">\n";
        std::rewind(report.xml);
        char buf[65536];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, report.xml)) > 0) out.write(buf, static_cast<std::streamsize>(n));
        out << "</testsuite>\n";
        if (!out.flush()) {
            std::fprintf(stderr, "cfkit test: %s: cannot write the JUnit report\n", junit.c_str());
            return 2;
        }
    }
    if (report.unusable) return 2;
    return report.failed ? 1 : 0;
}

} // namespace cfkit
