// Interned tokens: the interpreter's workspaces are vectors of small ids
// instead of strings, so that matching compares integers and rewriting
// copies integers. Each distinct token text gets one id for the life of the
// process; the facts the matcher asks about a token (its case-folded id, its
// first byte, a one-bit summary) are kept beside it and cost one array read.
//
// The pool only grows. That is fine for a -bt run or a session (a few
// thousand distinct tokens), and it is what makes an id safe to keep in a
// compiled rule. It is one per process, not part of a Config, because ids
// flow between configs, sessions and the maps' results without a
// translation step; the price is that a Config's ids mean something only
// in the process that compiled it. Not thread-safe: the engine runs on one
// thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/text/tokenizer.hpp"

namespace cfkit {

// isprint() in the C locale: such bytes print as they are in -bt output.
inline bool printable_ascii(unsigned char c) { return c - 0x20u < 0x5Fu; }

using TokId = std::uint32_t;
using IdTokens = std::vector<TokId>;

class TokenPool {
public:
    TokenPool();
    TokenPool(const TokenPool&) = delete;
    TokenPool& operator=(const TokenPool&) = delete;

    TokId intern(std::string_view text);
    // References stay valid while the pool grows (the texts live in a deque).
    const std::string& text(TokId id) const { return storage_[id]; }
    // The same bytes from one array, followed by at least kPadding readable
    // bytes (so that a short token can be copied in one fixed-size move).
    // Valid only until the next intern(): the array may move as it grows.
    static constexpr std::size_t kPadding = 16;
    std::string_view view(TokId id) const { return {arena_.data() + spans_[id].offset, spans_[id].size}; }
    // The id of the text with ASCII A-Z lowered: two tokens are equal for
    // sendmail's matcher (case-insensitive) exactly when their folds are.
    TokId fold(TokId id) const { return hot_[id].fold; }
    unsigned char first(TokId id) const { return hot_[id].first; }
    // One bit chosen by the folded text: a literal LHS token can only match
    // a workspace token with the same bit.
    // (worked out from the folded id: a multiply is cheaper than a load)
    std::uint64_t bit(TokId id) const { return std::uint64_t{1} << ((fold(id) * 0x9E3779B1u) >> 26); }
    std::size_t size() const { return hot_.size(); }
    // What the interpreter's later phases look for, by the first byte:
    // kMarkLookup for `$(` and `$[`, kMarkCall for `$>`; kMarkQuoted: the
    // text holds a '"' or '\\' (stripquotes() would change it).
    static constexpr unsigned char kMarkLookup = 1, kMarkCall = 2, kMarkQuoted = 4;
    unsigned char marks(TokId id) const { return hot_[id].marks; }
    // Every byte printable ASCII (0x20-0x7E): -bt prints such a token as is.
    bool plain(TokId id) const { return hot_[id].plain; }

private:
    // What the matcher and the printer ask about every token, 8 bytes
    // each, apart from what they seldom ask: more ids per cache line.
    struct Hot {
        TokId fold;
        unsigned char first;
        unsigned char marks;
        bool plain;
    };
    void grow();
    std::vector<Hot> hot_;
    struct Span {
        std::uint32_t offset, size;
    };
    std::vector<Span> spans_;  // into arena_ (see view())
    std::vector<char> arena_;
    std::deque<std::string> storage_;  // text(id), by id (a deque never moves its elements)
    // Open addressing on the text's hash: slots hold id + 1 (0: empty).
    std::vector<TokId> slots_;
};

// The process's pool. (Inline: the matcher and the printer ask on every call.)
inline TokenPool& token_pool() {
    static TokenPool pool;
    return pool;
}

IdTokens intern_tokens(const Tokens& toks);
Tokens token_texts(const IdTokens& ids);

} // namespace cfkit
