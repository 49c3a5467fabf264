// See rule_facts.hpp.
#include "engine/config/rule_facts.hpp"

#include "engine/config/config.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {

std::vector<MatchOp> make_match_ops(const IdTokens& lhs) {
    const TokenPool& pool = token_pool();
    std::vector<MatchOp> ops(lhs.size());
    for (std::size_t i = 0; i < lhs.size(); ++i) {
        const std::string& t = pool.text(lhs[i]);
        ops[i].fold = pool.fold(lhs[i]);
        ops[i].kind = pool.first(lhs[i]);
        ops[i].id = t.size() > 1 ? static_cast<unsigned char>(t[1]) : 0;
    }
    return ops;
}

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

} // namespace cfkit
