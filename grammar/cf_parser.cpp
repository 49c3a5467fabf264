// Actions for cf_grammar.hpp: they only record where each piece starts and
// ends; positions are converted to cfkit's SourceLoc here so that nothing
// outside grammar/ sees PEGTL.
#include "grammar/cf_parser.hpp"

#include <cstdlib>

#include "grammar/cf_grammar.hpp"
#include "grammar/comments.hpp"

namespace cfkit {

const char* line_kind_name(LineKind k) {
    switch (k) {
    case LineKind::Blank: return "blank";
    case LineKind::Comment: return "comment";
    case LineKind::Version: return "V";
    case LineKind::Define: return "D";
    case LineKind::Class: return "C";
    case LineKind::FileClass: return "F";
    case LineKind::Ruleset: return "S";
    case LineKind::Rule: return "R";
    case LineKind::Map: return "K";
    case LineKind::Mailer: return "M";
    case LineKind::Option: return "O";
    case LineKind::Header: return "H";
    case LineKind::Priority: return "P";
    case LineKind::Env: return "E";
    case LineKind::Queue: return "Q";
    case LineKind::Trusted: return "T";
    case LineKind::Milter: return "X";
    case LineKind::Unknown: return "unknown";
    }
    return "?";
}

namespace {

namespace pegtl = tao::pegtl;
namespace g = cfkit::grammar;

// ---- level 1 ----------------------------------------------------------------
struct RawLine {
    std::size_t begin = 0, end = 0;  // byte range of the logical line in the file
};

template <typename Rule> struct fold_action : pegtl::nothing<Rule> {};

template <> struct fold_action<g::logical_line> {
    template <typename Input>
    static void apply(const Input& in, std::vector<RawLine>& out) {
        RawLine r;
        r.begin = static_cast<std::size_t>(in.begin() - in.input().begin());
        r.end = r.begin + in.size();
        out.push_back(r);
    }
};

// The logical line's bytes as sendmail keeps them: CR LF becomes LF; a NUL
// ends the C string sendmail works on.
std::string unfold(std::string_view bytes) {
    std::string s;
    s.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (c == '\0') break;
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
        s.push_back(c);
    }
    return s;
}

// ---- level 2 ----------------------------------------------------------------
struct Span {
    std::size_t begin = 0, end = 0;
    bool present = false;
};
struct LineParts {
    Span name, value, lhs, rhs, comment;
    bool missing_tab = false;
};

template <typename Rule> struct line_action : pegtl::nothing<Rule> {};

template <typename Input> Span span_of(const Input& in) {
    Span s;
    s.begin = static_cast<std::size_t>(in.begin() - in.input().begin());
    s.end = s.begin + in.size();
    s.present = true;
    return s;
}

#define CFKIT_CAPTURE(RULE, MEMBER)                                        \
    template <> struct line_action<RULE> {                                \
        template <typename Input>                                         \
        static void apply(const Input& in, LineParts& p) { p.MEMBER = span_of(in); } \
    };
CFKIT_CAPTURE(g::rule_lhs, lhs)
CFKIT_CAPTURE(g::rule_rhs, rhs)
CFKIT_CAPTURE(g::rule_comment, comment)
CFKIT_CAPTURE(g::macro_name, name)
CFKIT_CAPTURE(g::map_name, name)
CFKIT_CAPTURE(g::mailer_name, name)
CFKIT_CAPTURE(g::long_option_name, name)
CFKIT_CAPTURE(g::short_option_name, name)
CFKIT_CAPTURE(g::named_value, value)
#undef CFKIT_CAPTURE

template <> struct line_action<g::rule_missing_tab> {
    template <typename Input> static void apply(const Input&, LineParts& p) { p.missing_tab = true; }
};

LineKind kind_of(const std::string& text, const std::string& raw) {
    if (!raw.empty() && raw[0] == '#') return LineKind::Comment;
    if (text.empty() || text[0] == '#') return LineKind::Blank;
    switch (text[0]) {
    case 'V': return LineKind::Version;
    case 'D': return LineKind::Define;
    case 'C': return LineKind::Class;
    case 'F': return LineKind::FileClass;
    case 'S': return LineKind::Ruleset;
    case 'R': return LineKind::Rule;
    case 'K': return LineKind::Map;
    case 'M': return LineKind::Mailer;
    case 'O': return LineKind::Option;
    case 'H': return LineKind::Header;
    case 'P': return LineKind::Priority;
    case 'E': return LineKind::Env;
    case 'Q': return LineKind::Queue;
    case 'T': return LineKind::Trusted;
    case 'X': return LineKind::Milter;
    default: return LineKind::Unknown;
    }
}

// Maps an offset in a line's `text` back to a file position.
struct Locator {
    const std::string& path;
    const std::string& raw;
    const std::vector<std::uint32_t>& origin;
    int first_line;

    SourceLoc at(std::size_t text_offset) const {
        std::size_t raw_off = text_offset < origin.size() ? origin[text_offset]
                              : raw.size();
        SourceLoc loc{path, first_line, 1};
        for (std::size_t i = 0; i < raw_off && i < raw.size(); ++i) {
            if (raw[i] == '\n') {
                ++loc.line;
                loc.column = 1;
            } else {
                ++loc.column;
            }
        }
        return loc;
    }
    Field field(const std::string& text, const Span& s) const {
        Field f;
        if (!s.present) return f;
        f.present = true;
        f.text = text.substr(s.begin, s.end - s.begin);
        f.loc = at(s.begin);
        return f;
    }
};

int version_level(const std::string& text, int current) {
    std::size_t i = 1;
    while (i < text.size() && is_space(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return current;
    return static_cast<int>(std::strtol(text.c_str() + i, nullptr, 10));
}

} // namespace

CfFile parse_cf(std::string_view content, const std::string& path) {
    CfFile file;
    file.path = path;
    std::vector<RawLine> raws;
    // Lazy position tracking: the actions only take byte offsets, and line
    // numbers are counted below (eager tracking costs a branch per byte).
    pegtl::memory_input<pegtl::tracking_mode::lazy> in(content.data(), content.size(), path);
    pegtl::parse<g::file, fold_action>(in, raws);

    file.lines.reserve(raws.size());
    int level = 0;
    int lf_count = 0;  // sendmail's LineNumber counts LFs read so far
    for (const RawLine& r : raws) {
        CfLine line;
        const int first_line = lf_count + 1;  // every logical line starts a physical one
        std::string_view bytes = content.substr(r.begin, r.end - r.begin);
        for (char c : bytes) lf_count += (c == '\n');
        if (r.end < content.size() && content[r.end] == '\n') ++lf_count;
        else if (r.end + 1 < content.size() && content[r.end] == '\r' && content[r.end + 1] == '\n') ++lf_count;
        line.raw = unfold(bytes);
        line.loc = SourceLoc{path, first_line, 1};
        line.report_line = lf_count;
        line.config_level = level;
        std::vector<std::uint32_t> origin;
        if (line.raw.empty() || line.raw[0] != '#') line.text = strip_comments(line.raw, level, &origin);
        line.kind = kind_of(line.text, line.raw);
        if (line.kind == LineKind::Comment || line.kind == LineKind::Blank) {
            file.lines.push_back(std::move(line));
            continue;
        }
        LineParts parts;
        pegtl::memory_input<pegtl::tracking_mode::lazy> lin(line.text.data(), line.text.size(), "");
        pegtl::parse<g::cf_line, line_action>(lin, parts);
        Locator loc{path, line.raw, origin, first_line};
        line.name = loc.field(line.text, parts.name);
        line.value = loc.field(line.text, parts.value);
        line.lhs = loc.field(line.text, parts.lhs);
        line.rhs = loc.field(line.text, parts.rhs);
        line.comment = loc.field(line.text, parts.comment);
        line.missing_tab = parts.missing_tab;
        if (line.kind == LineKind::Version) level = version_level(line.text, level);
        file.lines.push_back(std::move(line));
    }
    return file;
}

} // namespace cfkit
