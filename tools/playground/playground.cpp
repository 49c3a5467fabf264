// The playground's engine: `cfkit bt` and `cfkit explain` for a web page.
// emcc compiles this file and the engine's stages (text … testmode, explain)
// into WebAssembly (tools/playground/playground.cmake); the page's script
// (page.js) calls the C functions below with the rules and the input
// lines as typed, and shows what they return. Each returns a pointer to
// its result, valid until the next call; cfkit_pg_result_size() is its
// length in bytes.
//
// cfkit_pg_bt() prints what tools/cfkit/cmd_bt.cpp prints for the same
// rules and lines, as `cfkit bt -C playground.cf --hostname
// mail.example.com --no-interfaces --hosts-file /dev/null` run with its
// input from a pipe, without the two banner lines: messages of the file,
// then "> " before each read. The host is fixed (no interfaces, no hosts
// file, no .db files): a page has no machine to probe.
#include <sys/stat.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <string>

#include "engine/config/compile.hpp"
#include "engine/testmode/testmode.hpp"
#include "grammar/cf_parser.hpp"
#ifdef CFKIT_PG_EXPLAIN
#include "engine/explain/explain.hpp"
#endif

namespace cfkit {
namespace {

// The name the file's messages use ("playground.cf: line 3: …").
constexpr const char* kDisplayPath = "playground.cf";

HostInfo playground_host() {
    HostInfo h;
    h.hostname = "mail.example.com";
    h.nodename = "mail.example.com";
    h.user = "root";
    h.now = std::time(nullptr);
    h.pid = 42;  // getpid() under emscripten
    return h;
}

// emscripten's in-memory file system makes / and the directories it
// creates mode 0777, which sendmail's path checks (safefile) would call
// world writable; a machine has 0755 and a sticky /tmp. /etc is there too,
// empty: a file the rules name (F{w}/etc/mail/local-host-names, a map) is
// then missing as on a machine without sendmail's files.
void prepare_filesystem() {
    static bool done = false;
    if (done) return;
    done = true;
    for (const char* dir : {"/", "/dev", "/home", "/home/web_user"}) chmod(dir, 0755);
    chmod("/tmp", 01777);
    mkdir("/etc", 0755);
}

// The rules are compiled again only when their text changed: typing in the
// input pane then costs one test-mode run.
struct Compiled {
    std::string cf;
    std::unique_ptr<Config> config;
    std::string preamble;  // the messages of reading the file
    TextReporter rep;      // as compiling left it (its exit status carries over)
};

Compiled& compiled(const std::string& cf) {
    static Compiled c;
    if (c.config && c.cf == cf) return c;
    prepare_filesystem();
    c.cf = cf;
    c.preamble.clear();
    c.rep = TextReporter{};
    c.rep.out = &c.preamble;
    CompileOptions co;
    co.host = playground_host();
    co.display_path = kDisplayPath;
    c.config = compile_cf(parse_cf(cf, kDisplayPath), co, c.rep);
    c.rep.out = nullptr;
    return c;
}

// cmd_bt.cpp's loop: fgets() with sendmail's 2048-byte buffer (longer lines
// arrive in pieces), "> " before every read, the last one at end of input.
std::string run_bt(const std::string& cf, const std::string& input, int& exit_status) {
    Compiled& c = compiled(cf);
    std::string out = c.preamble;
    TextReporter rep = c.rep;
    rep.out = &out;
    if (c.config->stopped_with) {  // sendmail exited while reading
        exit_status = *c.config->stopped_with;
        return out;
    }
    TestMode tm(*c.config, rep);
    out += tm.startup_debug_text();
    constexpr std::size_t kBuf = 2048;
    std::size_t pos = 0;
    for (;;) {
        if (tm.verbosity() == 2) out += "> ";
        if (pos >= input.size()) break;
        std::size_t n = 0;
        while (n + 1 < kBuf && pos + n < input.size()) {
            if (input[pos + n++] == '\n') break;
        }
        std::string line = input.substr(pos, n);
        pos += n;
        if (!line.empty() && line.back() == '\n') line.pop_back();
        if (tm.verbosity() < 2) out += "> " + line + "\n";
        if (!tm.line(line)) break;
    }
    exit_status = tm.exit_status();
    return out;
}

std::string result;  // what the last call returned, until the next one
int status = 0;      // the exit status of the last cfkit_pg_bt()

const char* give(std::string s) {
    result = std::move(s);
    return result.c_str();
}

} // namespace
} // namespace cfkit

extern "C" {

// The lines' output, as `cfkit bt` prints it after the banner.
const char* cfkit_pg_bt(const char* cf, const char* input) {
    return cfkit::give(cfkit::run_bt(cf, input, cfkit::status));
}

// The exit status `cfkit bt` would have ended that run with.
int cfkit_pg_status() { return cfkit::status; }

// explain_input_json() for the lines (an empty array without the explain stage).
const char* cfkit_pg_explain(const char* cf, const char* input) {
#ifdef CFKIT_PG_EXPLAIN
    cfkit::Compiled& c = cfkit::compiled(cf);
    if (c.config->stopped_with) return cfkit::give("[]");
    return cfkit::give(cfkit::explain_input_json(*c.config, input));
#else
    (void)cf;
    (void)input;
    return cfkit::give("[]");
#endif
}

// The byte length of the string the last call returned (it may hold NULs).
std::size_t cfkit_pg_result_size() { return cfkit::result.size(); }

}  // extern "C"
