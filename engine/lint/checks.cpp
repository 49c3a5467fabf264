// The checks of cfkit lint: ids, levels and what they mean (SARIF's rules,
// --list-checks, --disable).
#include "engine/lint/lint.hpp"

namespace cfkit {

namespace {

const std::vector<LintCheck> kChecks = {
    {"sendmail-error", Severity::Error, "sendmail reports an error when it reads this line",
     "sendmail prints this message when it loads the file and ignores or changes the line: fix the line."},
    {"host-dependent", Severity::Warning, "sendmail's error here depends on the machine that reads the file",
     "A file the config reads or a user it names does not exist where cfkit ran (sendmail says the same on "
     "this machine); check that the server has it."},
    {"positional-out-of-range", Severity::Error, "$N in the RHS beyond the LHS's wildcards",
     "$1..$9 count the LHS's wildcards ($* $+ $- $= $~); sendmail refuses a higher one when it reads the "
     "file. Fix the number or add the wildcard."},
    {"unbalanced-lookup", Severity::Error, "$( or $[ without its closing $) or $]",
     "sendmail refuses the rule when it reads the file (\"missing map closing token\"). Close the lookup."},
    {"recursion", Severity::Error, "rulesets that call each other on every input, without a way out",
     "The first rule of each matches everything ($*) and calls the next: sendmail stops with \"rewrite: "
     "excessive recursion (max 50)\". Make the call conditional or return before it."},
    {"m4-apostrophe", Severity::Warning, "an apostrophe inside an m4-quoted argument ends the quote",
     "m4 reads ' as the end of a `quoted' string: \"You're\" splits the argument. Write it without the "
     "apostrophe or change m4's quotes around it."},
    {"missing-tab", Severity::Error, "no TAB between the LHS and the RHS of a rule",
     "sendmail splits an R line at TABs only: the LHS ends at the first TAB and the RHS at the next. "
     "Put a TAB (not spaces) between LHS and RHS."},
    {"lhs-spaces", Severity::Error, "spaces where a TAB belongs: the RHS became part of the LHS",
     "Before the first TAB everything is the LHS, so `$:`, `$@` or `$#` after spaces are matched as LHS "
     "operators. Put a TAB between LHS and RHS."},
    {"rhs-spaces", Severity::Warning, "a run of spaces inside the RHS: the comment became part of the result",
     "The RHS ends at a TAB, not at spaces: the words after the spaces are copied into the rewritten "
     "address. Put a TAB before the comment."},
    {"undefined-ruleset", Severity::Error, "$> calls a ruleset that does not exist",
     "No S line declares this ruleset: when the rule runs sendmail says \"Unknown ruleset\" and the "
     "address gets status 78. Declare the ruleset or fix the name."},
    {"empty-ruleset-call", Severity::Warning, "$> calls a ruleset that has no rules",
     "sendmail skips a call to a ruleset without rules, so the call does nothing."},
    {"empty-class", Severity::Warning, "$= or $~ of a class that nothing fills",
     "No C or F line adds words to this class and sendmail does not fill it, so `$=X` never matches "
     "and `$~X` always does. Fill the class or fix its name."},
    {"undeclared-map", Severity::Warning, "$( names a map that no K line declares",
     "sendmail reports \"Warning: map X not found\" when the rule runs and uses the default. Declare "
     "the map with a K line or fix its name."},
    {"unreachable-rule", Severity::Warning, "an earlier rule matches every input and leaves the ruleset",
     "A rule whose LHS is `$*` and whose RHS starts with `$@` or `$#` ends the ruleset for every "
     "address, so the rules after it are never tried. Move them up or narrow the earlier rule."},
    {"endless-loop", Severity::Error, "a rule that matches its own result again",
     "An LHS of `$*` matches every result, and an RHS without `$@`, `$:` or `$#` sends it back to the same "
     "rule: sendmail stops with \"Infinite loop in ruleset\" after 100 passes. Start the RHS with `$:` "
     "(rewrite once) or `$@` (rewrite and return)."},
    {"macro-before-set", Severity::Warning, "a macro tested in a ruleset that runs before sendmail sets it",
     "check_relay runs at connect: the HELO name ($s), AUTH and TLS macros and the envelope's macros are "
     "still empty then. Test them in check_mail or check_rcpt ({client_resolve} is set before check_relay)."},
    {"delay-checks", Severity::Note, "a check ruleset that FEATURE(delay_checks) moves to RCPT time",
     "With delay_checks, check_rcpt calls check_relay and check_mail (and their Local_ rulesets) after the "
     "friend and hater exemptions: their rejections come at RCPT, not at connect or MAIL. Fine if meant; "
     "to refuse earlier, put the rules in a check_relay or check_mail of your own."},
    {"unset-macro", Severity::Warning, "$& of a macro that neither sendmail nor this file ever sets",
     "No D line defines it, no macro or storage map assigns it and sendmail does not set a macro of that "
     "name: `$&{name}` is always empty. Check the spelling (macro names are case-sensitive)."},
    {"w-brackets", Severity::Note, "[$=w] matches the host's names, never its addresses",
     "$=w holds this host's names bare and its addresses with their brackets ([192.0.2.1]): `[$=w]` "
     "matches \"[mail.example.com]\" but not \"[192.0.2.1]\", and `$=w` against a bare address from "
     "{client_addr} never matches. Compare addresses with their brackets: `$=w` against `[$&{client_addr}]`."},
    {"network-literal", Severity::Warning, "a class word written as a network",
     "sendmail compares whole tokens: `192.168.1.0` or `10.0.0.0/8` in $=R match only that text. Write the "
     "network's leading octets (`192.168.1`, `10`)."},
    {"unbalanced", Severity::Warning, "a rule whose angle brackets or quotes do not pair up",
     "sendmail does not complain when it reads `<` without `>` or an open quote, but such a rule rarely "
     "matches what was meant (sendmail-cf's rules focus on the part in angle brackets)."},
    {"m4-comment-live", Severity::Warning, "an m4 macro inside a # comment of a .mc: m4 still expands it",
     "sendmail-cf turns off m4's # comments: `# FEATURE(...)` is a live FEATURE. Comment it out with dnl."},
    {"m4-text-to-cf", Severity::Warning, "a .mc comment line without dnl that reaches the .cf as a config line",
     "In LOCAL_CONFIG, LOCAL_RULESETS and LOCAL_RULE_n blocks m4 copies lines to the .cf as they are: a "
     "line \"Skip the ...\" becomes a ruleset named \"kip\". Start the comment with dnl or #."},
    {"m4-comma", Severity::Warning, "a comma in a dnsbl message quoted only once: the reject rule disappears",
     "dnsbl.m4 and enhdnsbl.m4 expand the message again: a comma inside single m4 quotes then ends the "
     "argument and the rule that rejects listed clients is not generated. Quote the message twice: "
     "``\"550 ...\"''."},
    {"m4-diverted-away", Severity::Warning, "configuration inside divert(-1): m4 throws it away",
     "Text between divert(-1) and divert(0) is discarded; a macro call there still runs. Move the lines "
     "below divert(0)."},
    {"unused-suppression", Severity::Warning, "a cfkit-lint: disable comment that suppresses nothing",
     "No finding of the named check is on this line any more: remove the comment."},
};

} // namespace

const std::vector<LintCheck>& lint_checks() { return kChecks; }

const LintCheck* find_lint_check(const std::string& id) {
    for (const LintCheck& c : kChecks)
        if (id == c.id) return &c;
    return nullptr;
}

} // namespace cfkit
