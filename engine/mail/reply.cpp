#include "engine/mail/reply.hpp"

#include <cctype>
#include <cstdlib>
#include <utility>

#include "engine/config/config.hpp"
#include "engine/mail/address.hpp"
#include "engine/rewrite/session.hpp"
#include "engine/text/metachar.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_smtp_code(const std::string& s) {
    return s.size() >= 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
           (s.size() == 3 || s[3] == ' ' || s[3] == '-');
}

// stripquotes(): every '"' goes, "\c" becomes "c".
std::string strip_quotes(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\') {
            if (i + 1 < s.size()) out.push_back(s[++i]);
            continue;
        }
        if (s[i] != '"') out.push_back(s[i]);
    }
    return out;
}

} // namespace

std::size_t enhanced_code_length(const std::string& s, char delim) {
    // [245] "." 1-3 digits "." 1-3 digits, then delim ('\0': the end of the string)
    if (s.size() < 2 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
    std::size_t p = 2;
    auto digits = [&]() {
        std::size_t start = p;
        while (p < s.size() && p - start < 3 && is_digit(s[p])) ++p;
        return p > start;
    };
    if (!digits() || p >= s.size() || s[p] != '.') return 0;
    ++p;
    if (!digits()) return 0;
    if (delim == '\0') return p == s.size() ? p : 0;
    return p < s.size() && s[p] == delim ? p : 0;
}

std::string format_reply(const std::string& text_in, const std::string& to, const std::string& enhanced,
                         bool soft_bounce) {
    std::string fmt = text_in;
    std::string num = "550";
    // usrerr(): the default enhanced code follows the first digit of the text
    std::string enh = enhanced;
    if (enh.empty() && !fmt.empty()) {
        if (fmt[0] == '5' || fmt[0] == '6') enh = "5.0.0";
        else if (fmt[0] == '4' || fmt[0] == '8') enh = "4.0.0";
        else if (fmt[0] == '2') enh = "2.0.0";
    }
    if (is_smtp_code(fmt)) {
        num = fmt.substr(0, 3);
        fmt = fmt.size() > 4 ? fmt.substr(4) : std::string();
    }
    std::string out;
    if (soft_bounce && num[0] == '5') num[0] = '4';
    out = num + ' ';
    std::string code;
    if (std::size_t l = enhanced_code_length(fmt, ' ')) {
        code = fmt.substr(0, l + 1);
        fmt = fmt.substr(l + 1);
    } else if (std::size_t l2 = enhanced_code_length(enh, '\0')) {
        code = enh.substr(0, l2) + ' ';
    }
    if (soft_bounce && !code.empty() && code[0] == '5') code[0] = '4';
    out += code;
    static const char* kWithAddress[] = {"050", "250", "252", "450", "550", "553"};
    if (!to.empty()) {
        for (const char* n : kWithAddress) {
            if (num == n) {
                out += shorten(to, 203) + "... ";
                break;
            }
        }
    }
    return out + fmt;
}

int dsn_exit_status(const std::string& dsn) {
    // dsntoexitstat(): "x.y.z" to a sysexits code
    if (dsn.empty()) return 78;
    if (dsn[0] == '2') return 0;
    if (dsn[0] == '4') return 75;
    if (dsn[0] != '5') return 78;
    std::size_t p = 1;
    if (p < dsn.size() && dsn[p] == '.') ++p;
    int code2 = std::atoi(dsn.c_str() + p);
    while (p < dsn.size() && dsn[p] != '.') ++p;
    if (p < dsn.size()) ++p;
    int code3 = std::atoi(dsn.c_str() + p);
    switch (code2) {
    case 0: return 69;
    case 1:
        switch (code3) {
        case 0: return 65;
        case 1: case 6: return 67;
        case 2: case 8: return 68;
        case 3: case 7: return 64;
        case 4: return 69;
        case 5: return 78;
        }
        break;
    case 2:
        switch (code3) {
        case 0: case 1: case 2: case 4: return 69;
        case 3: return 65;
        }
        break;
    case 3: return 71;
    case 4:
        switch (code3) {
        case 0: case 2: return 74;
        case 1: case 3: case 5: return 75;
        case 4: return 76;
        case 6: return 78;
        case 7: return 69;
        }
        break;
    case 5: return 76;
    case 6: return 69;
    case 7: return 65;
    }
    return 69;
}

int error_host_exit_status(bool has_host, const std::string& host) {
    if (!has_host) return 69;  // EX_UNAVAILABLE
    if (host.find('.') != std::string::npos) return dsn_exit_status(host);
    if (!host.empty() && is_digit(host[0])) return std::atoi(host.c_str());
    static const std::pair<const char*, int> kNames[] = {
        {"usage", 64}, {"nouser", 67}, {"nohost", 68}, {"unavailable", 69},
        {"software", 70}, {"tempfail", 75}, {"protocol", 76}, {"config", 78},
    };
    for (const auto& n : kNames) {
        std::string h = host;
        for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (h == n.first) return n.second;
    }
    return 69;
}

ErrorReply error_mailer_reply(bool has_host, const std::string& host, bool has_user, const std::string& user_in,
                              const std::string& to, bool soft_bounce) {
    ErrorReply r;
    r.exit_status = error_host_exit_status(has_host, host);
    if (!has_user) {
        r.line = format_reply("554 5.3.5 buildaddr: no user", to, "", soft_bounce);
        return r;
    }
    std::string user = strip_quotes(user_in);
    if (is_smtp_code(user) && user.size() > 3 && user[3] == ' ') {
        std::string rest = user.substr(4);
        std::string enh;
        std::string fmt;
        if (std::size_t off = enhanced_code_length(rest, ' ')) {
            // "NNN x.y.z text": the text's own enhanced code wins
            fmt = user.substr(0, 3) + ' ' + rest.substr(0, off) + ' ' + rest.substr(off + 1);
        } else {
            if (has_host && enhanced_code_length(host, '\0')) enh = host;
            fmt = user.substr(0, 3) + ' ' + rest;
        }
        r.line = format_reply(fmt, to, enh, soft_bounce);
        r.tempfail = user[0] == '4';
        return r;
    }
    r.line = format_reply("553 5.3.0 " + user, to, "", soft_bounce);
    return r;
}

ErrorReply error_result_reply(Session& s, const Tokens& ws, const std::string& to) {
    std::size_t i = 2;
    bool has_host = false;
    std::size_t host_first = 0;
    if (i < ws.size() && meta::first(ws[i]) == meta::CANONHOST) {
        has_host = true;
        host_first = ++i;
    }
    i = find_meta(ws, i, meta::CANONUSER);
    if (i >= ws.size()) return error_mailer_reply(false, "", false, "", to, s.config().options.soft_bounce);
    std::string host;
    if (has_host && i > host_first) host = join_tokens(s, ws, host_first, i - 1, '\0', true, kHbufSize);
    else has_host = false;
    std::string user = join_tokens(s, ws, i + 1, std::string::npos, ' ', false);
    return error_mailer_reply(has_host, host, true, user, to, s.config().options.soft_bounce);
}

std::string bt_text(const AddressError& e) {
    std::string line = reply_line(e);
    std::string t = line.size() > 4 ? line.substr(4) : std::string();
    if (std::size_t l = enhanced_code_length(t, ' ')) t = t.substr(l + 1);
    return t;
}

std::optional<AddressError> rule_error(const Diagnostic& d, const std::string& to) {
    if (d.emit == Emit::Syserr) return AddressError{"554 5.3.0 " + d.message, "", true};
    if (d.emit == Emit::Usrerr) return AddressError{d.message, to, false};
    return std::nullopt;
}

std::string reply_line(const AddressError& e, bool soft_bounce) {
    return e.complete ? e.text : format_reply(e.text, e.to, "", soft_bounce);
}

} // namespace cfkit
