// JSON text written directly, for output that may carry any byte: queue
// files hold 8-bit and control characters that are not UTF-8, which
// nlohmann::json refuses to dump. Valid UTF-8 is copied; any other byte is
// written as \u00XX (its Latin-1 reading), so nothing is refused. (The
// Latin-1 byte 0xFC and the UTF-8 "ü" then read alike: a reader who needs
// the bytes takes the qf itself.)
// Also faster than building a json value per line of a 100,000-line stream.
// The engine (cfkit explain's JSON) and the program (queue, replay) share it.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace cfkit {

// The length of a valid UTF-8 sequence at s[i], 0 if there is none.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
        return 0;  // overlong, surrogate, beyond U+10FFFF
    return n;
}

inline void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else if (c >= 0x80) {
            if (std::size_t n = utf8_length(s, i)) {
                out.append(s.substr(i, n));
                i += n;
                continue;
            }
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    out += '"';
}

// One JSON object, its members in the order added.
class JsonObject {
public:
    JsonObject& str(std::string_view k, std::string_view v) {
        key(k);
        append_json_string(s_, v);
        return *this;
    }
    JsonObject& num(std::string_view k, long long v) {
        key(k);
        s_ += std::to_string(v);
        return *this;
    }
    JsonObject& boolean(std::string_view k, bool v) {
        key(k);
        s_ += v ? "true" : "false";
        return *this;
    }
    JsonObject& null(std::string_view k) {
        key(k);
        s_ += "null";
        return *this;
    }
    JsonObject& raw(std::string_view k, std::string_view json) {  // an object or array already written
        key(k);
        s_ += json;
        return *this;
    }
    JsonObject& strings(std::string_view k, const std::vector<std::string>& v) {
        key(k);
        s_ += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) s_ += ',';
            append_json_string(s_, v[i]);
        }
        s_ += ']';
        return *this;
    }
    std::string text() const { return s_ + "}"; }

private:
    void key(std::string_view k) {
        s_ += s_.size() > 1 ? "," : "";
        append_json_string(s_, k);
        s_ += ':';
    }
    std::string s_ = "{";
};

// "[a,b,c]" of JSON texts.
inline std::string json_array(const std::vector<std::string>& items) {
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
    return s + "]";
}

}  // namespace cfkit
