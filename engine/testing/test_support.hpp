// Test-only helpers: run a .cf text through the whole pipeline with a fixed
// host (mail.example.com, no interfaces, no hosts file) and get -bt output.
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include "engine/config/compile.hpp"
#include "engine/rewrite/matcher.hpp"
#include "engine/testmode/testmode.hpp"
#include "engine/text/metachar.hpp"
#include "grammar/cf_parser.hpp"

namespace cfkit::testing {

inline HostInfo fixed_host() {
    HostInfo h;
    h.hostname = "mail.example.com";
    h.nodename = "mail.example.com";
    h.user = "root";
    return h;
}

struct BtRun {
    std::string preamble;  // messages before the banner
    std::string output;    // everything after the banner (prompts included)
    int exit_status = 0;
};

// Feeds `input` line by line as cfkit bt does (Verbose 2: "> " before each read).
inline BtRun run_bt(const std::string& cf, const std::string& input, const std::string& path = "t.cf") {
    BtRun r;
    std::string out;
    TextReporter rep;
    rep.out = &out;
    CompileOptions co;
    co.host = fixed_host();
    co.display_path = path;
    auto config = compile_cf(parse_cf(cf, path), co, rep);
    r.preamble = out;
    out.clear();
    TestMode tm(*config, rep);
    std::istringstream in(input);
    std::string line;
    for (;;) {
        out += "> ";
        if (!std::getline(in, line)) break;
        if (!tm.line(line)) break;
    }
    r.output = out;
    r.exit_status = tm.exit_status();
    return r;
}

// A config compiled with the fixed host (or `host`); its messages go to
// `diags`, which callers check.
inline std::unique_ptr<Config> compile_fixed(const std::string& cf, Diagnostics& diags,
                                             const HostInfo& host = fixed_host()) {
    CollectingReporter rep;
    CompileOptions co;
    co.host = host;
    auto config = compile_cf(parse_cf(cf, "t.cf"), co, rep);
    diags = rep.diagnostics;
    return config;
}

inline Tokens toks(std::initializer_list<const char*> l) {
    Tokens t;
    for (const char* s : l) t.emplace_back(s);
    return t;
}

// The small world of the exhaustive matcher tests: class R with one- and
// several-token members, macros m (a.b) and e (empty).
struct MatchWorld {
    Classes classes;
    Macros macros;
    TokenTables tables = make_token_tables(".:@[]");
    MatchWorld() {
        for (const char* w : {"example.com", "a", "a.b", "b b", "[127.0.0.1]"}) classes.add('R', w);
        macros.set('m', "a.b");
        macros.set('e', "");
    }
    MatchEnv env() const { return MatchEnv{classes, macros, tables.internal, ' '}; }
};

// An LHS written with sendmail's `$` spelling ("$*", "$=R", "$&m"...), in
// internal form.
inline Tokens pattern(std::initializer_list<const char*> l) {
    Tokens out;
    for (std::string s : l) {
        if (s == "$*") s = std::string(1, char(meta::MATCHZANY));
        else if (s == "$+") s = std::string(1, char(meta::MATCHANY));
        else if (s == "$-") s = std::string(1, char(meta::MATCHONE));
        else if (s == "$@") s = std::string(1, char(meta::MATCHZERO));
        else if (s.rfind("$=", 0) == 0) s = std::string(1, char(meta::MATCHCLASS)) + s.substr(2);
        else if (s.rfind("$~", 0) == 0) s = std::string(1, char(meta::MATCHNCLASS)) + s.substr(2);
        else if (s.rfind("$&", 0) == 0) s = std::string(1, char(meta::MACRODEXPAND)) + s.substr(2);
        out.push_back(s);
    }
    return out;
}

// Every sequence of up to `max_len` of `words`, the empty one first and
// shorter ones before longer: the inputs of the exhaustive tests.
inline std::vector<Tokens> all_sequences(const Tokens& words, std::size_t max_len) {
    std::vector<Tokens> out{{}};
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i].size() == max_len) continue;
        for (const std::string& w : words) {
            Tokens t = out[i];
            t.push_back(w);
            out.push_back(t);
        }
    }
    return out;
}

} // namespace cfkit::testing
