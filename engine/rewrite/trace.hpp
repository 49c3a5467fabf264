// A structured record of one rewrite() run, for `cfkit run --trace/--json`
// and later for step-through teaching aids: every ruleset entered, every
// rule tried with its .cf position, the $N bindings of a match, the new
// workspace, and messages, in order. Rendering is left to tools/.
#pragma once

#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/rewrite/matcher.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit {

struct TraceEvent {
    enum class Kind { Enter, Return, Try, Match, Fail, Rewritten, Message };
    Kind kind = Kind::Enter;
    int depth = 0;                       // ruleset call depth (0: the top)
    int ruleset = -1;
    std::string ruleset_name;
    int rule = 0;                        // rule number within the ruleset (from 1)
    SourceLoc loc;                       // the R line
    Tokens workspace;                    // Enter/Return/Try/Rewritten
    Tokens lhs, rhs;                     // Try/Match: the rule as compiled
    std::vector<Tokens> bindings;        // Match: $1..$n
    std::string message;                 // Message
};

class TraceRecorder : public RewriteObserver {
public:
    std::vector<TraceEvent> events;

    void ruleset_enter(int rs, const std::string& name, const IdTokens& ws, int depth) override;
    void ruleset_return(int rs, const std::string& name, const IdTokens& ws, int depth) override;
    void rule_try(int rs, int ruleno, const Rule& rule, const IdTokens& ws) override;
    void rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>& bindings) override;
    void rule_fail(int rs, int ruleno, const Rule& rule) override;
    void rewritten(int rs, const IdTokens& ws) override;
    void message(const std::string& text);

private:
    TraceEvent& push(TraceEvent::Kind kind, int rs);  // at the current depth
    std::vector<int> depth_stack_;  // depth of the ruleset now running
    Tokens last_try_ws_;
};

} // namespace cfkit
