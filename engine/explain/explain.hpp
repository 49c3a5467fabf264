// cfkit explain: rewriting shown step by step for people learning the rule
// language. For a -bt ruleset line ("3,0 user@example.com",
// "Local_check_mail <a@b>"): the tokens, then every rule tried with the
// LHS aligned under the tokens (what each operator took), the backtracking,
// the bindings $1..$9, the RHS built, $> calls nested, why a rule failed
// (the first token that could not match) and what ended each ruleset.
// Built on the interpreter's observer; the matcher is re-run for the
// explanation by a slow, recording matcher (the fast one never records).
#pragma once

#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/rewrite/session.hpp"

namespace cfkit {

// Every input line as -bt reads it: commands (.D, .C, =S, /parse ...) are
// carried out as test mode does (so later lines see their effect);
// ruleset lines are explained. JSON: an array, one object per line:
//   {"line": TEXT, "kind": "command"|"explain"|"comment",
//    "output": what `cfkit bt` prints for the line (no prompt),
//    for "explain" also
//    "tokens": [the address's tokens],
//    "runs": [RUN, ...]}          the rulesets of the line, in order
// RUN:     {"ruleset": N, "name": TEXT, "input": [tokens], "result": [tokens],
//           "ended": "end of the rules" | "rule N returned ($@)" | "rule N resolved it ($#): ...",
//           "rules": [ATTEMPT, ...]}     every rule tried, in order (a rule
//                                       that matched is tried again)
// ATTEMPT: {"rule": N, "file": F, "line": L, "lhs": [elements], "rhs": [elements],
//           "input": [tokens], "matched": BOOL, "backtracks": N,
//           "steps": [{"element": I, "from": J, "to": K, "widened": BOOL}, ...]
//                   (wildcard spans tried, token indices from 0, to < from: empty; at most 60)
//           matched:  "spans": [{"element": I, "text": "$*", "from": J, "to": K, "tokens": [...]}],
//                     "bindings": ["$1's text", ...]
//           not:      "why": "\"<\" expected at \"foo\" (token 3) after 2 backtracks"
//           rewritten: "output": [tokens]
//           "calls": [RUN, ...]}        rulesets its RHS called ($>)
// Tokens and elements are shown as in a .cf ($*, $=w, $#).
// `undefined`, when given, is set when a line named a ruleset the config
// does not have (test mode says "Undefined ruleset NAME" and goes on).
std::string explain_input_json(const Config& cfg, const std::string& input_lines, bool* undefined = nullptr);

// The same as text for a terminal (`color`: ANSI colours; `steps`: every
// span each wildcard tried, the backtracking itself, not only its count).
std::string explain_input_text(const Config& cfg, const std::string& input_lines, bool color,
                               bool* undefined = nullptr, bool steps = false);

}  // namespace cfkit
