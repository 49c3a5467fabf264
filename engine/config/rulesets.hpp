// Ruleset names and numbers: sendmail's strtorwset(). Named rulesets get
// numbers from 199 downward; `Sname=N` binds a name to a number.
#pragma once

#include <string>
#include <string_view>

#include "engine/config/config.hpp"

namespace cfkit {

// ST_ENTER: S lines and mailer S=/R= fields. Returns -1 on error (reported).
// `endp` (if given) receives the index where the name or number ended.
int rwset_enter(Config& cfg, std::string_view text, std::size_t* endp, Reporter& rep);

// ST_FIND: `$>name`, -bt ruleset lists, `=S`. Unknown names give -1 silently;
// malformed ones are reported as sendmail reports them.
int rwset_find(const Config& cfg, std::string_view text, std::size_t* endp, Reporter& rep);
// The same for a name held as a token (a `$>name` call): its answers are
// kept by id, so a call does not hash the name again.
int rwset_find(const Config& cfg, TokId name, Reporter& rep);

// How traces name a ruleset: its name, or its number.
std::string ruleset_display_name(const Config& cfg, int rs);

} // namespace cfkit
