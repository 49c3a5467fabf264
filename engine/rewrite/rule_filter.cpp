// See rule_filter.hpp.
#include "engine/rewrite/rule_filter.hpp"

namespace cfkit {

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
