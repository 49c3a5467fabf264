// explain_match(): reference_matcher.cpp's enumeration in sendmail's order
// (the last wildcard varies fastest, shorter spans first), writing down
// what it tries.
#include "engine/explain/explain_matcher.hpp"

#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"

namespace cfkit {

namespace {

struct Story {
    const Tokens& lhs;
    const Tokens& ws;
    const MatchEnv& env;
    MatchStory& out;
    std::vector<MatchRecord> recs;

    bool in_class(MacroId cls, int first, int last) const {
        std::string phrase = cataddr(ws, static_cast<std::size_t>(first), static_cast<std::size_t>(last),
                                     limits::kMaxLine, 0, true, env.internal, env.space_sub);
        return env.classes.contains(cls, phrase);
    }

    // The failure that got furthest through the pattern, then through the
    // tokens: "x expected at LOCAL" says more than "$* ran to the end".
    void fail_at(std::size_t i, int j) {
        const int e = static_cast<int>(i);
        if (e > out.fail_element || (e == out.fail_element && j > out.fail_token)) {
            out.fail_token = j;
            out.fail_element = static_cast<int>(i);
        }
    }

    void step(std::size_t i, int first, int last, bool widened) {
        ++out.step_count;
        if (widened) ++out.backtracks;
        if (static_cast<int>(out.steps.size()) < MatchStory::kMaxSteps)
            out.steps.push_back({static_cast<int>(i), first, last, widened});
    }

    bool take(std::size_t i, int first, int last) {
        recs.push_back({static_cast<int>(i), first, last});
        if (go(i + 1, last + 1)) return true;
        recs.pop_back();
        return false;
    }

    bool go(std::size_t i, int j) {
        const int n = static_cast<int>(ws.size());
        if (i == lhs.size()) {
            if (j == n) return true;
            fail_at(i, j);
            return false;
        }
        const std::string& p = lhs[i];
        const unsigned char f = meta::first(p);
        const MacroId id = p.size() > 1 ? static_cast<MacroId>(static_cast<unsigned char>(p[1])) : 0;
        if (j >= n && f != meta::MATCHZANY && f != meta::MATCHZERO) {
            fail_at(i, j);
            return false;
        }
        switch (f) {
        case meta::MATCHZANY:
        case meta::MATCHANY: {
            const int start = f == meta::MATCHZANY ? j - 1 : j;
            for (int last = start; last < n; ++last) {
                step(i, j, last, last > start);
                if (take(i, j, last)) return true;
            }
            return false;
        }
        case meta::MATCHONE:
            step(i, j, j, false);
            return take(i, j, j);
        case meta::MATCHNCLASS:
            if (env.classes.contains(id, ws[static_cast<std::size_t>(j)])) {
                fail_at(i, j);
                return false;
            }
            step(i, j, j, false);
            return take(i, j, j);
        case meta::MATCHCLASS: {
            bool any = false;
            for (int last = j; last < n; ++last) {
                if (!in_class(id, j, last)) continue;
                step(i, j, last, any);
                any = true;
                if (take(i, j, last)) return true;
            }
            if (!any) fail_at(i, j);
            return false;
        }
        case meta::MATCHZERO:
            return take(i, j, j - 1);
        case meta::MACRODEXPAND: {
            const std::string* v = env.macros.get(id);
            if (!v) return take(i, j, j - 1);
            std::string acc;
            int k = j;
            while (acc.size() < v->size()) {
                if (k >= n) {
                    fail_at(i, k);
                    return false;
                }
                acc += ws[static_cast<std::size_t>(k++)];
                if (!token_equal(acc, v->substr(0, std::min(acc.size(), v->size())))) {
                    fail_at(i, k - 1);
                    return false;
                }
            }
            if (acc.size() != v->size()) {
                fail_at(i, k);
                return false;
            }
            return take(i, j, k - 1);
        }
        default:
            if (!token_equal(p, ws[static_cast<std::size_t>(j)])) {
                fail_at(i, j);
                return false;
            }
            return take(i, j, j);
        }
    }
};

}  // namespace

MatchStory explain_match(const Tokens& lhs, const Tokens& ws, const MatchEnv& env) {
    MatchStory out;
    Story s{lhs, ws, env, out, {}};
    out.matched = s.go(0, 0);
    if (out.matched) {
        out.spans = s.recs;
        out.fail_token = out.fail_element = -1;
    }
    return out;
}

}  // namespace cfkit
