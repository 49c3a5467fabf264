#include "engine/smtp/collect.hpp"

namespace cfkit {

namespace {

constexpr std::size_t kMaxFieldName = 100;  // dochompheader(): longer names end the header

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// chompheader() returns H_EOH: the line becomes the first body line.
bool ends_header(const std::string& field, const HeaderTable& headers) {
    HeaderLine h = split_header(field, false);
    if (!h.ok) return false;  // a syntax error is still counted as a header
    if (h.name.size() > kMaxFieldName) return true;
    const HeaderInfo* hi = headers.find(h.name);
    return hi && (hi->flags & kHEoh);
}

} // namespace

bool is_header(const std::string& line) {
    if (line.size() >= 2 && line[0] == '-' && line[1] == '-') return false;
    std::size_t p = 0;
    // sendmail compares a signed char with ' ': bytes >= 0x80 end the name
    while (p < line.size() && static_cast<signed char>(line[p]) > ' ' && line[p] != ':') ++p;
    if (p == 0) return false;
    while (p < line.size() && is_blank(line[p])) ++p;
    return p < line.size() && line[p] == ':';
}

CollectedMessage collect_message(const std::vector<std::string>& wire, const HeaderTable& headers,
                                 long max_headers_length) {
    CollectedMessage m;
    enum class State { UFrom, Header, Body, Discard } st = State::UFrom;
    std::string buf;  // the field being read, with its continuation lines
    for (std::size_t i = 0; i < wire.size(); ++i) {
        const std::string line = !wire[i].empty() && wire[i][0] == '.' ? wire[i].substr(1) : wire[i];
        m.size += line.size() + 1;
        if (st == State::Body || st == State::Discard) continue;
        // the header is buffered a byte at a time; the limit can strike mid-line
        std::size_t room = max_headers_length > 0 && static_cast<std::size_t>(max_headers_length) > m.header_bytes
                               ? static_cast<std::size_t>(max_headers_length) - m.header_bytes
                               : 0;
        if (max_headers_length > 0 && line.size() + 1 > room) {
            m.header_bytes += room + 1;
            m.too_large = true;
            st = State::Discard;
            continue;
        }
        m.header_bytes += line.size() + 1;
        if (!buf.empty()) buf += '\n';
        buf += line;
        if (st == State::UFrom) {
            st = State::Header;
            if (buf.compare(0, 5, "From ") == 0) {  // eatfrom(): a UNIX From line
                buf.clear();
                continue;
            }
        }
        if (!is_header(buf)) {
            st = State::Body;
            continue;
        }
        // the next line's first byte as it arrives (before unstuffing)
        bool continued = i + 1 < wire.size() && !wire[i + 1].empty() && (wire[i + 1][0] == ' ' || wire[i + 1][0] == '\t');
        if (continued) continue;
        if (ends_header(buf, headers)) {
            st = State::Body;
            continue;
        }
        m.fields.push_back(buf);
        buf.clear();
    }
    return m;
}

} // namespace cfkit
