// From a validated policy (policy.hpp) to the rule AST (rule_ast.hpp):
// which rulesets the checks go into (placement, with and without
// delay_checks), the exemptions each section gets at its stage, and the
// rules themselves. Impossible requests come back as diagnostics that name
// the policy entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/text/diagnostic.hpp"
#include "rulesets/policy.hpp"
#include "rulesets/rule_ast.hpp"

namespace cfkit {
struct Config;
}

namespace cfkit::gen {

// What the generator knows of the sendmail.mc the block goes into.
struct McFacts {
    bool known = false;         // false: no --mc; nothing below is known
    std::string path;           // the .mc, for messages
    bool delay_checks = false;  // FEATURE(`delay_checks')
    bool access_db = false;     // FEATURE(`access_db'): an "access" map
    // Rulesets the block may define that already have rules (a second
    // definition would append to them): Local_check_relay, check_mail ...
    std::vector<std::string> rulesets_with_rules;
    std::vector<std::string> class_r;  // $=R, for the test cases
    std::vector<std::string> class_w;  // $=w
};

// The facts of a compiled configuration (the .mc expanded with m4).
McFacts mc_facts(const Config& cfg, const std::string& path);

// Where a section's rules go.
struct Placement {
    std::string ruleset;      // Local_check_mail, check_mail ...
    bool new_ruleset = false; // a ruleset proto.m4 does not define (delay_checks)
    std::string why;          // the comment that explains it
};
Placement place(Stage s, bool delay_checks);

struct Generated {
    Block block;
    bool delay_checks = false;            // as decided (policy, or --mc)
    struct Placed {
        std::string section;  // "helo", "client_resolve"
        Stage stage;
        Placement where;
    };
    std::vector<Placed> placements;       // in the order the sections run
    std::vector<Diagnostic> notes;        // warnings for the user (not errors)
};

// nullopt when the policy asks for something impossible; `diags` says why.
std::optional<Generated> generate(const Policy& p, const McFacts& mc, Diagnostics& diags);

} // namespace cfkit::gen
