// See matcher.hpp. The control flow follows sendmail's goto-based loop in
// rewrite() so that the order in which spans are tried is the same.
#include "engine/rewrite/matcher.hpp"

#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/render.hpp"

namespace cfkit {

namespace {
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// What cataddr() makes of tokens in a `$=X` phrase (the external form):
// a separator between two atoms, and a METAQUOTE before another byte dropped.
bool atom_token(const TokenPool& pool, const TokenTable& internal, TokId t) {
    return !pool.view(t).empty() && internal[pool.first(t)] == CharType::ATM;
}
// The first byte a token puts in a phrase (the token is not empty).
unsigned char phrase_lead(std::string_view tok) {
    unsigned char c = static_cast<unsigned char>(tok[0]);
    return c == meta::METAQUOTE && tok.size() > 1 ? static_cast<unsigned char>(tok[1]) : c;
}
// How many bytes a token puts in a phrase.
std::size_t phrase_bytes(const TokenPool& pool, TokId t) {
    const std::string_view v = pool.view(t);
    if (pool.plain(t)) return v.size();
    std::size_t n = v.size();
    for (std::size_t q = 0; q + 1 < v.size(); ++q)
        if (static_cast<unsigned char>(v[q]) == meta::METAQUOTE) --n, ++q;
    return n;
}

// Adds ws[last] to `phrase` = cataddr(ws[first..last-1]) as cataddr() would.
void append_cataddr(std::string& phrase, const IdTokens& ws, int first, int last, const TokenTable& internal,
                    char space_sub, const TokenPool& pool) {
    const std::string_view tok = pool.view(ws[static_cast<std::size_t>(last)]);
    if (last > first && atom_token(pool, internal, ws[static_cast<std::size_t>(last - 1)]) &&
        atom_token(pool, internal, ws[static_cast<std::size_t>(last)]))
        phrase.push_back(space_sub);
    for (std::size_t q = 0; q < tok.size(); ++q) {
        unsigned char c = static_cast<unsigned char>(tok[q]);
        if (c == meta::METAQUOTE && q + 1 < tok.size()) c = static_cast<unsigned char>(tok[++q]);
        phrase.push_back(static_cast<char>(c));
    }
}
} // namespace

bool match_lhs(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records) {
    return match_lhs(intern_tokens(lhs), intern_tokens(ws), env, records);
}

bool match_lhs(const IdTokens& lhs, const IdTokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records) {
    const TokenPool& pool = token_pool();
    records.clear();
    const int nl = static_cast<int>(lhs.size());
    const int na = static_cast<int>(ws.size());
    int ri = 0, ai = 0;
    const MatchOp* ops = env.lhs_ops;
    if (!ops) {
        thread_local std::vector<MatchOp> own_ops;
        own_ops = make_match_ops(lhs);
        ops = own_ops.data();
    }
    const TokId* folds = env.ws_folds;
    if (!folds) {
        thread_local IdTokens own;
        own.resize(ws.size());
        for (std::size_t i = 0; i < ws.size(); ++i) own[i] = pool.fold(ws[i]);
        folds = own.data();
    }

    // A plain token (compared with token_equal), not an operator.
    auto is_literal = [&](int r) {
        if (r >= nl) return false;
        switch (ops[r].kind) {
        case meta::MATCHCLASS: case meta::MATCHNCLASS: case meta::MATCHONE: case meta::MATCHANY:
        case meta::MATCHZANY: case meta::MATCHZERO: case meta::MACRODEXPAND:
            return false;
        default:
            return true;
        }
    };
    auto class_id = [&](int r) -> MacroId { return ops[r].id; };
    // Grows rec.last one token at a time until the phrase (cataddr() of the
    // span) is in the class. The phrase is built up as the span grows, and
    // the search stops once it is longer than any member: sendmail goes on
    // to the end of the input, but nothing it tries there can match.
    const bool steps = env.on_step && env.step_level >= 35 && env.names;
    const bool steps36 = steps && env.step_level >= 36;
    auto shown = [&](const IdTokens& v, int i) {
        return i >= 0 && i < static_cast<int>(v.size()) ? xputs(pool.text(v[static_cast<std::size_t>(i)]), *env.names)
                                                        : std::string("<null>");
    };
    auto step = [&](const char* what, int r, int a) {
        env.on_step(std::string(what) + " rp=" + shown(lhs, r) + ", ap=" + shown(ws, a) + "\n");
    };
    // Whether a `$=X` phrase starting at ws[a] can be a member of X: its
    // first byte (cataddr drops a METAQUOTE) must start some member.
    auto class_may_start = [&](int r, int a) {
        const std::string_view tok = pool.view(ws[static_cast<std::size_t>(a)]);
        return tok.empty() || env.classes.may_start_with(class_id(r), phrase_lead(tok));
    };
    // (fields written in place: a MatchRecord built on the stack and
    // copied in stalls on the copy's reload)
    auto push = [&](int pattern, int first, int last) {
        MatchRecord& r = records.emplace_back();
        r.pattern = pattern;
        r.first = first;
        r.last = last;
    };
    std::string phrase;
    // (what ws[k] adds to a phrase that starts at ws[first])
    auto added = [&](int first, int k) {
        const bool sep = k > first && atom_token(pool, env.internal, ws[static_cast<std::size_t>(k - 1)]) &&
                         atom_token(pool, env.internal, ws[static_cast<std::size_t>(k)]);
        return (sep ? 1 : 0) + phrase_bytes(pool, ws[static_cast<std::size_t>(k)]);
    };
    auto extend_class = [&](MatchRecord& rec) -> bool {
        MacroId cls = class_id(rec.pattern);
        const std::size_t longest = steps36 ? std::string::npos : env.classes.max_length(cls);
        bool incremental = rec.last >= rec.first;  // resuming: rebuild the phrase once
        // A fresh span whose first token no member starts like: every
        // phrase tried would fail (shortcut not taken while steps are traced).
        if (!incremental && !steps36 && rec.first < na && !class_may_start(rec.pattern, rec.first)) return false;
        if (!steps36 && longest + 3 < static_cast<std::size_t>(limits::kMaxLine) && rec.first < na &&
            !pool.view(ws[static_cast<std::size_t>(rec.first)]).empty()) {
            // Most phrases tried are no member: only their length and first
            // byte are followed as the span grows, and the phrase is made
            // only when some member has that length and first byte. (The
            // same answers as the loop below, which makes every phrase.)
            const unsigned char lead = phrase_lead(pool.view(ws[static_cast<std::size_t>(rec.first)]));
            std::size_t len = 0;
            for (int k = rec.first; k <= rec.last; ++k) len += added(rec.first, k);
            for (;;) {
                int next = rec.last + 1;
                if (next >= na) return false;
                rec.last = next;
                len += added(rec.first, next);
                // (a longer phrase has no member; neither has any longer span)
                if (len > longest) return false;
                if (!env.classes.may_contain(cls, lead, len)) continue;
                const TokId t = ws[static_cast<std::size_t>(next)];
                if (next == rec.first && pool.plain(t)) {  // the phrase is the token
                    if (env.classes.contains(cls, pool.text(t))) return true;
                    continue;
                }
                phrase = cataddr(ws, static_cast<std::size_t>(rec.first), static_cast<std::size_t>(rec.last),
                                 limits::kMaxLine, 0, true, env.internal, env.space_sub);
                if (env.classes.contains(cls, phrase)) return true;
            }
        }
        if (incremental) {
            phrase = cataddr(ws, static_cast<std::size_t>(rec.first), static_cast<std::size_t>(rec.last),
                             limits::kMaxLine, 0, true, env.internal, env.space_sub);
        } else {
            phrase.clear();
        }
        for (;;) {
            int next = rec.last + 1;
            if (next >= na) return false;
            rec.last = next;
            if (phrase.size() > longest || phrase.size() + 3 >= static_cast<std::size_t>(limits::kMaxLine)) {
                if (phrase.size() > longest) return false;
                phrase = cataddr(ws, static_cast<std::size_t>(rec.first), static_cast<std::size_t>(rec.last),
                                 limits::kMaxLine, 0, true, env.internal, env.space_sub);
            } else {
                append_cataddr(phrase, ws, rec.first, rec.last, env.internal, env.space_sub, pool);
                // sendmail's cataddr() into a MAXLINE buffer keeps at most
                // MAXLINE-3 bytes: a longer phrase is compared cut short
                if (phrase.size() + 3 > static_cast<std::size_t>(limits::kMaxLine))
                    phrase = cataddr(ws, static_cast<std::size_t>(rec.first), static_cast<std::size_t>(rec.last),
                                     limits::kMaxLine, 0, true, env.internal, env.space_sub);
            }
            if (phrase.size() <= longest && env.classes.contains(cls, phrase)) {
                if (steps36) env.on_step("CLMATCH\n");
                return true;
            }
            if (steps36) step("EXTEND ", rec.pattern, rec.last);
        }
    };

    for (;;) {
        bool ok = true;
        if (ai >= na && ri >= nl) return true;
        if (steps) step("ADVANCE", ri, ai);
        if (ri >= nl) {
            ok = false;  // pattern used up before the input
        } else {
            const MatchOp& op = ops[ri];
            unsigned char f = op.kind;
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
                    if (env.classes.contains(class_id(ri), pool.text(ws[static_cast<std::size_t>(ai)]))) {
                        ok = false;
                        break;
                    }
                    [[fallthrough]];
                case meta::MATCHONE:
                case meta::MATCHANY:
                    push(ri, ai, ai);
                    ++ai;
                    break;
                case meta::MATCHZANY:
                    push(ri, ai, ai - 1);
                    break;
                case meta::MATCHZERO:
                    break;
                case meta::MACRODEXPAND: {
                    // The run-time value must spell out the next tokens exactly
                    // (case-insensitively); it is not recorded as a wildcard.
                    MacroId id = class_id(ri);  // the macro id, in the same place
                    const std::string* v = env.macros.get(id);
                    if (env.on_macro) env.on_macro(id, v);
                    if (!v) break;
                    std::size_t vp = 0;
                    int start = ai;
                    std::size_t vlen = v->find('\0');
                    if (vlen == std::string::npos) vlen = v->size();
                    while (vp < vlen) {
                        if (ai >= na) { ok = false; break; }
                        const std::string_view tok = pool.view(ws[static_cast<std::size_t>(ai)]);
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
                    if (op.fold != folds[ai]) ok = false;
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
            if (steps36) step("BACKUP ", rec.pattern, next);
            if (next >= na) {
                records.pop_back();
                continue;
            }
            unsigned char f = ops[rec.pattern].kind;
            if (f == meta::MATCHANY || f == meta::MATCHZANY) {
                // When a literal follows the wildcard, a span after which the
                // literal does not match fails at once and brings us back
                // here: skip those spans (same result, fewer steps; not while
                // the steps are traced).
                if (!steps && is_literal(rec.pattern + 1)) {
                    const TokId lit = ops[rec.pattern + 1].fold;
                    while (next + 1 < na && lit != folds[next + 1]) ++next;
                    if (next + 1 >= na) {
                        records.pop_back();
                        continue;
                    }
                }
                // The same for a following `$=X` that no phrase starting at
                // ws[next + 1] can match.
                if (!steps && rec.pattern + 1 < nl &&
                    ops[rec.pattern + 1].kind == meta::MATCHCLASS) {
                    while (next + 1 < na && !class_may_start(rec.pattern + 1, next + 1)) ++next;
                    if (next + 1 >= na) {
                        records.pop_back();
                        continue;
                    }
                }
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
