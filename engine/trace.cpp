#include "engine/trace.hpp"

namespace cfkit {

void TraceRecorder::ruleset_enter(int rs, const std::string& name, const Tokens& ws, int depth) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Enter;
    e.ruleset = rs;
    e.ruleset_name = name;
    e.depth = depth;
    e.workspace = ws;
    events.push_back(std::move(e));
    depth_stack_.push_back(depth);
}

void TraceRecorder::ruleset_return(int rs, const std::string& name, const Tokens& ws, int depth) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Return;
    e.ruleset = rs;
    e.ruleset_name = name;
    e.depth = depth;
    e.workspace = ws;
    events.push_back(std::move(e));
    if (!depth_stack_.empty()) depth_stack_.pop_back();
}

void TraceRecorder::rule_try(int rs, int ruleno, const Rule& rule, const Tokens& ws) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Try;
    e.ruleset = rs;
    e.rule = ruleno;
    e.loc = rule.loc;
    e.lhs = rule.lhs;
    e.rhs = rule.rhs;
    e.workspace = ws;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    last_try_ws_ = ws;
    events.push_back(std::move(e));
}

void TraceRecorder::rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>& bindings) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Match;
    e.ruleset = rs;
    e.rule = ruleno;
    e.loc = rule.loc;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    for (const MatchRecord& m : bindings) {
        Tokens b;
        for (int k = m.first; k <= m.last; ++k) b.push_back(last_try_ws_[static_cast<std::size_t>(k)]);
        e.bindings.push_back(std::move(b));
    }
    events.push_back(std::move(e));
}

void TraceRecorder::rule_fail(int rs, int ruleno, const Rule& rule) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Fail;
    e.ruleset = rs;
    e.rule = ruleno;
    e.loc = rule.loc;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    events.push_back(std::move(e));
}

void TraceRecorder::rewritten(int rs, const Tokens& ws) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Rewritten;
    e.ruleset = rs;
    e.workspace = ws;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    events.push_back(std::move(e));
}

void TraceRecorder::message(const std::string& text) {
    TraceEvent e;
    e.kind = TraceEvent::Kind::Message;
    e.message = text;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    events.push_back(std::move(e));
}

} // namespace cfkit
