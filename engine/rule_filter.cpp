// See rule_filter.hpp.
#include "engine/rule_filter.hpp"

#include "engine/metachar.hpp"

namespace cfkit {

RuleFilter make_rule_filter(const IdTokens& lhs, IdTokens& literals) {
    const TokenPool& pool = token_pool();
    RuleFilter f;
    f.literals = static_cast<std::uint32_t>(literals.size());
    bool unbounded = false;
    for (std::size_t k = 0; k < lhs.size(); ++k) {
        TokId t = lhs[k];
        switch (pool.first(t)) {
        case meta::MATCHZANY: case meta::MACRODEXPAND:
            unbounded = true;
            break;
        case meta::MATCHZERO: break;
        case meta::MATCHANY: case meta::MATCHCLASS:
            unbounded = true;
            ++f.min_tokens;
            break;
        case meta::MATCHONE: case meta::MATCHNCLASS:
            ++f.min_tokens;
            break;
        default:
            ++f.min_tokens;
            f.literal_bits |= pool.bit(t);
            literals.push_back(pool.fold(t));
            if (k == 0) f.first_fold = pool.fold(t);
            if (k + 1 == lhs.size()) f.last_fold = pool.fold(t);
        }
    }
    literals.push_back(RuleFilter::kNoFold);
    if (!unbounded) f.max_tokens = f.min_tokens;
    return f;
}

void Ruleset::add_rule(Rule r) {
    filters.push_back(make_rule_filter(r.lhs_ids, filter_literals));
    r.lhs_ops = make_match_ops(r.lhs_ids);
    rules.push_back(std::move(r));
}

void WorkspaceIndex::build(const IdTokens& ws) {
    const TokenPool& pool = token_pool();
    const std::size_t n = ws.size();
    folds_.resize(n);
    bits_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        folds_[i] = pool.fold(ws[i]);
        bits_ |= pool.bit(ws[i]);
    }
}

bool WorkspaceIndex::could_match(const RuleFilter& f, const TokId* literals) const {
    const std::size_t n = folds_.size();
    // (max_tokens -1 converts to the largest value: no limit)
    if (n < static_cast<std::size_t>(f.min_tokens) || n > static_cast<std::size_t>(static_cast<std::uint32_t>(f.max_tokens)))
        return false;
    if ((f.literal_bits & ~bits_) != 0) return false;
    if (f.first_fold != RuleFilter::kNoFold && folds_[0] != f.first_fold) return false;
    if (f.last_fold != RuleFilter::kNoFold && folds_[n - 1] != f.last_fold) return false;
    // The literals in order, each on a token of its own: each takes the
    // first place after the previous one's where its text occurs. (One
    // scan per literal compares with a value held in a register; a single
    // loop stepping through both lists is a chain of dependent loads, and
    // twice as slow.)
    std::size_t i = 0;
    for (const TokId* lit = literals + f.literals; *lit != RuleFilter::kNoFold; ++lit, ++i) {
        const TokId want = *lit;
        while (i < n && folds_[i] != want) ++i;
        if (i == n) return false;
    }
    return true;
}

} // namespace cfkit
