// Whole ruleset runs remembered with what they read, so that a run with
// the same input, seeing the same answers, is not worked out again.
//
// A run of ruleset R on workspace W is determined by W, R, the recursion
// level, the atom limit, and what it reads as it goes: `$&x` macros (left
// and right hand sides), the answers of maps whose data can differ from one
// session to the next (host, dns, program, sequence ... maps), and whether
// its maps open. Maps read from files (hash, btree, text, regex ...) and
// the pure ones (arith, dequote ...) answer the same key the same way for
// the whole process, so they are not recorded: the key is already
// determined by what was checked before it. A remembered run is replayed
// only when every recorded read, checked in the order it was made, gives
// the recorded answer; the run would then take the same path to the same
// result. Its writes (`macro` map) are made again.
//
// Runs that report a message, hit a limit or ask a program or socket map
// are not remembered. A map the session added entries to (a script's `map`
// lines) has its answers recorded like a host map's (has_added). Sessions
// turn the memo off when their scripts change classes (session_run.cpp);
// test mode clears it when a `.C` line adds to a class, and does not keep
// runs that write into its shared prescan array (session.hpp).
// rewrite.cpp calls it. memo_test.cpp runs calls with and without it;
// tools/oracle/sessiondiff.py --batch plays each config's sessions through
// one process (one memo), forward and reversed, against the daemon's replies.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/names/maps.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/token_pool.hpp"

namespace cfkit {

struct Config;
class Session;

class RewriteMemo {
public:
    // For sessions on `cfg` only. The memo forgets everything when it holds
    // `max_runs` runs (memory stays bounded however many sessions use it: a
    // few MB at the default).
    explicit RewriteMemo(const Config& cfg, std::size_t max_runs = 20000) : cfg_(&cfg), max_runs_(max_runs) {}
    const Config& config() const { return *cfg_; }

    struct Stats {
        std::uint64_t hits = 0, misses = 0, stored = 0, not_stored = 0, flushes = 0;
    };
    const Stats& stats() const { return stats_; }
    // Forgets every run (after a change the runs do not record, such as a
    // class member added).
    void clear() {
        runs_.clear();
        count_ = 0;
    }

    // --- called by the interpreter ---
    // A remembered run of `rs` on `ws` that holds now: `ws` becomes its
    // result, its writes are made, and true is returned with its status.
    bool replay(Session& s, IdTokens& ws, int rs, int reclevel, int maxatom, int& status);
    // Around a run worked out: begin() before it (with the reporter's
    // message count), end() after.
    void begin(const IdTokens& ws, int rs, int reclevel, int maxatom, std::uint64_t messages, std::size_t obs_mark);
    void end(Session& s, const IdTokens& result, int status, std::uint64_t messages);
    // What the current run reads and writes.
    void macro_read(MacroId id, const std::string* value);
    // `added`: the session added entries to the map (a script's `map` lines):
    // its answers are then the session's, recorded like a host map's.
    void map_opened(const MapDef& map, bool usable, bool added);
    void map_answer(const MapDef& map, const std::string& key, const std::vector<std::string>& argv,
                    const MapResult& r, MacroNames& names, bool added);
    void poison();  // the current run cannot be replayed

    static bool has_added(const MapRuntime& rt, const MapDef& map);

private:
    // What a run read or wrote, in the order it did.
    struct Step {
        enum Kind : std::uint8_t { Macro, Open, Lookup, Write } kind = Macro;
        MacroId macro = 0;
        bool usable = false;  // Open
        bool added = false;   // Open: the session had added entries to the map
        const MapDef* map = nullptr;
        std::string key;
        std::vector<std::string> argv;
        std::optional<std::string> value;  // Macro: the value read; Lookup: the answer
        int status = 0;                    // Lookup
    };
    struct Run {
        std::vector<Step> steps;
        IdTokens result;
        int status = 0;
        std::shared_ptr<const void> observer_delta;
    };
    struct Key {
        int rs = 0, reclevel = 0, maxatom = 0;
        IdTokens ws;
        bool same(int r, int l, int m, const IdTokens& w) const {
            return rs == r && reclevel == l && maxatom == m && ws == w;
        }
    };
    static std::uint64_t hash(int rs, int reclevel, int maxatom, const IdTokens& ws);
    // The runs of one call (rs, level, limit, workspace).
    struct Slot {
        Key key;
        std::vector<Run> runs;
    };
    struct Frame {
        Key key;
        Run run;
        std::uint64_t messages = 0;
        std::size_t obs_mark = 0;
        bool poisoned = false;
        std::bitset<256> written;     // macros this run wrote (later reads of them are its own doing)
        std::bitset<256> read;        // macros already recorded
        std::vector<const MapDef*> opened;  // maps already recorded as opened
    };

    // Checks the run's reads in order, making its writes as they come; on a
    // difference the writes are undone and false returned.
    bool holds(Session& s, const Run& r);
    // adds a step to frame `f` (a read already known to it is left out)
    void add_step(Frame& f, const Step& st, MacroNames& names);

    // by the key's hash (looked up without copying the workspace); slots
    // whose keys share a hash sit side by side
    std::unordered_map<std::uint64_t, std::vector<Slot>> runs_;
    std::size_t count_ = 0;
    const Config* cfg_;
    std::size_t max_runs_;
    std::vector<Frame> frames_;
    Stats stats_;
};

} // namespace cfkit
