// `cfkit gen --tests DIR`: session cases (the `cfkit test` format,
// engine/smtp/session_script.hpp) that exercise every entry of a policy:
// each rejection, each {client_resolve} value, each exemption, the
// boundaries of networks, domains and issuers, and clients that must pass.
// Their expectations come from model.hpp, not from the generated rules, so
// running them checks the rules.
#pragma once

#include <string>
#include <vector>

#include "rulesets/model.hpp"
#include "rulesets/policy.hpp"

namespace cfkit::gen {

struct TestSetup {
    std::string hostname = "mail.example.com";  // the server's name in the cases' world
    World world;                                // its $=w and $=R
    bool relay_from_mc = false;                 // world.class_r came from the .mc
    std::string policy_path;
    std::string mc_path;                        // "" without --mc
};

// The world the cases assume without a .mc: the host name, localhost and
// [127.0.0.1] in $=w (a hosts file line "127.0.0.1 HOST localhost"), $=R empty.
World default_world(const std::string& hostname);
// The hosts file the cases are run with (cfkit test --hosts-file).
std::string tests_hosts_file(const std::string& hostname);

struct TestCase {
    std::string file;  // "03-helo-own-name.case"
    std::string text;
    bool cfkit_only = false;  // uses auth/macro/class/map lines, which a real daemon cannot be given
};

std::vector<TestCase> make_cases(const Policy& p, const TestSetup& t);

// README.md of the tests directory: how to run them, what they assume.
std::string tests_readme(const Policy& p, const TestSetup& t, const std::vector<TestCase>& cases);

} // namespace cfkit::gen
