// See memo.hpp.
#include "engine/rewrite/memo.hpp"

#include <algorithm>

#include "engine/rewrite/session.hpp"
#include "engine/text/diagnostic.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {
constexpr std::size_t kRunsPerKey = 8;  // versions of one call kept (different answers read)

// (by name, in the session at hand: a long name a session interned itself
// may have another id in the next session, so a Write keeps the name)
MacroId macro_of(const std::string& key, MacroNames& names) {
    CollectingReporter sink;  // (the run already said anything there was to say)
    return static_cast<MacroId>(macid_parse(key, 0, names, sink).id);
}
} // namespace

bool RewriteMemo::has_added(const MapRuntime& rt, const MapDef& map) {
    return !rt.added.empty() && rt.added.count(map.key) > 0;
}

std::uint64_t RewriteMemo::hash(int rs, int reclevel, int maxatom, const IdTokens& ws) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&](std::uint64_t v) {
        h ^= v;
        h *= 1099511628211ull;
    };
    mix(static_cast<std::uint64_t>(rs));
    mix(static_cast<std::uint64_t>(reclevel));
    mix(static_cast<std::uint64_t>(maxatom));
    for (TokId t : ws) mix(t);
    return h ^ (h >> 29);
}

bool RewriteMemo::holds(Session& s, const Run& r) {
    struct Undo {
        MacroId id;
        std::optional<std::string> old;
    };
    std::vector<Undo> undo;
    auto fail = [&]() {
        for (auto u = undo.rbegin(); u != undo.rend(); ++u) s.env.macros.restore(u->id, std::move(u->old));
        return false;
    };
    for (const Step& st : r.steps) {
        switch (st.kind) {
        case Step::Macro: {
            const std::string* v = s.env.macros.get(st.macro);
            if (v ? !st.value || *v != *st.value : st.value.has_value()) return fail();
            break;
        }
        case Step::Open: {
            // (a map not yet opened in this session is opened now, as the
            // run would have: its messages are the ones the run would give)
            MapLookupContext ctx{s.env, s.maps, *s.reporter, s.config().maps.get()};
            if (open_map(*st.map, ctx) != st.usable) return fail();
            // answers from the map's own data were not recorded: they hold
            // only while the session has added none
            if (!st.added && has_added(s.maps, *st.map)) return fail();
            break;
        }
        case Step::Lookup: {
            // messages while a remembered run is checked are not the run's:
            // any makes the check fail, and they are dropped
            CollectingReporter sink;
            MapLookupContext ctx{s.env, s.maps, sink, s.config().maps.get()};
            MapResult now = lookup_map(*st.map, st.key, st.argv, ctx);
            if (!sink.diagnostics.empty() || now.status != st.status || now.value != st.value) return fail();
            break;
        }
        case Step::Write: {
            MacroId id = macro_of(st.key, s.env.names);
            undo.push_back({id, s.env.macros.slot(id)});
            MapLookupContext ctx{s.env, s.maps, *s.reporter, s.config().maps.get()};
            lookup_map(*st.map, st.key, st.argv, ctx);
            break;
        }
        }
    }
    return true;
}

bool RewriteMemo::replay(Session& s, IdTokens& ws, int rs, int reclevel, int maxatom, int& status) {
    auto it = runs_.find(hash(rs, reclevel, maxatom, ws));
    const Slot* slot = nullptr;
    if (it != runs_.end())
        for (const Slot& sl : it->second)
            if (sl.key.same(rs, reclevel, maxatom, ws)) slot = &sl;
    if (slot) {
        for (const Run& r : slot->runs) {
            if (!holds(s, r)) continue;
            ++stats_.hits;
            // the caller's run read and wrote what this one did
            if (!frames_.empty())
                for (const Step& st : r.steps) add_step(frames_.back(), st, s.env.names);
            if (r.observer_delta && s.observer) s.observer->memo_apply(r.observer_delta);
            ws = r.result;
            status = r.status;
            return true;
        }
    }
    ++stats_.misses;
    return false;
}

void RewriteMemo::begin(const IdTokens& ws, int rs, int reclevel, int maxatom, std::uint64_t messages,
                        std::size_t obs_mark) {
    Frame& f = frames_.emplace_back();
    f.key = Key{rs, reclevel, maxatom, ws};
    f.messages = messages;
    f.obs_mark = obs_mark;
}

void RewriteMemo::end(Session& s, const IdTokens& result, int status, std::uint64_t messages) {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    if (messages != f.messages) f.poisoned = true;
    if (!frames_.empty()) {
        Frame& p = frames_.back();
        if (f.poisoned) p.poisoned = true;
        for (const Step& st : f.run.steps) add_step(p, st, s.env.names);
    }
    if (f.poisoned) {
        ++stats_.not_stored;
        return;
    }
    f.run.result = result;
    f.run.status = status;
    if (s.observer) f.run.observer_delta = s.observer->memo_delta(f.obs_mark);
    if (count_ >= max_runs_) {
        runs_.clear();
        count_ = 0;
        ++stats_.flushes;
    }
    std::vector<Slot>& slots = runs_[hash(f.key.rs, f.key.reclevel, f.key.maxatom, f.key.ws)];
    Slot* slot = nullptr;
    for (Slot& sl : slots)
        if (sl.key.same(f.key.rs, f.key.reclevel, f.key.maxatom, f.key.ws)) slot = &sl;
    if (!slot) {
        slots.push_back(Slot{std::move(f.key), {}});
        slot = &slots.back();
    }
    std::vector<Run>& v = slot->runs;
    if (v.size() >= kRunsPerKey) v.erase(v.begin());
    else ++count_;
    v.push_back(std::move(f.run));
    ++stats_.stored;
}

void RewriteMemo::add_step(Frame& f, const Step& st, MacroNames& names) {
    switch (st.kind) {
    case Step::Macro:
        // a value this run put there itself, or one already recorded
        if (f.written.test(st.macro) || f.read.test(st.macro)) return;
        f.read.set(st.macro);
        break;
    case Step::Open:
        if (std::find(f.opened.begin(), f.opened.end(), st.map) != f.opened.end()) return;
        f.opened.push_back(st.map);
        break;
    case Step::Lookup:
        break;
    case Step::Write:
        if (MacroId id = macro_of(st.key, names)) f.written.set(id);
        break;
    }
    f.run.steps.push_back(st);
}

void RewriteMemo::macro_read(MacroId id, const std::string* value) {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (f.written.test(id) || f.read.test(id)) return;
    Step st;
    st.kind = Step::Macro;
    st.macro = id;
    if (value) st.value = *value;
    f.read.set(id);
    f.run.steps.push_back(std::move(st));
}

void RewriteMemo::map_opened(const MapDef& map, bool usable, bool added) {
    if (frames_.empty()) return;
    Frame& f = frames_.back();
    if (std::find(f.opened.begin(), f.opened.end(), &map) != f.opened.end()) return;
    Step st;
    st.kind = Step::Open;
    st.map = &map;
    st.usable = usable;
    st.added = added;
    f.opened.push_back(&map);
    f.run.steps.push_back(std::move(st));
}

void RewriteMemo::map_answer(const MapDef& map, const std::string& key, const std::vector<std::string>& argv,
                             const MapResult& r, MacroNames& names, bool added) {
    if (frames_.empty()) return;
    // A program or socket map does something each time it is asked (and a
    // sequence or switch may ask one): checking a recorded answer would ask
    // again, so such runs are worked out every time, as sendmail does.
    if (map.answers == MapDef::Answers::Acting) {
        poison();
        return;
    }
    const bool write = map.cls == MapClass::Macro;
    if (!write && !added && map.answers == MapDef::Answers::Fixed) return;
    Step st;
    st.kind = write ? Step::Write : Step::Lookup;
    st.map = &map;
    st.key = key;
    st.argv = argv;
    st.value = r.value;
    st.status = r.status;
    add_step(frames_.back(), st, names);
}

void RewriteMemo::poison() {
    if (!frames_.empty()) frames_.back().poisoned = true;
}

} // namespace cfkit
