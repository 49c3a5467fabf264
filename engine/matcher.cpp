// See matcher.hpp. The control flow follows sendmail's goto-based loop in
// rewrite() so that the order in which spans are tried is the same.
#include "engine/matcher.hpp"

#include "engine/limits.hpp"
#include "engine/metachar.hpp"
#include "engine/render.hpp"

namespace cfkit {

namespace {
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
} // namespace

bool token_equal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool match_lhs(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records) {
    records.clear();
    const int nl = static_cast<int>(lhs.size());
    const int na = static_cast<int>(ws.size());
    int ri = 0, ai = 0;

    auto class_id = [&](int r) -> MacroId {
        const std::string& t = lhs[static_cast<std::size_t>(r)];
        return t.size() > 1 ? static_cast<MacroId>(static_cast<unsigned char>(t[1])) : 0;
    };
    // Grows rec.last one token at a time until the phrase is in the class.
    auto extend_class = [&](MatchRecord& rec) -> bool {
        MacroId cls = class_id(rec.pattern);
        for (;;) {
            int next = rec.last + 1;
            if (next >= na) return false;
            rec.last = next;
            std::string phrase = cataddr(ws, static_cast<std::size_t>(rec.first),
                                         static_cast<std::size_t>(rec.last), limits::kMaxLine, 0, true,
                                         env.internal, env.space_sub);
            if (env.classes.contains(cls, phrase)) return true;
        }
    };

    for (;;) {
        bool ok = true;
        if (ai >= na && ri >= nl) return true;
        if (ri >= nl) {
            ok = false;  // pattern used up before the input
        } else {
            const std::string& rp = lhs[static_cast<std::size_t>(ri)];
            unsigned char f = meta::first(rp);
            if (ai >= na && f != meta::MATCHZANY && f != meta::MATCHZERO) {
                ok = false;
            } else {
                switch (f) {
                case meta::MATCHCLASS: {
                    MatchRecord rec{ri, ai, ai - 1};
                    if (extend_class(rec)) {
                        records.push_back(rec);
                        ai = rec.last + 1;
                    } else {
                        ok = false;
                    }
                    break;
                }
                case meta::MATCHNCLASS:
                    if (env.classes.contains(class_id(ri), ws[static_cast<std::size_t>(ai)])) {
                        ok = false;
                        break;
                    }
                    [[fallthrough]];
                case meta::MATCHONE:
                case meta::MATCHANY:
                    records.push_back({ri, ai, ai});
                    ++ai;
                    break;
                case meta::MATCHZANY:
                    records.push_back({ri, ai, ai - 1});
                    break;
                case meta::MATCHZERO:
                    break;
                case meta::MACRODEXPAND: {
                    // The run-time value must spell out the next tokens exactly
                    // (case-insensitively); it is not recorded as a wildcard.
                    MacroId id = rp.size() > 1 ? static_cast<MacroId>(static_cast<unsigned char>(rp[1])) : 0;
                    const std::string* v = env.macros.get(id);
                    if (!v) break;
                    std::size_t vp = 0;
                    int start = ai;
                    std::size_t vlen = v->find('\0');
                    if (vlen == std::string::npos) vlen = v->size();
                    while (vp < vlen) {
                        if (ai >= na) { ok = false; break; }
                        const std::string& tok = ws[static_cast<std::size_t>(ai)];
                        bool same = true;
                        for (std::size_t k = 0; k < tok.size(); ++k) {
                            if (vp + k >= vlen || lower((*v)[vp + k]) != lower(tok[k])) { same = false; break; }
                        }
                        if (!same) { ok = false; break; }
                        vp += tok.size();
                        ++ai;
                    }
                    if (!ok) ai = start;
                    break;
                }
                default:
                    if (!token_equal(rp, ws[static_cast<std::size_t>(ai)])) ok = false;
                    else ++ai;
                    break;
                }
            }
        }
        if (ok) {
            ++ri;
            continue;
        }
        // Back up: widen the most recent wildcard that can still grow.
        bool resumed = false;
        while (!records.empty()) {
            MatchRecord& rec = records.back();
            int next = rec.last + 1;
            if (next >= na) {
                records.pop_back();
                continue;
            }
            unsigned char f = meta::first(lhs[static_cast<std::size_t>(rec.pattern)]);
            if (f == meta::MATCHANY || f == meta::MATCHZANY) {
                rec.last = next;
                ai = next + 1;
                ri = rec.pattern + 1;
                resumed = true;
                break;
            }
            if (f == meta::MATCHCLASS) {
                if (extend_class(rec)) {
                    ai = rec.last + 1;
                    ri = rec.pattern + 1;
                    resumed = true;
                    break;
                }
            }
            records.pop_back();
        }
        if (!resumed) return false;
    }
}

} // namespace cfkit
