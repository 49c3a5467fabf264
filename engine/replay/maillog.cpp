// Reading sendmail's log lines and grouping them into sessions (see
// maillog.hpp). The formats are srvrsmtp.c's, parseaddr.c's (rscheck) and
// envelope.c's (logsender), as sendmail 8.17 writes them.
#include "engine/replay/maillog.hpp"

#include <algorithm>
#include <iterator>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace cfkit::replay {

namespace {

constexpr std::size_t kExpireLines = 50000;  // a session silent this long is complete

bool is_month(std::string_view w) {
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (const char* m : months)
        if (w == m) return true;
    return false;
}

std::string_view next_word(std::string_view s, std::size_t& p) {
    while (p < s.size() && s[p] == ' ') ++p;
    const std::size_t b = p;
    while (p < s.size() && s[p] != ' ') ++p;
    return s.substr(b, p - b);
}

bool is_qid(std::string_view w) {
    if (w == "NOQUEUE") return true;
    if (w.size() < 8 || w.size() > 20) return false;
    for (char c : w)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

std::string strip_angles(std::string s) {
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') return s.substr(1, s.size() - 2);
    return s;
}

}  // namespace

std::optional<LogLine> parse_log_line(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    LogLine l;
    std::size_t p = 0;
    std::string_view w = next_word(line, p);
    if (is_month(w)) {
        next_word(line, p);  // day
        next_word(line, p);  // time
        std::size_t b = line.find_first_not_of(' ');
        l.stamp = std::string(line.substr(b, p - b));
    } else if (w.size() >= 10 && std::isdigit(static_cast<unsigned char>(w[0])) && w[4] == '-') {
        l.stamp = std::string(w);  // RFC 3339
    } else {
        return std::nullopt;
    }
    l.host = std::string(next_word(line, p));
    std::string_view tag = next_word(line, p);
    const std::size_t br = tag.find('[');
    if (br == std::string_view::npos || tag.size() < br + 3 || tag.substr(tag.size() - 2) != "]:") return std::nullopt;
    const std::string_view prog = tag.substr(0, br);
    if (prog != "sendmail" && prog != "sm-mta") return std::nullopt;
    l.pid = std::strtol(std::string(tag.substr(br + 1, tag.size() - br - 3)).c_str(), nullptr, 10);
    while (p < line.size() && line[p] == ' ') ++p;
    std::string_view rest = line.substr(p);
    const std::size_t colon = rest.find(": ");
    if (colon != std::string_view::npos && is_qid(rest.substr(0, colon))) {
        l.qid = std::string(rest.substr(0, colon));
        rest = rest.substr(colon + 2);
    }
    l.msg = std::string(rest);
    return l;
}

std::map<std::string, std::string> log_fields(std::string_view msg) {
    std::map<std::string, std::string> out;
    // a field starts at the beginning or after ", ", with NAME=
    auto field_at = [&](std::size_t i) {
        std::size_t k = i;
        while (k < msg.size()) {
            const unsigned char c = static_cast<unsigned char>(msg[k]);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                break;
            ++k;
        }
        return k > i && k < msg.size() && msg[k] == '=' ? k : std::string_view::npos;
    };
    // one pass: each ", " followed by NAME= ends a field
    std::size_t i = 0;
    std::size_t k = msg.find(", ");
    while (i < msg.size()) {
        while (k != std::string_view::npos && field_at(k + 2) == std::string_view::npos) k = msg.find(", ", k + 1);
        const std::size_t end = k == std::string_view::npos ? msg.size() : k;
        const std::size_t eq = field_at(i);
        if (eq != std::string_view::npos && eq < end)
            out[std::string(msg.substr(i, eq - i))] = std::string(msg.substr(eq + 1, end - eq - 1));
        if (k == std::string_view::npos) break;
        i = k + 2;
        k = msg.find(", ", i);
    }
    return out;
}

std::optional<Relay> parse_relay(std::string_view v) {
    Relay r;
    const std::size_t lb = v.find('[');
    const std::size_t rb = v.find(']', lb == std::string_view::npos ? 0 : lb);
    if (lb == std::string_view::npos || rb == std::string_view::npos) return std::nullopt;
    std::string_view name = v.substr(0, lb);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    // "user@host [addr]" when identd answered: the host is after the @
    const std::size_t at = name.rfind('@');
    if (at != std::string_view::npos) name = name.substr(at + 1);
    r.name = std::string(name);
    r.addr = std::string(v.substr(lb + 1, rb - lb - 1));
    if (r.addr.rfind("IPv6:", 0) == 0) r.addr = r.addr.substr(5);
    r.forged = v.find("(may be forged)", rb) != std::string_view::npos;
    return r;
}

const char* verdict_word(Verdict::Kind k) {
    switch (k) {
    case Verdict::Kind::Accepted: return "accepted";
    case Verdict::Kind::Rejected: return "rejected";
    case Verdict::Kind::TempFailed: return "tempfailed";
    case Verdict::Kind::Unknown: return "unknown";
    }
    return "";
}

namespace {

Verdict rejection(const std::string& reply, const std::string& ruleset) {
    Verdict v;
    v.kind = !reply.empty() && reply[0] == '4' ? Verdict::Kind::TempFailed : Verdict::Kind::Rejected;
    v.reply = reply;
    v.ruleset = ruleset;
    return v;
}

bool same_client(const RebuiltSession& s, const Relay& r) {
    return !s.have_client || (s.client.addr == r.addr && s.client.name == r.name);
}

// "<a@b>,<c@d>" (to= of several recipients) into addresses
std::vector<std::string> address_list(const std::string& v) {
    std::vector<std::string> out;
    int depth = 0;
    std::string cur;
    for (char c : v) {
        if (c == '<') ++depth;
        if (c == '>' && depth > 0) --depth;
        if (c == ',' && depth == 0) {
            out.push_back(strip_angles(cur));
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (!cur.empty()) out.push_back(strip_angles(cur));
    return out;
}

}  // namespace

SessionRebuilder::Key SessionRebuilder::key_of(const std::string& host, long pid) {
    auto it = hosts_.find(host);
    if (it == hosts_.end()) it = hosts_.emplace(host, static_cast<Key>(hosts_.size())).first;
    return (it->second << 32) | static_cast<Key>(static_cast<std::uint32_t>(pid));
}

RebuiltSession& SessionRebuilder::session_for(const LogLine& l, Key k, std::size_t lineno,
                                              const std::optional<Relay>& relay) {
    auto it = open_.find(k);
    if (it != open_.end() && relay && !same_client(it->second, *relay)) {
        close(k);  // the process (a new one of the same number) serves another client
        it = open_.end();
    }
    if (it == open_.end()) {
        RebuiltSession s;
        s.host = l.host;
        s.pid = l.pid;
        s.first_line = lineno;
        s.stamp = l.stamp;
        it = open_.emplace(k, std::move(s)).first;
    }
    if (relay && !it->second.have_client) {
        it->second.client = *relay;
        it->second.have_client = true;
    }
    last_seen_[k] = lineno;
    return it->second;
}

Transaction& SessionRebuilder::txn_for(RebuiltSession& s, const std::string& qid) {
    if (qid != "NOQUEUE" && !qid.empty())
        for (auto it = s.txns.rbegin(); it != s.txns.rend(); ++it)
            if (it->qid == qid) return *it;
    // NOQUEUE: a transaction before its queue id (its MAIL was refused)
    s.txns.push_back(Transaction{});
    s.txns.back().qid = qid;
    s.txns.back().helo = s.helo;
    return s.txns.back();
}

void SessionRebuilder::close(Key key) {
    auto it = open_.find(key);
    if (it == open_.end()) return;
    RebuiltSession s = std::move(it->second);
    open_.erase(it);
    last_seen_.erase(key);
    auto own = owned_.find(key);
    if (own != owned_.end()) {
        for (const std::string& q : own->second) owner_.erase(q);
        owned_.erase(own);
    }
    done_(std::move(s));
}

void SessionRebuilder::expire(std::size_t lineno) {
    if (lineno % 1024 != 0) return;
    std::vector<Key> old;
    for (const auto& [key, seen] : last_seen_)
        if (lineno - seen > kExpireLines) old.push_back(key);
    for (Key key : old) close(key);
}

void SessionRebuilder::add(const LogLine& l, std::size_t lineno) {
    expire(lineno);
    const std::string& m = l.msg;
    const Key proc = key_of(l.host, l.pid);
    // a queue id as the owner map keys it: the same id may come from two hosts
    auto hq = [&l]() { return l.host + ' ' + l.qid; };
    // the queue id is this process's (forgotten when the session closes)
    auto own_qid = [&]() {
        auto r = owner_.emplace(hq(), proc);
        if (r.second) owned_[proc].push_back(r.first->first);
    };
    if (m.rfind("connect from ", 0) == 0) {
        close(proc);
        session_for(l, proc, lineno, parse_relay(m.substr(13)));
        return;
    }
    // LogLevel 14 and up: the commands as received ("<-- EHLO name")
    if (m.rfind("<-- ", 0) == 0) {
        RebuiltSession& s = session_for(l, proc, lineno, std::nullopt);
        const std::string cmd = m.substr(4);
        if (cmd.size() > 5 && (cmd.compare(0, 5, "EHLO ") == 0 || cmd.compare(0, 5, "HELO ") == 0 ||
                               cmd.compare(0, 5, "ehlo ") == 0 || cmd.compare(0, 5, "helo ") == 0))
            s.helo = cmd.substr(5);
        return;
    }
    // "QID: <a@b>... User unknown": a recipient refused outside the rulesets
    if (!m.empty() && m[0] == '<' && m.find(">... ") != std::string::npos) {
        auto it = open_.find(proc);
        if (it == open_.end() || l.qid.empty()) return;
        const std::size_t e = m.find(">... ");
        Transaction& t = txn_for(it->second, l.qid);
        Verdict v;
        v.kind = Verdict::Kind::Rejected;
        v.reply = m;
        t.rcpts.push_back({m.substr(1, e - 1), v});
        if (l.qid != "NOQUEUE") own_qid();
        last_seen_[proc] = lineno;
        return;
    }
    if (m.rfind("lost input channel from ", 0) == 0) {
        auto it = open_.find(proc);
        if (it != open_.end()) it->second.lost = true;
        return;
    }
    // the kinds below; other lines are not split into fields
    static const char* const kFielded[] = {"ruleset=", "from=", "to=", "AUTH=server", "STARTTLS=server"};
    if (std::none_of(std::begin(kFielded), std::end(kFielded), [&m](const char* p) { return m.rfind(p, 0) == 0; }))
        return;
    const auto f = log_fields(m);
    auto field = [&f](const char* k) -> const std::string* {
        auto it = f.find(k);
        return it == f.end() ? nullptr : &it->second;
    };
    // the client, from relay= (a to= line's relay= is where the mail went)
    auto client = [&field]() -> std::optional<Relay> {
        const std::string* r = field("relay");
        return r ? parse_relay(*r) : std::nullopt;
    };
    if (m.rfind("ruleset=", 0) == 0) {
        const std::string* rs = field("ruleset");
        const std::string* reject = field("reject");
        if (!rs || !reject) return;
        RebuiltSession& s = session_for(l, proc, lineno, client());
        const std::string arg1 = field("arg1") ? strip_angles(*field("arg1")) : std::string();
        if (*rs == "check_relay") {
            s.connect = rejection(*reject, *rs);
        } else if (*rs == "check_mail") {
            Transaction& t = txn_for(s, l.qid);
            t.sender = arg1;
            t.has_sender = true;
            t.mail = rejection(*reject, *rs);
        } else if (*rs == "check_rcpt") {
            Transaction& t = txn_for(s, l.qid);
            t.rcpts.push_back({arg1, rejection(*reject, *rs)});
            if (!l.qid.empty() && l.qid != "NOQUEUE") own_qid();
        }
        return;
    }
    if (m.rfind("from=", 0) == 0 && !l.qid.empty()) {
        RebuiltSession& s = session_for(l, proc, lineno, client());
        const std::string sender = strip_angles(*field("from"));
        Transaction* t = &txn_for(s, l.qid);
        // a MAIL refused by check_mail keeps its envelope (and queue id):
        // a later from= of another sender is the next transaction
        if (t->has_sender && t->sender != sender && t->mail.kind != Verdict::Kind::Unknown) {
            s.txns.push_back(Transaction{});
            t = &s.txns.back();
            t->qid = l.qid;
            t->helo = s.helo;
        }
        t->sender = sender;
        t->has_sender = true;
        own_qid();
        return;
    }
    if (m.rfind("to=", 0) == 0 && !l.qid.empty()) {
        // a queued (or delivered) message's recipients: from the SMTP
        // process (-odq) or the one delivering it, by its queue id
        auto owner = owner_.find(hq());
        const Key key = owner != owner_.end() ? owner->second : proc;
        auto it = open_.find(key);
        if (it == open_.end()) return;
        last_seen_[key] = lineno;
        Transaction& t = txn_for(it->second, l.qid);
        for (const std::string& a : address_list(*field("to"))) {
            bool known = false;
            for (const RcptRecord& r : t.rcpts) known = known || r.address == a;
            if (!known) t.rcpts.push_back({a, Verdict{Verdict::Kind::Accepted, "", ""}});
        }
        return;
    }
    if (m.rfind("AUTH=server", 0) == 0) {
        RebuiltSession& s = session_for(l, proc, lineno, client());
        if (const std::string* a = field("authid")) s.auth_id = *a;
        s.auth_at = s.txns.size();
        if (const std::string* mech = field("mech")) s.auth_mech = *mech;
        return;
    }
    if (m.rfind("STARTTLS=server", 0) == 0) {
        RebuiltSession& s = session_for(l, proc, lineno, client());
        if (const std::string* v = field("verify")) s.tls_verify = *v;
        return;
    }
}

void SessionRebuilder::finish() {
    while (!open_.empty()) close(open_.begin()->first);
}

}  // namespace cfkit::replay
