// PEGTL grammar for JSON (RFC 8259) with `//` and `/* */` comments as white
// space. Pure rules; the actions and the error messages are in
// json_reader.cpp. After the first byte of a value, member or separator the
// rules commit (must<>), so a mistake is reported where it is, not where
// backtracking gave up.
#pragma once

#include <tao/pegtl.hpp>

namespace cfkit::grammar::json {

namespace pegtl = tao::pegtl;
using namespace pegtl;

struct line_comment : seq<two<'/'>, until<sor<eolf, at<eof>>>> {};
struct block_comment_end : until<string<'*', '/'>> {};
struct block_comment : if_must<string<'/', '*'>, block_comment_end> {};
struct ws : sor<one<' ', '\t', '\n', '\r'>, line_comment, block_comment> {};
struct sep : star<ws> {};

struct hex4 : rep<4, xdigit> {};
struct escape : sor<one<'"', '\\', '/', 'b', 'f', 'n', 'r', 't'>, seq<one<'u'>, hex4>> {};
struct escaped : if_must<one<'\\'>, escape> {};
struct plain_char : utf8::range<0x20, 0x10FFFF> {};
struct string_char : sor<escaped, seq<not_at<one<'"', '\\'>>, plain_char>> {};
struct string_end : one<'"'> {};
struct string_body : seq<star<string_char>, must<string_end>> {};
struct quoted : if_must<one<'"'>, string_body> {};

struct digits : plus<digit> {};
struct exponent_digits : digits {};
struct fraction_digits : digits {};
struct exponent : if_must<one<'e', 'E'>, opt<one<'-', '+'>>, exponent_digits> {};
struct fraction : if_must<one<'.'>, fraction_digits> {};
struct integer : sor<one<'0'>, seq<range<'1', '9'>, star<digit>>> {};
struct int_part : integer {};
struct number : seq<opt<one<'-'>>, int_part, opt<fraction>, opt<exponent>> {};

struct true_ : string<'t', 'r', 'u', 'e'> {};
struct false_ : string<'f', 'a', 'l', 's', 'e'> {};
struct null : string<'n', 'u', 'l', 'l'> {};

struct value;
// In an array: [ ] or [ item {, item} ]
struct array_item : seq<value> {};
struct array_close : one<']'> {};
struct array_next : if_must<one<','>, sep, array_item, sep> {};
struct array_first : sor<array_close, seq<array_item, sep, star<array_next>, must<array_close>>> {};
struct begin_array : one<'['> {};
struct array : if_must<begin_array, sep, array_first> {};

// In an object: { } or { "name": value {, "name": value} }
struct key : quoted {};
struct name_separator : one<':'> {};
struct member_value : seq<value> {};
struct member : seq<key, sep, must<name_separator>, sep, must<member_value>, sep> {};
struct member_required : member {};
struct object_close : one<'}'> {};
struct object_next : if_must<one<','>, sep, member_required> {};
struct object_first : sor<object_close, seq<member, star<object_next>, must<object_close>>> {};
struct begin_object : one<'{'> {};
struct object : if_must<begin_object, sep, object_first> {};

struct value : sor<quoted, number, object, array, true_, false_, null> {};
struct value_required : seq<value> {};
struct trailing : eof {};
struct text : seq<sep, must<value_required>, sep, must<trailing>> {};

} // namespace cfkit::grammar::json
