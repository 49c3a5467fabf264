// parse_qf(): fgetfolded()'s logical lines, then one small reader per key
// letter, with readqf()'s reasons for giving up as problems.
#include "engine/queue/qf.hpp"

#include <cstdlib>
#include <cctype>
#include <cstring>

#include <strings.h>

namespace cfkit::queue {

namespace {

// fgetfolded(): CR LF is LF; a line followed by one starting with a blank
// continues it (the newline kept).
std::vector<QfLine> folded_lines(std::string_view text) {
    std::vector<QfLine> out;
    std::size_t p = 0;
    int lineno = 0;
    while (p < text.size()) {
        QfLine l;
        l.line = lineno + 1;
        std::string s;
        for (;;) {
            std::size_t nl = text.find('\n', p);
            std::size_t end = nl == std::string_view::npos ? text.size() : nl;
            std::string_view piece = text.substr(p, end - p);
            if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
            s.append(piece);
            ++lineno;
            p = nl == std::string_view::npos ? text.size() : nl + 1;
            if (p < text.size() && (text[p] == ' ' || text[p] == '\t')) {
                s.push_back('\n');
                continue;
            }
            break;
        }
        l.letter = s.empty() ? '\0' : s[0];
        l.text = s.empty() ? std::string() : s.substr(1);
        out.push_back(std::move(l));
    }
    return out;
}

bool xtext_ok(const std::string& s) {  // xtextok(): printable, no '=', '+' then two hex digits
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '+') {
            if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
                return false;
            i += 2;
        } else if (c < '!' || c > '~' || c == '=') {
            return false;
        }
    }
    return true;
}

struct Reader {
    QueueFile& q;
    std::string orcpt, final_rcpt, rcpt_status;
    bool after_end = false;

    void problem(int line, std::string msg) { q.problems.push_back({line, std::move(msg)}); }

    void line(const QfLine& l) {
        if (after_end) {
            problem(l.line, "extra or bogus data after the '.' line (sendmail: SECURITY ALERT)");
            return;
        }
        const std::string& t = l.text;
        switch (l.letter) {
        case 'V':
            q.version = std::atoi(t.c_str());
            if (q.version > kQfVersion)
                problem(l.line, "version " + std::to_string(q.version) + " is newer than sendmail 8.17's " +
                                    std::to_string(kQfVersion));
            break;
        case 'T': q.ctime = std::atoll(t.c_str()); q.has_ctime = true; break;
        case 'K': q.last_try = std::atoll(t.c_str()); break;
        case 'N': q.attempts = std::atoi(t.c_str()); break;
        case 'P': q.priority = std::atoll(t.c_str()); break;
        case 'F':
            if (t.compare(0, 4, "rom ") == 0) {
                problem(l.line, "a \"From \" line (sendmail: SECURITY ALERT: bogus qf line)");
                break;
            }
            q.flags += t;
            break;
        case 'S': q.sender = t; q.has_sender = true; break;
        case 'M':
            // queueup() writes the envelope's M before the S line and each
            // recipient's just before its R line.
            if (q.has_sender) rcpt_status = t;
            else q.status = t;
            break;
        case 'q': q.quarantine = t; q.quarantined = true; break;
        case 'B':
            if (strcasecmp(t.c_str(), "7BIT") != 0 && strcasecmp(t.c_str(), "8BITMIME") != 0)
                problem(l.line, "unknown body type \"" + t + "\"");
            q.body_type = t;
            break;
        case 'd': q.data_dir = t; break;
        case 'A':
            if (!xtext_ok(t)) problem(l.line, "AUTH= parameter is not xtext (sendmail: SECURITY ALERT)");
            q.auth = t;
            break;
        case 'Z': q.envid = t; break;
        case 'C': q.ctl_user = t; break;
        case 'H': q.headers.push_back(t); break;
        case 'Q': orcpt = t; break;
        case 'r': final_rcpt = t; break;
        case 'R': {
            QfRecipient r;
            r.line = l.line;
            if (q.version >= 1) {
                std::size_t c = t.find(':');
                if (c == std::string::npos) {
                    r.flags = t;  // readqf() then has no address: the line is dropped
                    problem(l.line, "recipient line without ':' and address");
                    break;
                }
                r.flags = t.substr(0, c);
                r.address = t.substr(c + 1);
            } else {
                r.address = t;
            }
            r.orcpt = std::move(orcpt);
            r.final_rcpt = std::move(final_rcpt);
            r.status = std::move(rcpt_status);
            orcpt.clear();
            final_rcpt.clear();
            rcpt_status.clear();
            q.recipients.push_back(std::move(r));
            break;
        }
        case '!':
            if (t.size() < 3 || t[1] != ' ') problem(l.line, "deliver-by line is not \"FLAG SECONDS\"");
            break;
        case '$':
            if (t.empty()) problem(l.line, "macro line without a name");
            break;
        case 'I': case 'E': case 'D': case 'L': break;  // regenerated or obsolete
        case '.': q.terminated = true; after_end = true; break;
        default: {
            std::string shown = l.letter ? std::string(1, l.letter) + t : std::string();
            if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
            problem(l.line, "bad line \"" + shown + "\"");
            break;
        }
        }
    }
};

}  // namespace

QueueFile parse_qf(std::string_view text) {
    QueueFile q;
    q.lines = folded_lines(text);
    if (q.lines.empty()) {
        q.empty = true;
        q.problems.push_back({0, "empty control file (sendmail removes it with its data file)"});
        return q;
    }
    Reader r{q, {}, {}, {}};
    for (const QfLine& l : q.lines) r.line(l);
    if (!q.terminated) q.problems.push_back({0, "incomplete: no '.' line at the end"});
    if (!q.has_sender) q.problems.push_back({0, "no sender (S line)"});
    if (!q.has_ctime) q.problems.push_back({0, "no creation time (T line)"});
    return q;
}

const char* qf_flag_meaning(char f) {
    switch (f) {
    case '8': return "has 8-bit data";
    case 'b': return "delete Bcc: header";
    case 'd': return "DSN RET= given";
    case 'n': return "return headers only (RET=HDRS)";
    case 'r': return "a response (bounce)";
    case 's': return "split envelope";
    case 'w': return "warning sent";
    case 'e': return "requires SMTPUTF8";
    default: return "";
    }
}

const char* rcpt_flag_meaning(char f) {
    switch (f) {
    case 'N': return "NOTIFY given";
    case 'S': return "notify on success";
    case 'F': return "notify on failure";
    case 'D': return "notify on delay";
    case 'P': return "primary (not from an alias)";
    case 'A': return "alias";
    case 'B': return "internal Bcc";
    default: return "";
    }
}

const char* qf_letter_meaning(char letter) {
    switch (letter) {
    case 'V': return "queue file version";
    case 'T': return "queued at";
    case 'K': return "last delivery attempt";
    case 'N': return "delivery attempts";
    case 'P': return "priority";
    case 'I': return "data file device/inode";
    case 'M': return "status message";
    case 'F': return "flags";
    case '$': return "macro";
    case 'S': return "sender";
    case 'R': return "recipient";
    case 'H': return "header";
    case 'C': return "controlling user";
    case 'Q': return "original recipient (ORCPT)";
    case 'q': return "quarantine reason";
    case 'r': return "final recipient";
    case 'Z': return "envelope id (ENVID)";
    case 'B': return "body type";
    case '!': return "deliver by";
    case 'd': return "data file directory";
    case 'A': return "AUTH= parameter";
    case 'E': return "error recipient (obsolete)";
    case 'D': return "data file name (obsolete)";
    case 'L': return "Content-Length (Solaris)";
    case '.': return "end of file";
    default: return "";
    }
}

}  // namespace cfkit::queue
