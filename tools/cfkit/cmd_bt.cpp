// cfkit bt: sendmail's address test mode. Reads the same input as
// `sendmail -bt -C FILE` and writes the same bytes.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "engine/config/compile.hpp"
#include "engine/testmode/testmode.hpp"
#include "grammar/cf_parser.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "tools/cfkit/dns_input.hpp"

namespace cfkit {

namespace {

void write_out(const std::string& s) {
    if (!s.empty()) std::fwrite(s.data(), 1, s.size(), stdout);
}

// fgets(buf, size, stdin) over our own buffer, so that stdout is flushed
// only when the next read may block (someone typing, or a pipe that is
// waiting for our answer), not once per line: a batch of addresses from a
// file then costs a few large writes instead of one per line.
class LineReader {
public:
    // Like fgets: up to size-1 bytes, through the first LF; false at end of
    // input with nothing read.
    bool get(char* buf, std::size_t size) {
        std::size_t n = 0;
        while (n + 1 < size) {
            if (pos_ == len_ && !fill()) break;
            char c = data_[pos_++];
            buf[n++] = c;
            if (c == '\n') break;
        }
        buf[n] = '\0';
        return n > 0;
    }

private:
    bool fill() {
        if (eof_) return false;
        std::fflush(stdout);
        for (;;) {
            ssize_t r = ::read(0, data_, sizeof data_);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) {
                eof_ = true;
                return false;
            }
            pos_ = 0;
            len_ = static_cast<std::size_t>(r);
            return true;
        }
    }
    char data_[65536];
    std::size_t pos_ = 0, len_ = 0;
    bool eof_ = false;
};

} // namespace

int cmd_bt(int argc, char** argv) {
    // Big output blocks when the output is not a terminal (a batch run
    // writes megabytes); a terminal keeps its line buffering. (glibc ignores
    // the size unless it is given the buffer.)
    static char out_buf[1 << 16];
    if (!isatty(1)) std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    CLI::App app{"Address test mode: run rulesets as `sendmail -bt -C FILE` does, byte for byte."};
    app.name("cfkit bt");
    std::string cf;
    std::optional<std::string> hostname;
    bool no_interfaces = false;
    bool verbose = false, no_memo = false;
    std::string hosts_file = "/etc/hosts";
    std::vector<std::string> options;
    std::vector<std::string> debug;
    std::string cf_dir = kDefaultCfDir;
    std::optional<std::string> dns_file;
    std::string switch_spec = "files dns";
    app.add_option("-C,--config", cf, "the .cf file (or a .mc, expanded with m4)")->required();
    app.add_option("--cf-dir", cf_dir, "sendmail-cf's cf directory, for .mc files")->capture_default_str();
    app.add_option("--hostname", hostname, "host name to use instead of this machine's");
    app.add_flag("--no-interfaces", no_interfaces, "leave network interfaces out of $=w");
    app.add_option("--hosts-file", hosts_file, "hosts file for host name lookups")->capture_default_str();
    app.add_option("--dns-records", dns_file,
                   "DNS records to answer name lookups from (NAME A IP, NAME AAAA IPv6, NAME MX PREF HOST, "
                   "ADDR PTR NAME, NAME TXT TEXT, NAME TEMP; one a line)");
    app.add_option("--hosts-switch", switch_spec,
                   "with --dns-records: the service switch's hosts line (default: the hosts line of the "
                   "ServiceSwitchFile option's file, when it is set)")
        ->capture_default_str();
    app.add_option("-O", options, "set an option as on sendmail's command line (Name=value)");
    app.add_option("-d", debug, "debug flags, as sendmail's -d (0: start-up, 21: rewriting, 60: map lookups)");
    app.add_flag("-v", verbose, "echo each input line (sendmail's verbose mode)");
    app.add_flag("--no-memo", no_memo, "work out every called ruleset's run afresh (slower; the output is the same)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 64;
    }

    std::optional<DnsRecords> records;
    if (dns_file) {
        records = read_dns_records(*dns_file);
        if (!records) return 64;
    }

    // readcf(): a missing or unreadable file ends the run, as in sendmail.
    struct stat st {};
    if (stat(cf.c_str(), &st) != 0) {
        int err = errno;
        std::printf("%s: line 0: cannot open: %s\n", cf.c_str(), std::strerror(err));
        return 72;
    }
    if (!S_ISREG(st.st_mode)) {
        std::printf("%s: line 0: not a plain file\n", cf.c_str());
        return 72;
    }
    std::ifstream in(cf, std::ios::binary);
    if (!in) {
        int err = errno;
        std::printf("%s: line 0: cannot open: %s\n", cf.c_str(), std::strerror(err));
        return 72;
    }
    std::string content;
    if (cf.size() > 3 && cf.compare(cf.size() - 3, 3, ".mc") == 0) {
        std::string error;
        std::optional<ConfigText> t = read_config(cf, cf_dir, error);
        if (!t) {
            std::fprintf(stderr, "cfkit bt: %s\n", error.c_str());
            return 72;
        }
        content = std::move(t->content);
    } else {
        std::stringstream ss;
        ss << in.rdbuf();
        content = ss.str();
    }

    ProbeOptions po;
    po.hostname = hostname;
    po.probe_interfaces = !no_interfaces;
    po.hosts_file = hosts_file;

    CompileOptions co;
    co.host = probe_host(po);
    co.display_path = cf;
    co.sticky_options = options;
    for (const std::string& d : debug) apply_debug_spec(co.debug, d);

    std::string out;
    TextReporter rep;
    rep.out = &out;
    CfFile ast = parse_cf(content, cf);
    std::unique_ptr<Config> config = compile_cf(ast, co, rep);
    if (config->stopped_with) {  // sendmail exited while reading
        write_out(out);
        return *config->stopped_with;
    }
    TestMode tm(*config, rep);
    if (no_memo) tm.no_memo();
    // Without --dns-records the session keeps its hosts-file resolver (the
    // switch's "hosts files").
    std::unique_ptr<NameService> names;
    if (records) {
        NameServiceSetup ns{config->host.hosts, std::move(*records),
                            hosts_switch_for(*config, app.count("--hosts-switch") > 0, switch_spec),
                            config->host.hostname, {}};
        // switch_map_find() reads the ServiceSwitchFile at the first host
        // lookup: its path's directories are walked (warnings at Verbose 2)
        ns.on_switch_read = [&tm, &rep, &config] {
            if (tm.verbosity() < 2) return;
            auto it = config->options.raw.find("ServiceSwitchFile");
            std::string path = it == config->options.raw.end() ? "/etc/mail/service.switch" : it->second;
            for (const std::string& w : switch_file_warnings(path, config->options.dont_blame)) rep.message(w);
        };
        names = std::make_unique<NameService>(std::move(ns), &tm.session().env);
        tm.session().maps.resolver = names.get();
    }
    tm.session().debug = co.debug;  // the command line's -d, parsed once above
    if (verbose) tm.set_verbosity(1);
    if (isatty(0)) tm.set_verbosity(2);
    out += tm.startup_debug_text();
    out += tm.banner();
    write_out(out);
    out.clear();

    // fgets() with sendmail's 2048-byte buffer: longer lines arrive in pieces.
    char buf[2048];
    static LineReader input;  // static: its buffer is large
    for (;;) {
        if (tm.verbosity() == 2) std::fputs("> ", stdout);
        if (!input.get(buf, sizeof buf)) break;
        std::size_t n = std::strlen(buf);
        if (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
        if (tm.verbosity() < 2) std::printf("> %s\n", buf);
        bool go_on = tm.line(std::string_view(buf, n));
        write_out(out);
        out.clear();
        if (!go_on) break;
    }
    std::fflush(stdout);
    return tm.exit_status();
}

} // namespace cfkit
