// Maps: K-line declarations (makemapentry/map_parseargs) and lookups
// (map_lookup and the per-class lookup functions in sendmail's map.c).
//
// A MapTable is built once while the file is read and is then read-only;
// what changes at run time (opened, failed, messages already given) lives in
// a MapRuntime that each session owns.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/names/safefile.hpp"
#include "engine/text/diagnostic.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

// sysexits.h values that map lookups report.
namespace ex {
constexpr int OK = 0;
constexpr int USAGE = 64;
constexpr int DATAERR = 65;
constexpr int NOUSER = 67;
constexpr int NOHOST = 68;
constexpr int UNAVAILABLE = 69;
constexpr int SOFTWARE = 70;
constexpr int OSERR = 71;
constexpr int OSFILE = 72;
constexpr int TEMPFAIL = 75;
constexpr int CONFIG = 78;
constexpr int NOTFOUND = NOHOST;  // EX_NOTFOUND is EX_NOHOST
} // namespace ex

// What getcanonname() leaves behind: whether the name was found, the
// buffer as it ends up (the canonical name; when nothing was found, the
// name perhaps without its final dot), and h_errno TRY_AGAIN.
struct CanonAnswer {
    bool found = false;
    std::string host;
    bool try_again = false;
};

// getmxrr()'s result: the hosts (with a final dot), the count sendmail
// returns (-1 on an error, kNullMx for RFC 7505's "MX 0 ."), its rcode.
struct MxAnswer {
    static constexpr int kNullMx = -2;
    int count = 0;
    std::vector<std::string> hosts;
    int rcode = 0;
};

// gethostbyaddr(): the name, or nullopt with h_errno TRY_AGAIN or not.
struct AddrAnswer {
    std::optional<std::string> name;
    bool try_again = false;
};

// res_search() for the dns map: the answers' values in order, or the failure.
struct DnsAnswer {
    bool ok = false;
    std::vector<std::pair<int, std::string>> records;  // (type, value as sendmail prints it)
    bool try_again = false;                             // h_errno TRY_AGAIN
};

// Host name answers for `host`, `bestmx`, `dns` maps, `$[ $]`, /canon and
// /mx. Tests fill one in memory; the default reads the hosts file. The
// second group has defaults built on the first (a switch without "dns");
// engine/names/name_service.hpp overrides them with sendmail's algorithms.
class Resolver {
public:
    virtual ~Resolver() = default;
    // Canonical name for a host name, or nullopt if unknown.
    virtual std::optional<std::string> canonical_name(const std::string& host) const = 0;
    // Host name for an address literal (without brackets), or nullopt.
    virtual std::optional<std::string> name_for_address(const std::string& addr) const = 0;
    // No answer because of a temporary failure (SERVFAIL, a timeout).
    virtual bool temporary_failure(const std::string& /*host*/) const { return false; }

    // UseNameServer: "dns" is in the switch's hosts line.
    virtual bool uses_name_server() const { return false; }
    // getcanonname(host, trymx); `search`: RES_DNSRCH|RES_DEFNAMES are on.
    virtual CanonAnswer getcanonname(const std::string& host, bool trymx, bool search) const;
    // getmxrr(host) without DROPLOCALHOST and FallbackMX.
    virtual MxAnswer getmxrr(const std::string& host, bool search) const;
    virtual AddrAnswer host_by_address(const std::string& addr) const;
    virtual DnsAnswer dns_lookup(const std::string& /*name*/, int /*type*/) const { return {}; }
};

// getmxrr()'s `punt` path, when there are no MX records to use: an address
// literal stands for itself; with `trycanon` (no MX records, or no such name
// in the DNS) the canonical name of the host, or of "[name]"'s name.
MxAnswer getmxrr_punt(const Resolver& r, const std::string& host, bool trycanon, int rcode, bool search);

// Parsed K line. Flag fields follow map_parseargs(); class-specific options
// are kept by the class's own parser in `impl`.
// The map classes compiled into Debian's sendmail, in its order: lookups
// dispatch on this, not on the class's name.
enum class MapClass : unsigned char {
    Hash, Btree, Nis, Nisplus, Ldap, Dns, Bestmx, Host, Text, Stab, Implicit, User, Dequote, Regex,
    Userdb, Program, Sequence, Switch, Null, Syslog, Macro, Arith, Arpa, Socket
};

struct MapDef {
    std::string name;        // as written on the K line
    std::string key;         // the name lower-cased: the key of MapRuntime's tables
    std::string class_name;  // lower-cased
    MapClass cls = MapClass::Null;
    // How the class's answers may be remembered (engine/rewrite/memo.hpp):
    // Fixed: the same for a key for the whole process (files read once,
    // pure functions); PerSession: they can differ between sessions (host,
    // dns ...); Acting: each lookup does something (a program runs).
    enum class Answers : unsigned char { Fixed, PerSession, Acting } answers = Answers::PerSession;
    bool valid = false;      // the class's parse routine accepted the line
    bool optional = false;   // -o
    bool keep_quotes = false;  // -q (and dequote-style maps)
    bool no_fold = false;    // -f
    bool match_only = false; // -m
    bool no_defer = false;   // -t
    bool defer = false;      // -D
    bool try_no_null = true;   // db maps: look the key up without a trailing NUL (off with -N)
    bool try_null = true;      // ... and with one (off with -O)
    bool alias = false;        // an AliasFile entry's map (MF_ALIAS)
    std::string append;      // -a
    std::optional<std::string> tempfail_append;  // -T
    char space_sub = ' ';    // -S, default the BlankSub at K-line time
    std::string file;        // the file name argument, if the class takes one
    std::string args;        // the rest of the line after the flags
    std::shared_ptr<const void> impl;  // class-specific compiled state
};

struct MapResult {
    std::optional<std::string> value;  // nullopt: not found
    int status = 0;                    // EX_* value
    int error = 0;                     // errno after a temporary failure (-d60 prints it)
};

// What fileclass() got from an `F{X}key@class:spec` line.
struct FileClassResult {
    enum Step { NoClass, ParseFailed, OpenFailed, LookedUp };
    Step step = NoClass;            // how far it went
    bool optional = false;          // the spec had -o
    int status = 0;                 // the lookup's EX_* status
    std::optional<std::string> value;
};

class MapTable {
public:
    // makemapentry(): `line` is the K line after `K`, macro-expanded.
    // Messages go to `rep` in sendmail's words.
    void declare(std::string_view line, char blank_sub, Reporter& rep);

    // Adds the maps sendmail defines after reading the file (inithostmaps():
    // `host` unless the file declared one, ...). `config_level` picks flags.
    void finish(int config_level, Reporter& rep);

    const MapDef* find(const std::string& name) const;  // case-insensitive

    // fileclass()'s `F{X}key@class:spec` (readcf.c): a map of its own named
    // `name`, parsed from `spec`, opened with the class's open and looked
    // up once; the class's messages go to `rep`.
    FileClassResult file_class_lookup(const std::string& name, const std::string& cls, const std::string& spec,
                                      const std::string& key, char blank_sub, Env& env, Reporter& rep) const;
    const std::map<std::string, MapDef>& all() const { return maps_; }

    // setalias() (alias.c) for an AliasFile option: each comma-separated
    // `[class:]spec` becomes a map Alias0, Alias1 ... (class implicit when
    // none is named), with setalias()'s messages for classes that are
    // unknown or cannot hold aliases and the class's own for the spec.
    void set_alias(const std::string& value, char blank_sub, Reporter& rep);

private:
    std::map<std::string, MapDef> maps_;  // key: lower-cased name
    int alias_maps_ = 0;                  // NAliasFileMaps
};

// Per-session map state (sendmail keeps it in the map structs).
class DbFile;

// An open hash/btree file and which key forms still get tried: like
// sendmail, the first hit with or without the trailing NUL fixes the form.
struct DbState {
    std::shared_ptr<DbFile> file;
    bool try_no_null = true;
    bool try_null = true;
};

struct MapRuntime {
    std::map<std::string, int> open_state;  // 0 unopened, 1 open, -1 failed (bogus), -2 failed optional
    std::map<std::string, DbState> dbs;     // key: lower-cased map name
    // Entries a session script added (`map NAME KEY VALUE`): found before
    // the map's own data. Keys as the map would fold them.
    std::map<std::string, std::map<std::string, std::string>> added;
    const Resolver* resolver = nullptr;
    bool compressed_ipv6 = false;  // Options::compressed_ipv6
    // safefile()'s checks of map files: for whom, relaxed by which
    // DontBlameSendmail words, and whether its warnings print (Verbose 2:
    // test mode without -v).
    FileUser file_user = FileUser::current();
    DontBlame dont_blame;
    bool warn_unsafe = false;
    int verbose = 0;  // sendmail's Verbose: 2 in test mode, 1 with -v
    // The C library's h_errno as the host map last left it (1: the failed
    // start-up lookups leave HOST_NOT_FOUND; a reverse lookup that finds a
    // name sets 0). A `[...]` key that is no address gets its status from it.
    int h_errno_value = 1;
    // sendmail's namecanon cache: every host-class map remembers the first
    // answer for a name (exact spelling) for the rest of the run, and a hit
    // also restores the h_errno of that lookup.
    struct CanonEntry {
        std::optional<std::string> answer;
        int status = 0;
        int h_errno_value = 0;
    };
    std::map<std::string, CanonEntry> namecanon;
};

class MapTable;

struct MapLookupContext {
    Env& env;             // the `macro` map sets macros
    MapRuntime& runtime;
    Reporter& rep;
    const MapTable* table = nullptr;  // for sequence and switch members
};

// The class lookup for one map, with sendmail's map_lookup() around it
// except quote stripping and -T handling, which rewrite() does itself:
// opens the map on first use (reporting failures), applies the class's
// lookup, `-m`, `-a` and %n rewriting. `key` is the stripped key; argv[0]
// is the key as well, argv[1..] the `$@` arguments.
// DYNOPENMAP/openmap(): opens on first use; false if the map is not usable
// (invalid K line, or open failed: the failure is reported once).
bool open_map(const MapDef& map, MapLookupContext& ctx);

MapResult lookup_map(const MapDef& map, const std::string& key,
                     const std::vector<std::string>& argv, MapLookupContext& ctx);

} // namespace cfkit
