// Actions and error messages for json_grammar.hpp: the actions build the
// JsonValue tree on a stack, converting PEGTL positions to SourceLoc here so
// that nothing outside grammar/ sees PEGTL.
#include "grammar/json.hpp"

#include "grammar/json_grammar.hpp"

#include <tao/pegtl/contrib/unescape.hpp>

namespace cfkit {

namespace {

namespace pegtl = tao::pegtl;
namespace j = cfkit::grammar::json;

constexpr std::size_t kMaxDepth = 64;  // nested arrays and objects

// ---- error messages: one per rule that can be required --------------------
template <typename Rule> constexpr const char* message = nullptr;
template <> constexpr const char* message<j::value_required> = "expected a JSON value";
template <> constexpr const char* message<j::trailing> = "unexpected text after the JSON value";
template <> constexpr const char* message<j::array_item> = "expected a value after ','";
template <> constexpr const char* message<j::array_close> = "expected ',' or ']'";
template <> constexpr const char* message<j::array_first> = "expected a value or ']'";
template <> constexpr const char* message<j::name_separator> = "expected ':' after the member name";
template <> constexpr const char* message<j::member_value> = "expected a value after ':'";
template <> constexpr const char* message<j::member_required> =
    "expected a member name (a string in double quotes) after ','";
template <> constexpr const char* message<j::object_close> = "expected ',' or '}'";
template <> constexpr const char* message<j::object_first> =
    "expected a member name (a string in double quotes) or '}'";
template <> constexpr const char* message<j::string_end> =
    "expected '\"' to end the string (control characters and invalid UTF-8 must not appear in it)";
template <> constexpr const char* message<j::escape> = "bad escape: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX";
template <> constexpr const char* message<j::fraction_digits> = "expected digits after '.'";
template <> constexpr const char* message<j::exponent_digits> = "expected digits in the exponent";
template <> constexpr const char* message<j::block_comment_end> = "unterminated /* comment (it runs to the end of the file)";

template <typename Rule>
struct control : pegtl::normal<Rule> {
    template <typename Input, typename... States>
    [[noreturn]] static void raise(const Input& in, States&&...) {
        // rules that cannot fail (white space, optional parts) have no message
        throw pegtl::parse_error(message<Rule> ? message<Rule> : "syntax error", in);
    }
};

// ---- actions ----------------------------------------------------------------
struct Builder {
    std::string path;
    std::vector<JsonValue> stack;  // open arrays and objects, and the value just read
    std::vector<std::pair<std::string, SourceLoc>> keys;
    std::size_t depth = 0;

    SourceLoc loc(const pegtl::position& p) const {
        return SourceLoc{path, static_cast<int>(p.line), static_cast<int>(p.column)};
    }
    void push(JsonValue::Kind k, const pegtl::position& p, std::string text = {}) {
        JsonValue v;
        v.kind = k;
        v.loc = loc(p);
        v.text = std::move(text);
        stack.push_back(std::move(v));
    }
    JsonValue pop() {
        JsonValue v = std::move(stack.back());
        stack.pop_back();
        return v;
    }
};

// The value of a string as written (quotes included, escapes checked by
// the grammar); false for a lone UTF-16 surrogate, which PEGTL's
// utf8_append_utf32() refuses.
bool unescape(std::string_view s, std::string& out) {
    auto hex4 = [&](std::size_t at) {
        return pegtl::unescape::unhex_string<unsigned>(s.data() + at, s.data() + at + 4);
    };
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        char e = s[++i];
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            unsigned cp = hex4(i + 1);
            i += 4;
            // a high surrogate and a low one make one code point
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
                const unsigned lo = hex4(i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (!pegtl::unescape::utf8_append_utf32(out, cp)) return false;
            break;
        }
        default: out += e;  // " \ /
        }
    }
    return true;
}

template <typename Rule> struct action : pegtl::nothing<Rule> {};

template <typename Input>
std::string string_value(const Input& in) {
    std::string v;
    if (!unescape(in.string_view(), v)) throw pegtl::parse_error("bad \\u escape: a lone UTF-16 surrogate", in);
    return v;
}

template <> struct action<j::quoted> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.push(JsonValue::Kind::String, in.position(), string_value(in));
    }
};
template <> struct action<j::key> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.keys.emplace_back(string_value(in), b.loc(in.position()));
    }
};
template <> struct action<j::number> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.push(JsonValue::Kind::Number, in.position(), in.string());
    }
};
template <> struct action<j::true_> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.push(JsonValue::Kind::Bool, in.position());
        b.stack.back().boolean = true;
    }
};
template <> struct action<j::false_> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.push(JsonValue::Kind::Bool, in.position());
    }
};
template <> struct action<j::null> {
    template <typename Input> static void apply(const Input& in, Builder& b) {
        b.push(JsonValue::Kind::Null, in.position());
    }
};

template <typename Input> void open(const Input& in, Builder& b, JsonValue::Kind k) {
    if (++b.depth > kMaxDepth)
        throw pegtl::parse_error("arrays and objects nested more than " + std::to_string(kMaxDepth) + " deep", in);
    b.push(k, in.position());
}
template <> struct action<j::begin_array> {
    template <typename Input> static void apply(const Input& in, Builder& b) { open(in, b, JsonValue::Kind::Array); }
};
template <> struct action<j::begin_object> {
    template <typename Input> static void apply(const Input& in, Builder& b) { open(in, b, JsonValue::Kind::Object); }
};
template <> struct action<j::array_close> {
    static void apply0(Builder& b) { --b.depth; }
};
template <> struct action<j::object_close> {
    static void apply0(Builder& b) { --b.depth; }
};
template <> struct action<j::array_item> {
    static void apply0(Builder& b) {
        JsonValue v = b.pop();
        b.stack.back().items.push_back(std::move(v));
    }
};
template <> struct action<j::member_value> {
    static void apply0(Builder& b) {
        JsonValue v = b.pop();
        JsonMember m{std::move(b.keys.back().first), b.keys.back().second, std::move(v)};
        b.keys.pop_back();
        b.stack.back().members.push_back(std::move(m));
    }
};

} // namespace

const JsonMember* JsonValue::member(std::string_view key) const {
    const JsonMember* found = nullptr;
    for (const JsonMember& m : members)
        if (m.key == key) found = &m;
    return found;
}

const char* json_kind_name(JsonValue::Kind k) {
    switch (k) {
    case JsonValue::Kind::Null: return "null";
    case JsonValue::Kind::Bool: return "a boolean";
    case JsonValue::Kind::Number: return "a number";
    case JsonValue::Kind::String: return "a string";
    case JsonValue::Kind::Array: return "an array";
    case JsonValue::Kind::Object: return "an object";
    }
    return "?";
}

JsonRead read_json(std::string_view text, const std::string& path) {
    JsonRead r;
    Builder b;
    b.path = path;
    pegtl::memory_input<> in(text.data(), text.size(), path);
    try {
        pegtl::parse<j::text, action, control>(in, b);
        r.value = b.pop();
    } catch (const pegtl::parse_error& e) {
        const pegtl::position& p = e.positions().front();
        r.error.loc = SourceLoc{path, static_cast<int>(p.line), static_cast<int>(p.column)};
        r.error.message = std::string(e.message());
    }
    return r;
}

} // namespace cfkit
