// The interpreter's prefilter: whether a rule's LHS can match a workspace
// at all, answered from facts compiled once per rule (RuleFilter,
// config/rule_facts.hpp) and an index of the workspace built each time it changes.
// A rule it turns away is one the matcher would fail on, so the result is
// the same; it only saves the matcher's run. rule_filter_test.cpp checks
// that against a plain reading of the same conditions.
#pragma once

#include <cstdint>

#include "engine/config/config.hpp"

namespace cfkit {

class WorkspaceIndex {
public:
    // After every change of the workspace.
    void build(const IdTokens& ws);
    // `literals`: the ruleset's filter_literals.
    bool could_match(const RuleFilter& f, const TokId* literals) const;
    const TokId* folds() const { return folds_.data(); }  // for MatchEnv::ws_folds

private:
    IdTokens folds_;  // the workspace's tokens' folded ids
    std::uint64_t bits_ = 0;
};

} // namespace cfkit
