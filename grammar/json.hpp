// JSON with positions, for the files people write for cfkit (the policy of
// `cfkit gen`): every value and member name knows where it starts, so a
// message can say `POLICY.json:12:7: $.helo.reject[2]: ...`. `//` and
// `/* */` comments are allowed where white space is. Read by
// grammar/json_reader.cpp with PEGTL; nothing here includes PEGTL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.hpp"

namespace cfkit {

struct JsonMember;

struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    SourceLoc loc;                    // where the value starts
    bool boolean = false;
    std::string text;                 // a String's value (unescaped, UTF-8); a Number as written
    std::vector<JsonValue> items;     // Array
    std::vector<JsonMember> members;  // Object, in file order (duplicates kept: the reader of the value decides)

    bool is(Kind k) const { return kind == k; }
    // The member named `key` (the last, if repeated), or nullptr.
    const JsonMember* member(std::string_view key) const;
};

struct JsonMember {
    std::string key;
    SourceLoc key_loc;
    JsonValue value;
};

// "object", "string", ... as messages name a kind.
const char* json_kind_name(JsonValue::Kind k);

struct JsonError {
    SourceLoc loc;
    std::string message;
};

struct JsonRead {
    std::optional<JsonValue> value;  // nullopt: see error
    JsonError error;
};

JsonRead read_json(std::string_view text, const std::string& path);

} // namespace cfkit
