// Test-only reference matcher; see reference_matcher.cpp.
#pragma once

#include "engine/rewrite/matcher.hpp"

namespace cfkit {

bool reference_match(const Tokens& lhs, const Tokens& ws, const MatchEnv& env, std::vector<MatchRecord>& records);

} // namespace cfkit
