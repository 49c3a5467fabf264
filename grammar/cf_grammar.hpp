// PEGTL grammar for sendmail .cf files. Pure rules, no actions (those are in
// cf_parser.cpp). Two levels, as sendmail reads a file:
//   1. `file`: physical lines folded into logical lines (fgetfolded()).
//   2. one rule per line kind, applied to a logical line after comment
//      removal, dispatched on the key letter (readcf()).
#pragma once

#include <tao/pegtl.hpp>

namespace cfkit::grammar {

namespace pegtl = tao::pegtl;
using namespace pegtl;

// ---- level 1: logical lines -------------------------------------------------
// CR LF counts as LF; a lone CR is an ordinary byte.
struct eol_ : sor<string<'\r', '\n'>, one<'\n'>> {};
struct line_body : star<not_at<eol_>, any> {};
// A physical line that starts with SP or TAB continues the previous one.
struct continuation : seq<eol_, at<one<' ', '\t'>>, line_body> {};
struct logical_line : seq<line_body, star<continuation>> {};
struct line_end : sor<eol_, eof> {};
struct file : until<eof, seq<logical_line, line_end>> {};

// ---- level 2: fields of one logical line --------------------------------------
struct tab : one<'\t'> {};
struct ws : one<' ', '\t', '\n', '\r', '\v', '\f'> {};
struct rest : star<any> {};

// A macro or class name: `{name}` or one byte.
struct brace_name : seq<one<'{'>, star<not_one<'}'>>, opt<one<'}'>>> {};
struct macro_name : sor<brace_name, any> {};

// R<lhs><TAB>+<rhs>[<TAB><comment>]
struct rule_lhs : star<not_one<'\t'>> {};
struct rule_rhs : star<not_one<'\t'>> {};
struct rule_comment : rest {};
struct rule_tabs : plus<tab> {};
struct rule_missing_tab : eof {};
struct rule_line
    : seq<one<'R'>, rule_lhs, sor<seq<rule_tabs, rule_rhs, opt<tab, rule_comment>>, rule_missing_tab>> {};

// D/C/F: key letter, name, rest.
struct named_value : rest {};
struct named_line : seq<one<'D', 'C', 'F'>, opt<macro_name>, named_value> {};

// K name class args
struct map_name : plus<sor<alnum, one<'_', '.'>>> {};
struct map_line : seq<one<'K'>, star<ws>, opt<map_name>, named_value> {};

// M name{,| }fields
struct mailer_name : star<not_one<',', ' ', '\t', '\n'>> {};
struct mailer_line : seq<one<'M'>, mailer_name, named_value> {};

// O<char><value> or O <LongName>[=<value>]
struct long_option_name : plus<not_one<'=', ' ', '\t', '\n'>> {};
struct long_option : seq<plus<ws>, opt<long_option_name>, named_value> {};
struct short_option_name : any {};
struct option_line : seq<one<'O'>, sor<long_option, seq<opt<short_option_name>, named_value>>> {};

// Every other kind: key letter and the rest.
struct other_line : seq<any, named_value> {};

struct cf_line : sor<rule_line, named_line, map_line, mailer_line, option_line, other_line, eof> {};

} // namespace cfkit::grammar
