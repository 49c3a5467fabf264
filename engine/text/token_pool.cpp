// See token_pool.hpp.
#include "engine/text/token_pool.hpp"

#include "engine/text/metachar.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

namespace {
// FNV-1a: tokens are short, and this runs for every token prescan makes.
std::size_t text_hash(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
}
} // namespace

TokenPool::TokenPool() : slots_(4096, 0) {}

void TokenPool::grow() {
    std::vector<TokId> bigger(slots_.size() * 2, 0);
    const std::size_t mask = bigger.size() - 1;
    for (TokId slot : slots_) {
        if (!slot) continue;
        std::size_t i = text_hash(view(slot - 1)) & mask;
        while (bigger[i]) i = (i + 1) & mask;
        bigger[i] = slot;
    }
    slots_.swap(bigger);
}

TokId TokenPool::intern(std::string_view text) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = text_hash(text) & mask;
    for (; slots_[i]; i = (i + 1) & mask) {
        if (view(slots_[i] - 1) == text) return slots_[i] - 1;
    }
    // A new text: kept in a copy first, as `text` may point into arena_
    // (a view() of part of a token), which the inserts below can move.
    const std::string own(text);
    text = own;
    std::string folded = ascii_lower(own);
    // The folded form first, so that the new id can point at it.
    TokId fold = folded != text ? intern(folded) : static_cast<TokId>(hot_.size());
    TokId id = static_cast<TokId>(hot_.size());
    storage_.emplace_back(text);
    unsigned char first = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
    unsigned char marks = first == meta::LOOKUPBEGIN || first == meta::HOSTBEGIN ? kMarkLookup
                          : first == meta::CALLSUBR                          ? kMarkCall
                                                                              : 0;
    bool plain = true;
    for (unsigned char c : text) {
        plain = plain && printable_ascii(c);
        if (c == '"' || c == '\\') marks |= kMarkQuoted;
    }
    hot_.push_back({fold, first, marks, plain});
    spans_.push_back({static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(text.size())});
    arena_.insert(arena_.end(), text.begin(), text.end());
    arena_.insert(arena_.end(), kPadding, '\0');
    // (the folded form's intern above may have grown the table: look again)
    const std::size_t m = slots_.size() - 1;
    std::size_t j = text_hash(text) & m;
    while (slots_[j]) j = (j + 1) & m;
    slots_[j] = id + 1;
    if (hot_.size() * 2 > slots_.size()) grow();
    return id;
}

IdTokens intern_tokens(const Tokens& toks) {
    TokenPool& pool = token_pool();
    IdTokens ids;
    ids.reserve(toks.size());
    for (const std::string& t : toks) ids.push_back(pool.intern(t));
    return ids;
}

Tokens token_texts(const IdTokens& ids) {
    const TokenPool& pool = token_pool();
    Tokens out;
    out.reserve(ids.size());
    for (TokId id : ids) out.push_back(pool.text(id));
    return out;
}

} // namespace cfkit
