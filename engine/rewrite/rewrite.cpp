// See rewrite.hpp. After a rule matches, the new workspace is built in
// sendmail's four phases: substitution, map lookups, subroutine calls, copy
// back (semantics.md section 4). Limits and messages are sendmail's.
#include "engine/rewrite/rewrite.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "engine/config/compile.hpp"
#include "engine/config/rulesets.hpp"
#include "engine/rewrite/matcher.hpp"
#include "engine/rewrite/memo.hpp"
#include "engine/rewrite/rule_filter.hpp"
#include "engine/text/debug_flags.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"

namespace cfkit {

Session::Session(const Config& cfg) : env(cfg.env), cfg_(&cfg) {
    if (cfg.tables) tables_ = cfg.tables;
    resolver_ = std::make_unique<HostsResolver>(cfg.host.hosts, &env.macros);
    maps.resolver = resolver_.get();
    maps.compressed_ipv6 = cfg.options.compressed_ipv6;
    maps.dont_blame = cfg.options.dont_blame;
}

const TokenTables& Session::tables() {
    if (!tables_) tables_ = freeze_token_tables(cfg_->options, cfg_->config_level, env);
    return *tables_;
}

const std::string& Session::ruleset_name(int rs) {
    if (ruleset_names_.empty()) {
        for (int i = 0; i < static_cast<int>(cfg_->rulesets.size()); ++i)
            ruleset_names_.push_back(ruleset_display_name(*cfg_, i));
    }
    return ruleset_names_[static_cast<std::size_t>(rs)];
}

void Session::set_debug_flags(const std::string& spec) { apply_debug_spec(debug, spec); }

IdTokens Session::record_prescan(const ScanResult& r) {
    flush_store();
    IdTokens ids = intern_tokens(r.tokens);
    std::size_t n = ids.size();
    if (prescan_array.size() < n + 1) prescan_array.resize(n + 1, kArrayEnd);
    std::copy(ids.begin(), ids.end(), prescan_array.begin());
    if (r.terminated) prescan_array[n] = kArrayEnd;
    return ids;
}

void Session::store_workspace(const IdTokens& ws, bool terminate, std::size_t from) {
    if (prescan_array.size() < ws.size() + 1) prescan_array.resize(ws.size() + 1, kArrayEnd);
    for (std::size_t i = from; i < ws.size(); ++i) prescan_array[i] = ws[i];
    if (terminate) prescan_array[ws.size()] = kArrayEnd;
}

IdTokens Session::array_workspace() {
    flush_store();
    IdTokens ws;
    for (TokId t : prescan_array) {
        if (t == kArrayEnd) break;
        ws.push_back(t);
    }
    return ws;
}

namespace {

constexpr int EX_OK = 0, EX_DATAERR = 65, EX_TEMPFAIL = 75, EX_CONFIG = 78;

// stripquotes(): drop every '"', and '\c' becomes 'c'.
std::string stripquotes(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < s.size()) out.push_back(s[++i]);
            continue;
        }
        if (c == '"') continue;
        out.push_back(c);
    }
    return out;
}

} // namespace

Tokens Session::shown_rhs(const Rule& r) const {
    if (stripped_rhs.empty()) return r.rhs;
    Tokens out = r.rhs;
    for (std::size_t k = 0; k < out.size(); ++k)
        if (stripped_rhs.count(&r.rhs[k])) out[k] = stripquotes(out[k]);
    return out;
}

namespace {

// The vectors one run() (and its callsubr()) works in, kept from one call
// to the next so that rewriting does not allocate them each time. A run at
// recursion level L uses the set for L; the rulesets it calls run at L+1,
// and nothing else runs rules while it does, so no two active runs share one.
struct Scratch {
    IdTokens npvp;                    // the new workspace (run)
    std::vector<MatchRecord> mlist;   // the matcher's bindings (run)
    struct Call {
        int rs;
        std::size_t index;
    };
    std::vector<Call> calls;          // the calls found (callsubr)
    IdTokens tail;                    // a call's argument (callsubr)
    WorkspaceIndex index;             // the prefilter's view of the workspace (run)
};

Scratch& scratch(int level) {
    thread_local std::vector<std::unique_ptr<Scratch>> pool;
    if (level < 0) level = 0;  // rewrite() is called with level 0
    while (pool.size() <= static_cast<std::size_t>(level)) pool.push_back(std::make_unique<Scratch>());
    return *pool[static_cast<std::size_t>(level)];
}

// Passes messages on and counts them: a remembered run (memo.hpp) must
// have given none.
class CountingReporter : public Reporter {
public:
    explicit CountingReporter(Reporter& to) : to_(to) {
        loc = to.loc;
        sendmail_line = to.sendmail_line;
    }
    std::uint64_t sent = 0;
    void report(Diagnostic d) override {
        ++sent;
        to_.report(std::move(d));
    }

private:
    Reporter& to_;
};

class Rewriter {
public:
    // `counter`: the session's reporter wrapped, when runs are remembered
    Rewriter(Session& s, CountingReporter* counter)
        : s_(s), cfg_(s.config()), rep_(counter ? *counter : *s.reporter), pool_(token_pool()),
          memo_(counter ? s.memo : nullptr), counter_(counter) {}

    int run(IdTokens& ws, int rs, int reclevel, int maxatom, bool in_array);

private:
    // The interpreter proper; run() consults the memo around it.
    int run_rules(IdTokens& ws, int rs, int reclevel, int maxatom, bool in_array);
    // Phase 2: `$( map key $@ arg $: default $)` and `$[ host $]`.
    bool lookups(IdTokens& npvp, int maxatom, int& rstat, int& err);
    // Phase 3: `$>name` calls, right to left.
    int callsubr(IdTokens& npvp, int reclevel, const Rule& rule);

    // -d21.x output, as sendmail's sm_dprintf() lines.
    void dbg(const std::string& line) {
        if (s_.observer) s_.observer->debug_line(line);
    }
    std::string av(const Tokens& t) const { return printav(t, s_.env.names); }
    std::string av(const IdTokens& t) const { return printav(t, s_.env.names); }
    // macname(): the name of a macro id as -d21.2 shows it inside ${...}
    std::string macro_name(MacroId id) const {
        if (id <= 0x20 || id > 0x7f) {
            const std::string& n = s_.env.names.name_of(id);
            return n.empty() ? "***UNDEFINED MACRO***" : n;
        }
        return std::string(1, static_cast<char>(id));
    }

    Session& s_;
    const Config& cfg_;
    Reporter& rep_;
    TokenPool& pool_;
    RewriteMemo* const memo_;
    CountingReporter* const counter_;
};

int Rewriter::run(IdTokens& ws, int rs, int reclevel, int maxatom, bool in_array) {
    if (!memo_ || in_array) return run_rules(ws, rs, reclevel, maxatom, in_array);
    int status = 0;
    if (memo_->replay(s_, ws, rs, reclevel, maxatom, status)) return status;
    memo_->begin(ws, rs, reclevel, maxatom, counter_->sent, s_.observer ? s_.observer->memo_mark() : 0);
    status = run_rules(ws, rs, reclevel, maxatom, in_array);
    memo_->end(s_, ws, status, counter_->sent);
    return status;
}

int Rewriter::run_rules(IdTokens& ws, int rs, int reclevel, int maxatom, bool in_array) {
    // An early return leaves the workspace as the shared array now holds it.
    auto early = [&](int status) {
        if (in_array) ws = s_.array_workspace();
        return status;
    };
    // The deferred copy of the workspace into the prescan array is made
    // before `ws` goes back to the caller, however this returns.
    struct FlushOnExit {
        Session& s;
        bool on;
        ~FlushOnExit() {
            if (on) s.flush_store();
        }
    } flush_on_exit{s_, in_array};
    const std::string& name = s_.ruleset_name(rs);
    // Observers of every rule tried (not the -bt printer): called only then.
    RewriteObserver* const robs = s_.observer && s_.observer->wants_rule_events() ? s_.observer : nullptr;
    if (s_.observer) s_.observer->ruleset_enter(rs, name, ws, reclevel);
    if (reclevel++ > limits::kMaxRuleRecursion) {
        rep_.syserr("rewrite: excessive recursion (max " + std::to_string(limits::kMaxRuleRecursion) +
                    "), ruleset " + name);
        return EX_CONFIG;
    }
    if (maxatom <= 0) {
        if (memo_) memo_->poison();  // (no message says so)
        return 64;                   // EX_USAGE
    }

    const Ruleset& ruleset = cfg_.rulesets[static_cast<std::size_t>(rs)];
    const std::vector<Rule>& rules = ruleset.rules;
    const TokenTable& internal = s_.tables().internal;
    MatchEnv menv{s_.env.classes, s_.env.macros, internal, cfg_.options.blank_sub};
    if (s_.tTd(21, 35)) {
        menv.on_step = [this](const std::string& line) { dbg(line); };
        menv.step_level = s_.debug[21];
        menv.names = &s_.env.names;
    }
    if (s_.tTd(21, 2)) {
        menv.on_macro = [this](MacroId id, const std::string* v) {
            dbg("rewrite: LHS $&{" + macro_name(id) + "} => \"" + (v ? *v : std::string("(NULL)")) + "\"\n");
        };
    } else if (memo_) {
        menv.on_macro = [this](MacroId id, const std::string* v) { memo_->macro_read(id, v); };
    }
    Scratch& sc = scratch(reclevel - 1);
    std::vector<MatchRecord>& mlist = sc.mlist;
    // The quick test skips the matcher, so not while its steps are traced
    // (and only with a filter for every rule: Ruleset::add_rule() keeps them).
    const bool quick = !s_.tTd(21, 2) && ruleset.filters.size() == rules.size();
    const RuleFilter* const filters = ruleset.filters.data();
    const TokId* const literals = ruleset.filter_literals.data();
    WorkspaceIndex& index = sc.index;
    bool canonnet = false;  // the workspace starts with $#: no rule is tried
    auto summarize = [&]() {
        index.build(ws);
        canonnet = !ws.empty() && pool_.first(ws[0]) == meta::CANONNET;
    };
    summarize();
    auto could_match = [&](std::size_t ri) { return !quick || index.could_match(filters[ri], literals); };
    int rstat = EX_OK;
    // The new workspace of a matching rule. It lives across rules and trades
    // buffers with `ws` (swap at copy back), so rewriting does not allocate
    // a fresh vector each time.
    IdTokens& npvp = sc.npvp;
    std::size_t ri = 0;
    int ruleno = 1;
    int loopcount = 0;
    while (ri < rules.size()) {
        if (canonnet) break;
        const Rule& rule = rules[ri];
        if (robs) robs->rule_try(rs, ruleno, rule, ws);
        if (s_.tTd(21, 12)) {
            dbg((s_.tTd(21, 15) ? "-----trying rule (line " + std::to_string(rule.line) + "):" : std::string("-----trying rule:")) +
                av(rule.lhs));
        }
        if (++loopcount > limits::kLoopLimit) {
            rep_.syserr("Infinite loop in ruleset " + name + ", rule " + std::to_string(ruleno));
            if (s_.tTd(21, 1)) dbg("workspace: " + av(ws));
            break;
        }
        menv.ws_folds = index.folds();
        menv.lhs_ops = rule.lhs_ops.data();
        if (!could_match(ri) || !match_lhs(rule.lhs_ids, ws, menv, mlist)) {
            if (s_.tTd(21, 10)) dbg("----- rule fails\n");
            if (robs) robs->rule_fail(rs, ruleno, rule);
            ++ri;
            ++ruleno;
            loopcount = 0;
            continue;
        }
        if (robs) robs->rule_match(rs, ruleno, rule, mlist);
        if (s_.tTd(21, 12)) dbg("-----rule matches:" + av(s_.shown_rhs(rule)));

        // Phase 1: prefix and substitution.
        std::size_t rv = 0;
        const IdTokens& rhs = rule.rhs_ids;
        if (!rhs.empty()) {
            unsigned char f = pool_.first(rhs[0]);
            if (f == meta::CANONUSER) {
                rv = 1;
                ++ri;
                ++ruleno;
                loopcount = 0;
            } else if (f == meta::CANONHOST) {
                rv = 1;
                ri = rules.size();
            }
        }
        npvp.clear();
        npvp.reserve(ws.size() + rhs.size());
        // Phases 2 and 3 look at every token for `$(`, `$[` and `$>`; most
        // new workspaces have none, which is noted here while they are built.
        unsigned char marks = 0;
        auto note = [&](TokId t) { marks |= pool_.marks(t); };
        auto toolong = [&]() {
            rep_.syserr("rewrite: expansion too long");
            return early(EX_DATAERR);
        };
        for (; rv < rhs.size(); ++rv) {
            const TokId rpid = rhs[rv];
            unsigned char f = pool_.first(rpid);
            if (f == meta::MATCHREPL) {
                const std::string_view rp = pool_.view(rpid);
                int n = rp.size() > 1 ? static_cast<unsigned char>(rp[1]) - '1' : -1;
                if (n < 0 || n >= static_cast<int>(mlist.size())) {
                    rep_.syserr("rewrite: ruleset " + name + ": replacement $" +
                                std::string(1, rp.size() > 1 ? rp[1] : '\0') + " out of bounds");
                    return early(EX_CONFIG);
                }
                const MatchRecord& m = mlist[static_cast<std::size_t>(n)];
                if (s_.tTd(21, 15)) {
                    // sendmail prints each token's address; cfkit prints a
                    // stand-in (the token's position), as addresses differ anyway
                    std::string line = "$" + std::string(1, rp[1]) + ":";
                    for (int k = m.first; k <= m.last; ++k) {
                        char buf[32];
                        std::snprintf(buf, sizeof buf, " 0x%x=\"", 0x1000 + k);
                        line += buf + pool_.text(ws[static_cast<std::size_t>(k)]) + "\"";
                    }
                    dbg(line + "\n");
                }
                if (m.last >= m.first) {
                    // (sendmail checks before each token it copies: the same test)
                    if (static_cast<int>(npvp.size()) + (m.last - m.first + 1) > maxatom) return toolong();
                    // (copied and noted in one loop: spans are short, and a
                    // range insert is a call to memmove)
                    std::size_t to = npvp.size();
                    npvp.resize(to + static_cast<std::size_t>(m.last - m.first + 1));
                    for (int k = m.first; k <= m.last; ++k) {
                        const TokId t = ws[static_cast<std::size_t>(k)];
                        npvp[to++] = t;
                        note(t);
                    }
                }
                continue;
            }
            if (static_cast<int>(npvp.size()) >= maxatom) return toolong();
            if (f != meta::MACRODEXPAND) {
                npvp.push_back(rpid);
                note(rpid);
                continue;
            }
            const std::string_view rp = pool_.view(rpid);
            MacroId id = rp.size() > 1 ? static_cast<MacroId>(static_cast<unsigned char>(rp[1])) : 0;
            const std::string* mval = s_.env.macros.get(id);
            if (memo_) memo_->macro_read(id, mval);
            if (s_.tTd(21, 2)) {
                dbg("rewrite: RHS $&{" + macro_name(id) + "} => \"" + (mval ? *mval : std::string("(NULL)")) + "\"\n");
            }
            if (!mval || mval->empty()) continue;
            ScanOptions so;
            so.bufsize = limits::kPsBufSize;
            ScanResult r = prescan(*mval, s_.tables().external, so);
            for (const std::string& e : r.errors) rep_.usrerr(e);
            if (r.truncated_input) s_.env.macros.set(id, mval->substr(0, limits::kMaxName));
            if (memo_ && s_.array_shared) memo_->poison();
            const IdTokens ids = s_.record_prescan(r);
            if (!r.ok) return early(EX_DATAERR);  // errors, or no tokens at all: both NULL in sendmail
            for (TokId t : ids) {
                if (s_.tTd(21, 19)) dbg(" ... " + pool_.text(t) + "\n");
                npvp.push_back(t);
                note(t);
                if (static_cast<int>(npvp.size()) >= maxatom) return toolong();
            }
            if (s_.tTd(21, 19)) dbg(" ... DONE\n");
            // sendmail puts the workspace's slots back, but not its end marker
            if (in_array) s_.store_workspace(ws, false);
        }

        // Phase 2: map lookups.
        int err = 0;
        if ((marks & TokenPool::kMarkLookup) && !lookups(npvp, maxatom, rstat, err)) return early(err);

        // Phase 3: subroutine calls.
        // (a map's result can bring in a `$>`)
        int status = marks & (TokenPool::kMarkLookup | TokenPool::kMarkCall) ? callsubr(npvp, reclevel, rule) : EX_OK;
        if (rstat == EX_OK || status == EX_TEMPFAIL) rstat = status;

        // Phase 4: copy back.
        // Storing a shorter workspace over a longer one leaves the longer
        // one's tail and end marker in the array (sendmail shows them
        // later): those slots are stored now; the new workspace covers the
        // others. A workspace at least as long covers every slot the
        // previous one wrote, so then storing the newest alone is the same.
        if (in_array && npvp.size() < ws.size()) s_.flush_store_from(npvp.size() + 1);
        ws.swap(npvp);  // npvp keeps the old buffer for the next match
        summarize();
        if (in_array) s_.defer_store(ws);
        if (s_.tTd(21, 4)) dbg("rewritten as:" + av(ws));
        if (robs) robs->rewritten(rs, ws);
    }
    if (s_.observer) s_.observer->ruleset_return(rs, name, ws, reclevel - 1);
    return rstat;
}

bool Rewriter::lookups(IdTokens& npvp, int maxatom, int& rstat, int& err) {
    std::size_t i = 0;
    while (i < npvp.size()) {
        unsigned char f = pool_.first(npvp[i]);
        unsigned char endtoken;
        std::string mapname;
        std::size_t hb = i;
        if (f == meta::HOSTBEGIN) {
            endtoken = meta::HOSTEND;
            mapname = "host";
            ++i;
        } else if (f == meta::LOOKUPBEGIN) {
            endtoken = meta::LOOKUPEND;
            ++i;
            if (i >= npvp.size()) {
                rep_.syserr("rewrite: missing mapname");
                err = EX_CONFIG;
                return false;
            }
            mapname = pool_.text(npvp[i++]);
        } else {
            ++i;
            continue;
        }
        const MapDef* map = cfg_.maps ? cfg_.maps->find(mapname) : nullptr;
        if (!map) rep_.syserr("rewrite: map " + mapname + " not found");

        // Split key / $@ arguments / $: default; each segment ends at the
        // next $@, $: or the end token.
        const std::size_t key_start = i;
        std::size_t key_end = std::string::npos;
        std::size_t seg = std::string::npos;
        std::size_t def_start = std::string::npos, def_end = std::string::npos;
        std::vector<std::string> args;
        int psbuf_left = limits::kPsBufSize;
        auto close_arg = [&](std::size_t end) {
            std::string a = cataddr(npvp, seg, end == seg ? seg : end - 1, psbuf_left, 0, true,
                                    s_.tables().internal, cfg_.options.blank_sub);
            if (end == seg) a.clear();
            if (args.size() < 9) args.push_back(a);
            psbuf_left -= static_cast<int>(a.size()) + 1;
            seg = std::string::npos;
        };
        while (i < npvp.size() && pool_.first(npvp[i]) != endtoken) {
            unsigned char nt = pool_.first(npvp[i]);
            if (nt != meta::CANONHOST && nt != meta::CANONUSER) {
                ++i;
                continue;
            }
            if (key_end == std::string::npos) key_end = i;
            if (def_start != std::string::npos && def_end == std::string::npos) def_end = i;
            if (seg != std::string::npos) close_arg(i);
            if (nt == meta::CANONHOST) {
                seg = i + 1;
            } else {
                def_start = i + 1;
                def_end = std::string::npos;
            }
            ++i;
        }
        const std::size_t end = i;  // the end token, or npvp.size()
        if (key_end == std::string::npos) key_end = end;
        if (def_start != std::string::npos && def_end == std::string::npos) def_end = end;
        if (seg != std::string::npos) close_arg(end);
        if (args.size() > 8) args.resize(8);  // only 8 arguments survive (MAX_MAP_ARGS)
        IdTokens trailing;
        if (end < npvp.size()) trailing.assign(npvp.begin() + static_cast<long>(end) + 1, npvp.end());

        auto join = [&](std::size_t a, std::size_t b, int spacesub, bool external) {
            if (b <= a) return std::string();
            return cataddr(npvp, a, b - 1, limits::kMaxKey, spacesub, external, s_.tables().internal,
                           cfg_.options.blank_sub);
        };
        std::string key = join(key_start, key_end, map ? static_cast<unsigned char>(map->space_sub) : 0, true);

        std::optional<std::string> replac;
        if (map) {
            MapLookupContext ctx{s_.env, s_.maps, rep_, cfg_.maps.get()};
            const bool usable = open_map(*map, ctx);
            const bool added = memo_ && RewriteMemo::has_added(s_.maps, *map);
            if (memo_) memo_->map_opened(*map, usable, added);
            if (usable) {
                if (!map->keep_quotes) key = stripquotes(key);
                std::vector<std::string> argv{key};
                argv.insert(argv.end(), args.begin(), args.end());
                // -d60: map_lookup()'s trace; the class's own messages land
                // between "=> " and the result, as in sendmail
                if (s_.tTd(60, 1)) {
                    std::string line = "map_lookup(" + map->name + ", " + xputs(key, s_.env.names);
                    if (s_.tTd(60, 5))
                        for (std::size_t k = 0; k < argv.size(); ++k) line += ", %" + std::to_string(k) + "=" + argv[k];
                    dbg(line + ") => ");
                }
                MapResult r = lookup_map(*map, key, argv, ctx);
                if (memo_) memo_->map_answer(*map, key, argv, r, s_.env.names, added);
                replac = r.value;
                // MF_SECURE is cleared before it is printed: "ad=" is always 0
                if (s_.tTd(60, 1))
                    dbg((r.value ? *r.value : std::string("NOT FOUND")) + " (" + std::to_string(r.status) + "), ad=0\n");
                if (r.status == EX_TEMPFAIL && !map->no_defer) {
                    rstat = EX_TEMPFAIL;
                    if (s_.tTd(60, 1))
                        dbg("map_lookup(" + map->name + ", " + key + ") tempfail: errno=" + std::to_string(r.error) + "\n");
                }
                if (r.status == EX_TEMPFAIL && map->tempfail_append) {
                    replac = key + *map->tempfail_append;
                    if (s_.tTd(60, 4)) dbg("map_lookup tempfail: returning \"" + *replac + "\"\n");
                }
            }
        }
        bool external = replac.has_value();
        if (!replac && def_start != std::string::npos) replac = join(def_start, def_end, 0, false);

        IdTokens result;
        if (!replac) {
            result.assign(npvp.begin() + static_cast<long>(key_start), npvp.begin() + static_cast<long>(key_end));
        } else if (!replac->empty()) {
            ScanOptions so;
            so.bufsize = limits::kPsBufSize;
            ScanResult r = prescan(*replac, external ? s_.tables().external : s_.tables().internal, so);
            for (const std::string& e : r.errors) rep_.usrerr(e);
            if (memo_ && s_.array_shared) memo_->poison();
            IdTokens ids = s_.record_prescan(r);
            if (!r.ok) {
                err = EX_DATAERR;
                return false;
            }
            result = std::move(ids);
        }

        npvp.resize(hb);
        auto too_long = [&]() {
            rep_.syserr("rewrite: expansion too long");
            err = EX_DATAERR;
            return false;
        };
        for (TokId t : result) {
            npvp.push_back(t);
            if (static_cast<int>(npvp.size()) >= maxatom) return too_long();
        }
        i = npvp.size();
        for (TokId t : trailing) {
            npvp.push_back(t);
            if (static_cast<int>(npvp.size()) >= maxatom) return too_long();
        }
    }
    return true;
}

int Rewriter::callsubr(IdTokens& npvp, int reclevel, const Rule& rule) {
    Scratch& sc = scratch(reclevel - 1);  // the set of the run() calling this
    std::vector<Scratch::Call>& calls = sc.calls;
    calls.clear();
    for (std::size_t j = 0; j < npvp.size(); ++j) {
        if (pool_.first(npvp[j]) != meta::CALLSUBR || j + 1 >= npvp.size()) continue;
        const std::string& name = pool_.text(npvp[j + 1]);
        if (pool_.marks(npvp[j + 1]) & TokenPool::kMarkQuoted) {  // else stripquotes() changes nothing
            std::string bare = stripquotes(name);
            if (bare != name) {
                // the name came from the rule's own RHS: sendmail changed the rule
                for (std::size_t k = 1; k < rule.rhs.size(); ++k)
                    if (meta::first(rule.rhs[k - 1]) == meta::CALLSUBR && rule.rhs[k] == name)
                        s_.stripped_rhs.insert(&rule.rhs[k]);
            }
            npvp[j + 1] = pool_.intern(bare);
        }
        const std::string& subname = pool_.text(npvp[j + 1]);
        int subr = rwset_find(cfg_, npvp[j + 1], rep_);
        if (subr < 0) {
            rep_.syserr("Unknown ruleset " + subname);
            return EX_CONFIG;
        }
        if (!cfg_.rulesets[static_cast<std::size_t>(subr)].defined) {
            if (s_.tTd(21, 3)) dbg("-----skip subr " + subname + " (" + std::to_string(subr) + ")\n");
            // An empty ruleset is not called; the token that moves into
            // position j is not looked at again (sendmail's loop does the same).
            npvp.erase(npvp.begin() + static_cast<long>(j), npvp.begin() + static_cast<long>(j) + 2);
            continue;
        }
        if (static_cast<int>(calls.size()) + 1 >= limits::kMaxSubr) {
            rep_.syserr("Too many subroutine calls (" + std::to_string(limits::kMaxSubr) + " max)");
            return EX_CONFIG;
        }
        calls.push_back({subr, j});
    }
    int rstat = EX_OK;
    for (auto c = calls.rbegin(); c != calls.rend(); ++c) {
        // The call's argument is everything after `$> name`; the call
        // itself is dropped.
        IdTokens& tail = sc.tail;
        tail.assign(npvp.begin() + static_cast<long>(c->index) + 2, npvp.end());
        npvp.resize(c->index);
        int status = run(tail, c->rs, reclevel, limits::kMaxAtom - static_cast<int>(c->index), false);
        npvp.insert(npvp.end(), tail.begin(), tail.end());
        if (status != EX_OK && status != EX_TEMPFAIL) return status;
        if (rstat == EX_OK || status == EX_TEMPFAIL) rstat = status;
    }
    return rstat;
}

} // namespace

int rewrite(Session& s, IdTokens& ws, int rs, int reclevel, int maxatom, bool in_prescan_array) {
    // Runs are remembered only where nothing watches them rule by rule.
    // (a run in the prescan array is not, but the rulesets it calls are: run())
    const bool memo = s.memo && &s.memo->config() == &s.config() && s.debug[21] == 0 && s.debug[60] == 0 &&
                      (!s.observer || s.observer->memo_safe());
    if (!memo) {
        Rewriter r(s, nullptr);
        return r.run(ws, rs, reclevel, maxatom, in_prescan_array);
    }
    CountingReporter counter(*s.reporter);
    Rewriter r(s, &counter);
    return r.run(ws, rs, reclevel, maxatom, in_prescan_array);
}

int rewrite(Session& s, Tokens& ws, int rs, int reclevel, int maxatom) {
    IdTokens ids = intern_tokens(ws);
    int status = rewrite(s, ids, rs, reclevel, maxatom, false);
    ws = token_texts(ids);
    return status;
}

} // namespace cfkit
