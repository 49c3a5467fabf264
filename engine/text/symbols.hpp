// Macros and classes: the run-time symbol state a config starts with and a
// test session changes (`.D`, `.C`, the `macro` map).
//
// Sendmail keeps these in global tables; cfkit keeps them in one value (Env)
// that a Config holds as its initial state and each session copies.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cfkit {

// A macro/class id is one byte: a single-character name is its own id;
// `{long}` names get ids from 0xA0 upward in order of first use.
using MacroId = unsigned char;

class MacroNames {
public:
    MacroNames();
    // The id for `{name}` (name without braces), allocating one if needed.
    // Returns nullopt when the 96 long ids are used up.
    std::optional<MacroId> intern(const std::string& name);
    std::optional<MacroId> find(const std::string& name) const;
    // The long name of an id (empty for single-character ids).
    const std::string& name_of(MacroId id) const;
    // How sendmail's macname() shows an id: `x` or `{name}`.
    std::string display(MacroId id) const;

private:
    // Copies share the names known when they were made (every session
    // starts with a copy of the config's); names a copy adds while it is
    // shared go to a short list of its own, folded in when it grows.
    struct Data {
        std::array<std::string, 256> names;
        std::unordered_map<std::string, MacroId> ids;  // case-sensitive
    };
    std::shared_ptr<Data> d_ = std::make_shared<Data>();
    // Names added since d_ was last shared: their ids follow on from
    // first_added_ without gaps, so added_names_[id - first_added_].
    std::vector<std::string> added_names_;
    int first_added_ = 0xA0;
    int next_ = 0xA0;
};

class Macros {
public:
    Macros();
    const std::string* get(MacroId id) const {
        return values_[id] ? &*values_[id] : nullptr;
    }
    void set(MacroId id, std::string v) { values_[id] = std::move(v); }
    // Test mode works on the main envelope's macros, which lie over the
    // blank envelope's (the start-up and .cf values): undefining one there
    // (macdefine(..., NULL), `$(macro x $)`) shows the blank envelope's
    // value again. freeze_base() takes the current values as that layer.
    void unset(MacroId id) {
        if (base_) values_[id] = (*base_)[id];
        else values_[id].reset();
    }
    // The value slot as it is (for undoing a change exactly).
    const std::optional<std::string>& slot(MacroId id) const { return values_[id]; }
    void restore(MacroId id, std::optional<std::string> v) { values_[id] = std::move(v); }
    void freeze_base() { base_ = std::make_shared<const std::array<std::optional<std::string>, 256>>(values_); }

private:
    std::array<std::optional<std::string>, 256> values_;
    std::shared_ptr<const std::array<std::optional<std::string>, 256>> base_;
};

// Class words. Membership is case-insensitive; the first spelling entered
// is kept. Dumps come out in sendmail's symbol-table order.
//
// Copies share their data until one of them changes it: every session
// starts with a copy of the config's classes and few ever add to them.
class Classes {
public:
    void add(MacroId cls, const std::string& word);
    bool contains(MacroId cls, const std::string& word) const;
    void copy(MacroId from, MacroId to);  // `C{X}$=Y`
    // Members of `cls` in the order `$=X` prints them.
    std::vector<std::string> dump(MacroId cls) const;
    bool empty(MacroId cls) const;
    // The longest member of `cls`, in bytes: a longer phrase cannot match.
    std::size_t max_length(MacroId cls) const { return d_->max_len[cls]; }
    // Whether some member of `cls` is `length` bytes long and starts with
    // byte `first` (case-insensitive), as far as a one-word filter can
    // tell: false means none is, true that contains() must decide.
    bool may_contain(MacroId cls, unsigned char first, std::size_t length) const {
        return (d_->quick[cls] & quick_bit(first, length)) != 0;
    }
    // Whether some member of `cls` starts with byte `c` (case-insensitive):
    // if not, no phrase starting with it can match.
    bool may_start_with(MacroId cls, unsigned char c) const {
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
        return d_->first_bytes[cls].test(c);
    }

private:
    struct Entry {
        std::string spelling;
        std::bitset<256> classes;
        int bucket = 0;
        std::uint64_t seq = 0;
    };
    // Case-insensitive (ASCII) hashing and comparison, so lookups need no
    // lower-cased copy of the word.
    struct CaseHash {
        std::size_t operator()(const std::string& s) const noexcept;
    };
    struct CaseEqual {
        bool operator()(const std::string& a, const std::string& b) const noexcept;
    };
    struct Data {
        std::unordered_map<std::string, Entry, CaseHash, CaseEqual> words;
        std::uint64_t next_seq = 0;
        std::array<std::size_t, 256> max_len{};
        // Per class, one bit per (length, case-folded first byte) of a member:
        // the matcher asks about many phrases that are not members, and most
        // are turned away here without hashing the phrase.
        std::array<std::uint64_t, 256> quick{};
        std::array<std::bitset<256>, 256> first_bytes{};  // see may_start_with()
    };
    // The data to change: this copy's own from now on.
    Data& own() {
        if (d_.use_count() > 1) d_ = std::make_shared<Data>(*d_);
        return *d_;
    }
    std::shared_ptr<Data> d_ = std::make_shared<Data>();

    static std::uint64_t quick_bit(unsigned char first, std::size_t length) {
        std::uint32_t c = first;
        if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        std::uint32_t h = c * 0x9E3779B1u ^ static_cast<std::uint32_t>(length) * 0x85EBCA77u;
        return std::uint64_t{1} << (h >> 26);
    }
    static std::uint64_t quick_bit(const std::string& word) {
        return quick_bit(word.empty() ? 0 : static_cast<unsigned char>(word[0]), word.size());
    }
};

// Sendmail's symbol-table hash for a name of the given symbol type
// (ST_CLASS = 1), which decides class dump order.
int stab_bucket(const std::string& name, int type);

std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);
bool ascii_iequal(const std::string& a, const std::string& b);

struct Env {
    MacroNames names;
    Macros macros;
    Classes classes;
};

} // namespace cfkit
