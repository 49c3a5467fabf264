#include "engine/text/symbols.hpp"

#include <algorithm>

#include "engine/text/limits.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {

std::string ascii_lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

std::string ascii_upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
}

bool ascii_iequal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

int stab_bucket(const std::string& name, int type) {
    int h = type;
    for (unsigned char c : name) {
        unsigned char l = (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
        h = ((h << 1) ^ l) % limits::kStabSize;
    }
    return h;
}

MacroNames::MacroNames() {
    // Before any file is read: initmacros() binds {opMode} to the fixed id
    // 0x82 (MID_OPMODE); setdefaults() has already used {deliveryMode} (the
    // first long id, 0xA0) and sm_getla() then {load_avg} (0xA1).
    d_->names[0x82] = "opMode";
    d_->ids.emplace("opMode", static_cast<MacroId>(0x82));
    intern("deliveryMode");
    intern("load_avg");  // sm_getla(), also before the file is read
}

std::optional<MacroId> MacroNames::intern(const std::string& name) {
    if (std::optional<MacroId> known = find(name)) return known;
    if (next_ > limits::kMaxMacroId) return std::nullopt;
    MacroId id = static_cast<MacroId>(next_++);
    if (d_.use_count() == 1 && added_names_.empty()) {
        d_->names[id] = name;
        d_->ids.emplace(name, id);
        first_added_ = next_;
        return id;
    }
    added_names_.push_back(name);
    if (added_names_.size() > 32) {  // a copy that keeps adding: give it its own table
        auto own = std::make_shared<Data>(*d_);
        for (std::size_t i = 0; i < added_names_.size(); ++i) {
            MacroId a = static_cast<MacroId>(first_added_ + static_cast<int>(i));
            own->names[a] = added_names_[i];
            own->ids.emplace(added_names_[i], a);
        }
        d_ = std::move(own);
        added_names_.clear();
        first_added_ = next_;
    }
    return id;
}

std::optional<MacroId> MacroNames::find(const std::string& name) const {
    auto it = d_->ids.find(name);
    if (it != d_->ids.end()) return it->second;
    for (std::size_t i = 0; i < added_names_.size(); ++i) {
        if (added_names_[i] == name) return static_cast<MacroId>(first_added_ + static_cast<int>(i));
    }
    return std::nullopt;
}

const std::string& MacroNames::name_of(MacroId id) const {
    if (id >= first_added_ && id < next_) return added_names_[id - first_added_];
    return d_->names[id];
}

std::string MacroNames::display(MacroId id) const {
    if (id >= limits::kFirstLongMacroId) return "{" + name_of(id) + "}";
    return std::string(1, static_cast<char>(id));
}

Macros::Macros() {
    // initmacros(): the operator "macros" whose values are meta bytes, which
    // is how `$*` in a rule turns into MATCHZANY when it is expanded.
    static const struct { char name; unsigned char value; } kOps[] = {
        {'*', meta::MATCHZANY}, {'+', meta::MATCHANY}, {'-', meta::MATCHONE},
        {'=', meta::MATCHCLASS}, {'~', meta::MATCHNCLASS}, {'#', meta::CANONNET},
        {'@', meta::CANONHOST}, {':', meta::CANONUSER}, {'>', meta::CALLSUBR},
        {'?', meta::CONDIF}, {'|', meta::CONDELSE}, {'.', meta::CONDFI},
        {'[', meta::HOSTBEGIN}, {']', meta::HOSTEND}, {'(', meta::LOOKUPBEGIN},
        {')', meta::LOOKUPEND}, {'&', meta::MACRODEXPAND},
    };
    for (const auto& op : kOps) set(static_cast<MacroId>(op.name), std::string(1, static_cast<char>(op.value)));
    for (char d = '0'; d <= '9'; ++d) {
        std::string v;
        v.push_back(static_cast<char>(meta::MATCHREPL));
        v.push_back(d);
        set(static_cast<MacroId>(d), v);
    }
    set('n', "MAILER-DAEMON");
}

std::size_t Classes::CaseHash::operator()(const std::string& s) const noexcept {
    std::size_t h = static_cast<std::size_t>(1469598103934665603ull);  // (cut to 32 bits in WebAssembly)
    for (unsigned char c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
        h = (h ^ c) * static_cast<std::size_t>(1099511628211ull);
    }
    return h;
}

bool Classes::CaseEqual::operator()(const std::string& a, const std::string& b) const noexcept {
    return ascii_iequal(a, b);
}

void Classes::add(MacroId cls, const std::string& word) {
    Data& d = own();
    auto it = d.words.find(word);
    if (it == d.words.end()) {
        Entry e;
        e.spelling = word;
        e.bucket = stab_bucket(word, 1);
        e.seq = d.next_seq++;
        it = d.words.emplace(word, std::move(e)).first;
    }
    it->second.classes.set(cls);
    d.max_len[cls] = std::max(d.max_len[cls], word.size());
    d.quick[cls] |= quick_bit(word);
    if (!word.empty()) {
        unsigned char c = static_cast<unsigned char>(word[0]);
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
        d.first_bytes[cls].set(c);
    }
}

bool Classes::contains(MacroId cls, const std::string& word) const {
    if (!(d_->quick[cls] & quick_bit(word))) return false;
    auto it = d_->words.find(word);
    return it != d_->words.end() && it->second.classes.test(cls);
}

void Classes::copy(MacroId from, MacroId to) {
    Data& d = own();
    for (auto& [key, e] : d.words) {
        if (e.classes.test(from)) e.classes.set(to);
    }
    d.max_len[to] = std::max(d.max_len[to], d.max_len[from]);
    d.quick[to] |= d.quick[from];
    d.first_bytes[to] |= d.first_bytes[from];
}

bool Classes::empty(MacroId cls) const {
    for (const auto& [key, e] : d_->words) {
        if (e.classes.test(cls)) return false;
    }
    return true;
}

std::vector<std::string> Classes::dump(MacroId cls) const {
    std::vector<const Entry*> members;
    for (const auto& [key, e] : d_->words) {
        if (e.classes.test(cls)) members.push_back(&e);
    }
    std::sort(members.begin(), members.end(), [](const Entry* a, const Entry* b) {
        return a->bucket != b->bucket ? a->bucket < b->bucket : a->seq < b->seq;
    });
    std::vector<std::string> out;
    out.reserve(members.size());
    for (const Entry* e : members) out.push_back(e->spelling);
    return out;
}

} // namespace cfkit
