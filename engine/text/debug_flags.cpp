#include "engine/text/debug_flags.hpp"

#include <algorithm>

namespace cfkit {

void apply_debug_spec(DebugLevels& debug, const std::string& spec) {
    std::size_t p = 0;
    auto digit = [&](std::size_t i) { return i < spec.size() && spec[i] >= '0' && spec[i] <= '9'; };
    const unsigned size = static_cast<unsigned>(debug.size());
    while (p < spec.size()) {
        char c = spec[p];
        if (c == ',' || c == ' ' || c == '\t') {
            ++p;
            continue;
        }
        if (!digit(p)) {  // a named flag (ANSI, ...): not modelled, skipped
            while (p < spec.size() && spec[p] != ',' && spec[p] != ' ' && spec[p] != '\t') ++p;
            continue;
        }
        unsigned i = 0;
        while (digit(p) && i < size) i = i * 10 + static_cast<unsigned>(spec[p++] - '0');
        while (digit(p) && i >= size) ++p;
        unsigned first = i;
        if (p < spec.size() && spec[p] == '-') {
            ++p;
            i = 0;
            while (digit(p) && i < size) i = i * 10 + static_cast<unsigned>(spec[p++] - '0');
            while (digit(p) && i >= size) ++p;
        }
        unsigned last = i;
        unsigned level = 1;
        if (p < spec.size() && spec[p] == '.') {
            ++p;
            level = 0;
            while (digit(p)) level = level * 10 + static_cast<unsigned>(spec[p++] - '0');
        }
        first = std::min(first, size - 1);
        last = std::min(last, size - 1);
        for (unsigned k = first; k <= last; ++k) debug[k] = static_cast<unsigned char>(level);
        while (p < spec.size() && spec[p] != ',' && spec[p] != ' ' && spec[p] != '\t') ++p;
    }
}

} // namespace cfkit
