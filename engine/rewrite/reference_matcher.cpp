// Test-only: a slow, obviously-correct LHS matcher to check matcher.cpp
// against (RE2 checks its engines against a backtracker the same way).
//
// It enumerates every way to split the workspace among the pattern's
// elements, in sendmail's preference order (the last wildcard varies
// fastest, shorter spans first), and returns the first split that fits.
#include "engine/rewrite/reference_matcher.hpp"

#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"

namespace cfkit {

namespace {

struct Ref {
    const Tokens& lhs;
    const Tokens& ws;
    const MatchEnv& env;
    std::vector<MatchRecord> recs;

    bool in_class(MacroId cls, int first, int last) const {
        std::string phrase = cataddr(ws, static_cast<std::size_t>(first), static_cast<std::size_t>(last),
                                     limits::kMaxLine, 0, true, env.internal, env.space_sub);
        return env.classes.contains(cls, phrase);
    }

    // Tries pattern element i at input position j; the first success in
    // sendmail's order wins.
    bool go(std::size_t i, int j) {
        const int n = static_cast<int>(ws.size());
        if (i == lhs.size()) return j == n;
        const std::string& p = lhs[i];
        unsigned char f = meta::first(p);
        MacroId id = p.size() > 1 ? static_cast<MacroId>(static_cast<unsigned char>(p[1])) : 0;
        // sendmail gives up on any element but $* and $@ at the end of input
        if (j >= n && f != meta::MATCHZANY && f != meta::MATCHZERO) return false;
        switch (f) {
        case meta::MATCHZANY:
        case meta::MATCHANY:
            for (int last = (f == meta::MATCHZANY ? j - 1 : j); last < n; ++last) {
                recs.push_back({static_cast<int>(i), j, last});
                if (go(i + 1, last + 1)) return true;
                recs.pop_back();
            }
            return false;
        case meta::MATCHONE:
            recs.push_back({static_cast<int>(i), j, j});
            if (go(i + 1, j + 1)) return true;
            recs.pop_back();
            return false;
        case meta::MATCHNCLASS:
            if (env.classes.contains(id, ws[static_cast<std::size_t>(j)])) return false;
            recs.push_back({static_cast<int>(i), j, j});
            if (go(i + 1, j + 1)) return true;
            recs.pop_back();
            return false;
        case meta::MATCHCLASS:
            for (int last = j; last < n; ++last) {
                if (!in_class(id, j, last)) continue;
                recs.push_back({static_cast<int>(i), j, last});
                if (go(i + 1, last + 1)) return true;
                recs.pop_back();
            }
            return false;
        case meta::MATCHZERO:
            return go(i + 1, j);
        case meta::MACRODEXPAND: {
            const std::string* v = env.macros.get(id);
            if (!v) return go(i + 1, j);
            std::string acc;
            int k = j;
            while (acc.size() < v->size()) {
                if (k >= n) return false;
                acc += ws[static_cast<std::size_t>(k++)];
                if (!token_equal(acc, v->substr(0, std::min(acc.size(), v->size())))) return false;
            }
            if (acc.size() != v->size()) return false;
            return go(i + 1, k);
        }
        default:
            if (!token_equal(p, ws[static_cast<std::size_t>(j)])) return false;
            return go(i + 1, j + 1);
        }
    }
};

} // namespace

bool reference_match(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records) {
    Ref r{lhs, ws, env, {}};
    bool ok = r.go(0, 0);
    records = ok ? r.recs : std::vector<MatchRecord>{};
    return ok;
}

} // namespace cfkit
