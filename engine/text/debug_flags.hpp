// sendmail's debug flags (-dC.L): one level per category, set with the
// syntax of tTflag() ("21.12", "0-99.1", "ANSI" ignored).
#pragma once

#include <array>
#include <string>

namespace cfkit {

using DebugLevels = std::array<unsigned char, 100>;

void apply_debug_spec(DebugLevels& debug, const std::string& spec);

} // namespace cfkit
