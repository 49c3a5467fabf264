#include "engine/rewrite/trace.hpp"

namespace cfkit {

TraceEvent& TraceRecorder::push(TraceEvent::Kind kind, int rs) {
    TraceEvent e;
    e.kind = kind;
    e.ruleset = rs;
    e.depth = depth_stack_.empty() ? 0 : depth_stack_.back();
    events.push_back(std::move(e));
    return events.back();
}

void TraceRecorder::ruleset_enter(int rs, const std::string& name, const IdTokens& ws, int depth) {
    depth_stack_.push_back(depth);
    TraceEvent& e = push(TraceEvent::Kind::Enter, rs);
    e.ruleset_name = name;
    e.workspace = token_texts(ws);
}

void TraceRecorder::ruleset_return(int rs, const std::string& name, const IdTokens& ws, int) {
    TraceEvent& e = push(TraceEvent::Kind::Return, rs);
    e.ruleset_name = name;
    e.workspace = token_texts(ws);
    if (!depth_stack_.empty()) depth_stack_.pop_back();
}

void TraceRecorder::rule_try(int rs, int ruleno, const Rule& rule, const IdTokens& ws) {
    TraceEvent& e = push(TraceEvent::Kind::Try, rs);
    e.rule = ruleno;
    e.loc = rule.loc;
    e.lhs = rule.lhs;
    e.rhs = rule.rhs;
    e.workspace = token_texts(ws);
    last_try_ws_ = e.workspace;
}

void TraceRecorder::rule_match(int rs, int ruleno, const Rule& rule, const std::vector<MatchRecord>& bindings) {
    TraceEvent& e = push(TraceEvent::Kind::Match, rs);
    e.rule = ruleno;
    e.loc = rule.loc;
    for (const MatchRecord& m : bindings) {
        Tokens b;
        for (int k = m.first; k <= m.last; ++k) b.push_back(last_try_ws_[static_cast<std::size_t>(k)]);
        e.bindings.push_back(std::move(b));
    }
}

void TraceRecorder::rule_fail(int rs, int ruleno, const Rule& rule) {
    TraceEvent& e = push(TraceEvent::Kind::Fail, rs);
    e.rule = ruleno;
    e.loc = rule.loc;
}

void TraceRecorder::rewritten(int rs, const IdTokens& ws) { push(TraceEvent::Kind::Rewritten, rs).workspace = token_texts(ws); }

void TraceRecorder::message(const std::string& text) { push(TraceEvent::Kind::Message, -1).message = text; }

} // namespace cfkit
