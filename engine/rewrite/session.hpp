// The run-time state of one use of a Config: a -bt session now, an SMTP
// session dry run later. Holds what rules can change (macros, classes, map
// state), where messages go, and who watches the rewriting.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "engine/config/config.hpp"
#include "engine/names/maps.hpp"
#include "engine/text/debug_flags.hpp"

namespace cfkit {

// Watches rewrite() as it runs; the -bt driver prints from these calls, a
// JSON tracer records them. All callbacks are optional.
class RewriteObserver {
public:
    virtual ~RewriteObserver() = default;
    virtual void ruleset_enter(int /*rs*/, const std::string& /*name*/, const IdTokens& /*ws*/, int /*depth*/) {}
    virtual void ruleset_return(int /*rs*/, const std::string& /*name*/, const IdTokens& /*ws*/, int /*depth*/) {}
    virtual void rule_try(int /*rs*/, int /*ruleno*/, const Rule& /*rule*/, const IdTokens& /*ws*/) {}
    virtual void rule_match(int /*rs*/, int /*ruleno*/, const Rule& /*rule*/, const std::vector<struct MatchRecord>& /*bindings*/) {}
    virtual void rule_fail(int /*rs*/, int /*ruleno*/, const Rule& /*rule*/) {}
    virtual void rewritten(int /*rs*/, const IdTokens& /*ws*/) {}
    // A line of sendmail's debug output (-d21.x), already formatted.
    virtual void debug_line(const std::string& /*line*/) {}
    // false: only ruleset_enter/return and debug_line are wanted (the
    // interpreter then skips the calls for every rule tried).
    virtual bool wants_rule_events() const { return true; }
    // A RewriteMemo replays whole ruleset runs without their events. An
    // observer that can follow that says so, marks its state before a run,
    // hands over what the run changed in it, and takes such a change back.
    virtual bool memo_safe() const { return false; }
    virtual std::size_t memo_mark() const { return 0; }
    virtual std::shared_ptr<const void> memo_delta(std::size_t /*mark*/) const { return nullptr; }
    virtual void memo_apply(const std::shared_ptr<const void>& /*delta*/) {}
};

class RewriteMemo;

class Session {
public:
    explicit Session(const Config& cfg);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Config& config() const { return *cfg_; }
    const TokenTables& tables();  // fixed at first use if the file fixed none
    // ruleset_display_name(), kept: the interpreter needs it on every call
    const std::string& ruleset_name(int rs);

    Env env;
    MapRuntime maps;
    Reporter* reporter = nullptr;       // required while rules run
    RewriteObserver* observer = nullptr;
    // Whole ruleset runs remembered across sessions (memo.hpp); null: none.
    RewriteMemo* memo = nullptr;
    // Test mode: the top-level run works in the prescan array, and a called
    // ruleset's prescan (a $& value, a map's answer) writes over it, which
    // the caller can see on an early return. Such runs are not remembered.
    bool array_shared = false;

    // sendmail's debug levels (-dC.L), one per category; only category 21
    // (rewriting) produces output in cfkit.
    DebugLevels debug{};
    bool tTd(int category, int level) const { return debug[static_cast<std::size_t>(category)] >= level; }
    void set_debug_flags(const std::string& spec);  // sendmail's tTflag() syntax

    // Sendmail's prescan() returns its tokens in one static array, and a -bt
    // address is rewritten in that very array. Later prescans (of `$&`
    // values, map results) overwrite it, and sendmail restores only the
    // workspace's own slots, not its end marker: when a rule then fails
    // part way, the workspace the next ruleset sees can have grown. cfkit
    // keeps the array's contents here to reproduce that.
    static constexpr TokId kArrayEnd = ~TokId{0};  // the NULL end marker
    std::vector<TokId> prescan_array;
    // Stores the scan in the array; returns its tokens, interned.
    IdTokens record_prescan(const ScanResult& r);
    // copy back into the array (its slots `from` and up)
    void store_workspace(const IdTokens& ws, bool terminate, std::size_t from = 0);
    IdTokens array_workspace();                               // the array up to its first NULL
    // store_workspace(ws, true), put off until the array is next used: most
    // rewrites are followed by another before anything reads the array.
    // `ws` must stay unchanged until flush_store(), which the next
    // record_prescan() or array_workspace() calls.
    void defer_store(const IdTokens& ws) { pending_store_ = &ws; }
    void flush_store() { flush_store_from(0); }
    // Only slots `from` and up (the caller stores the rest right after).
    void flush_store_from(std::size_t from) {
        if (const IdTokens* ws = pending_store_) {
            pending_store_ = nullptr;
            store_workspace(*ws, true, from);
        }
    }

    // sendmail strips the quotes of a `$>"name"` call in place, in the
    // rule itself, the first time the rule fires; =S and -d21 traces show the
    // name without quotes from then on. The RHS tokens so changed:
    std::set<const std::string*> stripped_rhs;
    Tokens shown_rhs(const Rule& r) const;  // the RHS as sendmail would print it now

private:
    const IdTokens* pending_store_ = nullptr;  // see defer_store()
    const Config* cfg_;
    std::optional<TokenTables> tables_;
    std::vector<std::string> ruleset_names_;
    std::unique_ptr<HostsResolver> resolver_;
};

} // namespace cfkit
