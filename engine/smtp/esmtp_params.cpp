#include "engine/smtp/esmtp_params.hpp"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

#include "engine/mail/reply.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

namespace {

constexpr std::size_t kMaxShortStr = 203;  // MAXSHORTSTR

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool iequal(const std::string& a, const char* b) {
    std::size_t n = std::char_traits<char>::length(b);
    if (a.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

char printable(char c) { return std::isprint(static_cast<unsigned char>(c)) && !(c & 0x80) ? c : '?'; }

} // namespace

SkipWord skip_word(const std::string& text, const std::string& word) {
    SkipWord r;
    std::size_t p = 0;
    while (p < text.size() && is_space(text[p])) ++p;
    std::size_t q = p;
    while (p < text.size() && text[p] != ':' && !is_space(text[p])) ++p;
    std::size_t word_end = p;
    while (p < text.size() && is_space(text[p])) ++p;
    // sendmail shows the text from the start up to the first byte it
    // overwrote with NUL (the spaces or the colon after the word)
    auto syntax = [&](std::size_t shown_end) {
        r.error = "501 5.5.2 Syntax error in parameters scanning \"" + shorten(text.substr(0, shown_end), kMaxShortStr) + "\"";
        return r;
    };
    if (p >= text.size() || text[p] != ':') return syntax(p > word_end ? word_end : text.size());
    std::size_t rest = p + 1;
    while (rest < text.size() && is_space(text[rest])) ++rest;
    if (rest >= text.size() || !iequal(text.substr(q, word_end - q), word.c_str())) return syntax(word_end);
    r.rest = text.substr(rest);
    return r;
}

std::vector<EsmtpParam> split_esmtp_params(const std::string& t) {
    std::vector<EsmtpParam> out;
    std::size_t p = 0;
    while (p < t.size()) {
        while (p < t.size() && is_space(t[p])) ++p;
        if (p >= t.size()) break;
        EsmtpParam e;
        std::size_t k = p;
        while (p < t.size() && ((std::isalnum(static_cast<unsigned char>(t[p])) && !(t[p] & 0x80)) || t[p] == '-')) ++p;
        if (p < t.size() && t[p] == '=') {
            e.key = t.substr(k, p - k);
            std::size_t v = ++p;
            while (p < t.size() && t[p] != ' ' && !std::iscntrl(static_cast<unsigned char>(t[p])) && t[p] != '=') ++p;
            e.value = t.substr(v, p - v);
        } else {
            // the key runs to the next byte that is not part of one; that
            // byte is overwritten with NUL
            e.key = t.substr(k, p - k);
        }
        if (p < t.size()) ++p;
        out.push_back(std::move(e));
    }
    return out;
}

bool xtext_ok(const std::string& s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '+') {
            for (int k = 0; k < 2; ++k) {
                ++i;
                if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i])) || (s[i] & 0x80)) return false;
            }
        } else if (c < '!' || c > '~' || c == '=') {
            return false;
        }
    }
    return true;
}

bool is_atom(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (std::string("()<>@,;:\\.[]\"").find(c) != std::string::npos) return false;
        if (static_cast<unsigned char>(c) < '!' || static_cast<unsigned char>(c) > '~') return false;
    }
    return true;
}

std::string mail_param(const EsmtpParam& p, EsmtpState& st) {
    const std::string& k = p.key;
    if (iequal(k, "size")) {
        if (!p.value) return "501 5.5.2 SIZE requires a value";
        st.macros["msg_size"] = *p.value;
        errno = 0;
        long n = std::strtol(p.value->c_str(), nullptr, 10);
        if (n == LONG_MAX && errno == ERANGE) return "552 5.2.3 Message size exceeds maximum value";
        if (n < 0) return "552 5.2.3 Message size invalid";
        st.size = n;
        return "";
    }
    if (iequal(k, "body")) {
        if (!p.value) return "501 5.5.2 BODY requires a value";
        if (!iequal(*p.value, "8bitmime") && !iequal(*p.value, "7bit"))
            return "501 5.5.4 Unknown BODY type " + *p.value;
        return "";
    }
    if (iequal(k, "envid")) {
        if (!p.value) return "501 5.5.2 ENVID requires a value";
        if (!xtext_ok(*p.value)) return "501 5.5.4 Syntax error in ENVID parameter value";
        if (st.envid) return "501 5.5.0 Duplicate ENVID parameter";
        st.envid = true;
        st.macros["dsn_envid"] = *p.value;
        return "";
    }
    if (iequal(k, "ret")) {
        if (!p.value) return "501 5.5.2 RET requires a value";
        if (st.ret) return "501 5.5.0 Duplicate RET parameter";
        st.ret = true;
        if (!iequal(*p.value, "hdrs") && !iequal(*p.value, "full"))
            return "501 5.5.2 Bad argument \"" + *p.value + "\" to RET";
        st.macros["dsn_ret"] = *p.value;
        return "";
    }
    if (iequal(k, "auth")) {
        if (!p.value) return "501 5.5.2 AUTH= requires a value";
        if (st.auth) return "501 5.5.0 Duplicate AUTH parameter";
        std::string v = p.value->substr(0, p.value->find(' '));
        if (!xtext_ok(v)) return "501 5.5.4 Syntax error in AUTH parameter value";
        st.macros["auth_author"] = v;
        st.auth = true;
        return "";
    }
    if (iequal(k, "by")) {
        if (!p.value) return "501 5.5.2 BY= requires a value";
        const char* s = p.value->c_str();
        char* end = nullptr;
        errno = 0;
        long by = std::strtol(s, &end, 10);
        if (by == LONG_MIN || by == LONG_MAX || by > 999999999L || by < -999999999L)
            return "501 5.5.2 BY=" + *p.value + " out of range";
        if (end == nullptr || *end != ';') return "501 5.5.2 BY= missing ';'";
        ++end;
        while (*end && is_space(*end)) ++end;
        switch (std::tolower(static_cast<unsigned char>(*end))) {
        case 'n': break;
        case 'r':
            if (by <= 0) return "501 5.5.4 mode R requires BY time > 0";
            break;
        default: return std::string("501 5.5.2 illegal by-mode '") + printable(*end) + "'";
        }
        if (*end) ++end;
        while (*end && is_space(*end)) ++end;
        if (*end != '\0' && std::tolower(static_cast<unsigned char>(*end)) != 't')
            return std::string("501 5.5.2 illegal by-trace '") + printable(*end) + "'";
        return "";
    }
    return "555 5.5.4 " + k + " parameter unrecognized";
}

std::string rcpt_param(const EsmtpParam& p, EsmtpState& st, bool& have_orcpt) {
    const std::string& k = p.key;
    if (iequal(k, "notify")) {
        if (!p.value) return "501 5.5.2 NOTIFY requires a value";
        st.macros["dsn_notify"] = *p.value;
        if (iequal(*p.value, "never")) return "";
        std::string v = *p.value;
        std::size_t start = 0;
        for (;;) {
            std::size_t comma = v.find(',', start);
            std::string w = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!iequal(w, "success") && !iequal(w, "failure") && !iequal(w, "delay"))
                return "501 5.5.4 Bad argument \"" + w + "\"  to NOTIFY";
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return "";
    }
    if (iequal(k, "orcpt")) {
        if (!p.value) return "501 5.5.2 ORCPT requires a value";
        if (have_orcpt) return "501 5.5.0 Duplicate ORCPT parameter";
        std::size_t semi = p.value->find(';');
        if (semi == std::string::npos || !is_atom(p.value->substr(0, semi)) || !xtext_ok(p.value->substr(semi + 1)))
            return "501 5.5.4 Syntax error in ORCPT parameter value";
        have_orcpt = true;
        return "";
    }
    return "555 5.5.4 " + k + " parameter unrecognized";
}

std::vector<std::string> help_reply(const std::optional<std::string>& file, const std::string& topic_in,
                                    const std::string& version,
                                    const std::function<std::string(const std::string&)>& expand) {
    std::vector<std::string> out;
    if (!file) {
        out.push_back("502 5.3.0 Sendmail " + version + " -- HELP not implemented");
        return out;
    }
    std::string topic = topic_in.empty() ? "smtp" : lower(topic_in);
    bool noinfo = !topic_in.empty();
    int foundvers = -1;
    bool first = true;
    std::istringstream in(*file);
    std::string buf;
    while (std::getline(in, buf)) {
        if (!buf.empty() && buf[0] == '#') {
            if (foundvers < 0 && buf.compare(0, 5, "#vers") == 0) {
                char* end = nullptr;
                long h = std::strtol(buf.c_str() + 5, &end, 10);
                if (end != buf.c_str() + 5) foundvers = static_cast<int>(h);
            }
            continue;
        }
        if (buf.compare(0, topic.size(), topic) != 0) continue;
        if (first) {
            first = false;
            if (foundvers < 2 && !noinfo) out.push_back("214-2.0.0 This is Sendmail version " + version);
        }
        std::size_t sp = buf.find_first_of(" \t");
        std::string p = sp == std::string::npos ? std::string() : buf.substr(sp + 1);
        if (!p.empty() && p.back() == '\r') p.pop_back();
        if (foundvers >= 2) p = expand(p);
        out.push_back("214-2.0.0 " + p);
        noinfo = false;
    }
    if (noinfo) out.push_back("504 5.3.0 HELP topic \"" + topic.substr(0, 10) + "\" unknown");
    else out.push_back("214 2.0.0 End of HELP info");
    return out;
}

} // namespace cfkit
