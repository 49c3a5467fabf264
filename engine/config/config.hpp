// The second representation: a compiled configuration.
//
// engine/config/compile.cpp builds it from the AST (grammar/ast.hpp) the way
// sendmail's readcf() does; the interpreter (rewrite.hpp) and the test-mode
// driver (testmode.hpp) only read it. Everything that can change while rules
// run (macros, classes, map state) is copied out into a Session.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/config/headers.hpp"
#include "engine/config/rule_facts.hpp"
#include "engine/names/hostinfo.hpp"
#include "engine/names/maps.hpp"
#include "engine/text/diagnostic.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/token_pool.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {

struct Rule {
    Tokens lhs;        // internal-form tokens; empty: matches only an empty workspace
    Tokens rhs;
    // The same tokens interned (token_pool.hpp): what the interpreter runs.
    // Built from lhs/rhs by the compiler (compile.cpp) and never changed
    // apart from them.
    IdTokens lhs_ids, rhs_ids;
    std::vector<MatchOp> lhs_ops;  // make_match_ops(lhs_ids), by Ruleset::add_rule()
    int line = 0;      // the line number sendmail records (-d21.15)
    SourceLoc loc;     // where the R line starts
    int wildcards = 0; // $* $+ $- $= $~ in the LHS, i.e. how many $N exist
};

struct Ruleset {
    std::vector<Rule> rules;
    std::vector<RuleFilter> filters;  // one per rule (add_rule() keeps them in step)
    IdTokens filter_literals;         // see RuleFilter::literals
    void add_rule(Rule r);
    std::string name;  // display name; empty: shown by number
    bool defined = false;  // has had rules (sendmail: RewriteRules[n] != NULL)
};

struct Mailer {
    std::string name;
    int number = 0;
    std::map<char, std::string> fields;  // P= F= S= R= E= A= ... as written
    std::string path;                    // P=
    std::string flags;                   // F= letters, in the order first set
    std::string eol;                     // E= (default chosen after parsing)
    std::vector<std::string> argv;       // A=
    int se_rwset = 0, sh_rwset = 0;      // S=envelope/header
    int re_rwset = 0, rh_rwset = 0;      // R=envelope/header
    long max_size = 0;                   // M=
    int uid = -1, gid = -1;              // U=
    int line_limit = 0;                  // L=
    int max_rcpt = 0;                    // r= (100 when unset)
    std::optional<std::string> charset;  // C=
    std::optional<std::string> mta_type, addr_type, diag_type;  // T=
    SourceLoc loc;
};

struct Options {
    std::optional<std::string> operator_chars;  // OperatorChars / $o
    char blank_sub = ' ';                       // BlankSub (SpaceSub)
    bool eight_bit_ok = false;                  // EightBitAddrOK
    int dont_probe_interfaces = 0;  // 0 probe all, 1 skip loopback names, 2 none
    bool verbose = false;
    bool soft_bounce = false;  // SoftBounce: 5xx replies become 4xx
    // UseCompressedIPv6Addresses: how IPv6 addresses print (dns maps'
    // AAAA answers); off in Debian's binary, built with IPV6_FULL.
    bool compressed_ipv6 = false;
    DontBlame dont_blame;  // DontBlameSendmail: the bits of every line, in order
    // DaemonPortOptions, one per line as setsockaddroptions() reads it (a
    // key counts by its first letter): Name=, Addr=, Family= ("" unset).
    struct Daemon {
        std::string name, addr, family;
    };
    std::vector<Daemon> daemons;
    std::optional<std::string> help_file;
    std::map<std::string, std::string> raw;     // every option as set, by long name
};

struct Config {
    std::string path;
    int config_level = 0;
    std::array<Ruleset, limits::kMaxRulesets> rulesets;
    // Named rulesets (case-sensitive); -1: named but without a number.
    // Mutable because sendmail's strtorwset() gives such a name a number
    // even when it only looks it up (a `$>bar` after a failed `Sbar=`).
    mutable std::map<std::string, int> ruleset_ids;
    mutable int next_named_ruleset = limits::kMaxRulesets;
    // rwset_find()'s answers that found a ruleset, by the text looked up.
    mutable std::unordered_map<std::string, int> ruleset_find_cache;
    mutable std::vector<int> ruleset_find_by_token;  // the same by token id (-1: not found yet)
    Env env;                                  // macros and classes after reading
    std::shared_ptr<MapTable> maps;  // declared while reading; read-only after
    std::vector<Mailer> mailers;
    HeaderTable headers;                    // HdrInfo and what H lines add
    std::vector<std::string> queue_groups;  // Q lines' names ("mqueue" exists always)
    std::map<std::string, std::string> queue_group_paths;  // a Q line's P= by its name
    Options options;
    // The token tables, fixed by the first tokenization (normally the first R
    // line). Unset if the file tokenized nothing.
    std::optional<TokenTables> tables;
    HostInfo host;  // the machine as it was when the file was read
    // Set when reading ended the way sendmail's finis() ends it (an unknown
    // delivery mode): nothing after that line was read, and sendmail exits
    // with this status before test mode starts.
    std::optional<int> stopped_with;

    // strtorwset(..., ST_FIND) without the messages: -1 if unknown.
    int find_ruleset(const std::string& name) const;
    const Mailer* find_mailer(const std::string& name) const;
};

} // namespace cfkit
