#include "engine/mail/recipients.hpp"

#include <pwd.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "engine/names/dbfile.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

namespace {

constexpr int kMaxAliasRecursion = 10;  // MaxAliasRecursion's default

bool has_flag(const Mailer* m, char f) { return m && m->flags.find(f) != std::string::npos; }

std::string trim(const std::string& s) {
    std::size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    std::size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// The passwd GECOS field as sendmail shows it: up to the first comma, `&`
// replaced by the login name with its first letter upper-cased.
std::string gecos_name(const struct passwd* pw) {
    std::string g = pw->pw_gecos ? pw->pw_gecos : "";
    g = g.substr(0, g.find(','));
    std::string out;
    for (char c : g) {
        if (c != '&') {
            out += c;
            continue;
        }
        std::string login = pw->pw_name;
        if (!login.empty()) login[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(login[0])));
        out += login;
    }
    return out;
}

// stripquotes(): the user name as finduser() gets it.
std::string unquoted(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) out += s[++i];
        else if (s[i] != '"') out += s[i];
    }
    return out;
}

} // namespace

std::optional<PasswdEntry> lookup_passwd(const std::string& user) {
    // Remembered for the process (a suite asks for the same users in every
    // session; getpwnam() goes through NSS each time). Bounded.
    thread_local std::unordered_map<std::string, std::optional<PasswdEntry>> known;
    auto it = known.find(user);
    if (it != known.end()) return it->second;
    if (known.size() >= 4096) known.clear();
    std::optional<PasswdEntry> e;
    if (struct passwd* pw = getpwnam(user.c_str())) e = PasswdEntry{pw->pw_name, pw->pw_dir ? pw->pw_dir : "", gecos_name(pw)};
    known.emplace(user, e);
    return e;
}

AliasFiles::AliasFiles(const Config& cfg) {
    auto it = cfg.options.raw.find("AliasFile");
    if (it == cfg.options.raw.end()) return;
    std::string w;
    for (char c : it->second + ",") {
        if (c != ',') {
            w += c;
            continue;
        }
        w = trim(w);
        // "class:file" names a map class; only files are read here
        std::size_t colon = w.find(':');
        if (colon != std::string::npos && !w.empty() && w[0] != '/') w = w.substr(colon + 1);
        if (!w.empty()) files_.push_back(w);
        w.clear();
    }
}

std::optional<std::string> AliasFiles::lookup(const std::string& name, bool& unavailable) const {
    unavailable = false;
    std::string key = ascii_lower(name);
    if (!opened_) {
        for (const std::string& f : files_) {
            std::string err;
            dbs_.push_back(DbFile::open_shared(f + ".db", DbFile::Kind::Hash, err));
        }
        opened_ = true;
    }
    for (std::size_t n = 0; n < files_.size(); ++n) {
        const std::string& f = files_[n];
        if (const std::shared_ptr<DbFile>& db = dbs_[n]) {
            // newaliases stores keys and values with their NUL byte
            bool failed = false;
            std::optional<std::string> v = db->get(key + '\0', failed);
            if (!v) v = db->get(key, failed);
            if (v) {
                while (!v->empty() && v->back() == '\0') v->pop_back();
                return v;
            }
            continue;
        }
        std::ifstream in(f);
        if (!in) {
            unavailable = true;
            return std::nullopt;
        }
        std::string line, found;
        bool in_entry = false;
        while (std::getline(in, line)) {
            bool continued = !line.empty() && (line[0] == ' ' || line[0] == '\t');
            if (in_entry && continued) {
                found += ' ' + trim(line);
                continue;
            }
            if (in_entry) return found;
            if (line.empty() || line[0] == '#' || continued) continue;
            std::size_t c = line.find(':');
            if (c == std::string::npos) continue;
            if (ascii_lower(trim(line.substr(0, c))) == key) {
                found = trim(line.substr(c + 1));
                in_entry = true;
            }
        }
        if (in_entry) return found;
    }
    return std::nullopt;
}

bool RecipientList::undelivered(Address::State st) {
    return st == Address::State::Ok || st == Address::State::QueueUp || st == Address::State::Verified;
}

int RecipientList::add(Address a, int aliaslevel, std::vector<AddressError>& errors) {
    if (aliaslevel == 0) a.primary = true;
    if (aliaslevel > kMaxAliasRecursion) {
        errors.push_back({"554 5.4.6 aliasing/forwarding loop broken (" + std::to_string(aliaslevel) +
                              " aliases deep; " + std::to_string(kMaxAliasRecursion) + " max)",
                          a.paddr, false});
        return -1;
    }
    const Mailer* prog = s_.config().find_mailer("prog");
    const Mailer* file = s_.config().find_mailer("*file*");
    const Mailer* incl = s_.config().find_mailer("*include*");
    if ((a.mailer == prog || a.mailer == file || a.mailer == incl) && a.parent < 0) {
        std::string what = a.mailer == prog ? "programs" : a.mailer == file ? "files" : ":include:s";
        errors.push_back({"550 5.7.1 Cannot mail directly to " + what, a.paddr, false});
        return -1;
    }
    // a duplicate: the address already queued stands for both. (sendmail
    // keeps the queue sorted by host; appending and sorting stably when
    // printing gives the same order.)
    for (std::size_t i = 0; i < queue.size(); ++i)
        if (same_address(queue[i], a) && (queue[i].rcpt_ok || !queue[i].primary)) return static_cast<int>(i);
    queue.push_back(a);
    int idx = static_cast<int>(queue.size() - 1);
    if (queue.back().state == Address::State::Ok && !queue.back().quoted && has_flag(queue.back().mailer, 'A')) {
        alias(idx, aliaslevel, errors);
        if (!errors.empty()) return -1;
    }
    Address& q = queue[static_cast<std::size_t>(idx)];
    if (q.state == Address::State::Ok && has_flag(q.mailer, 'w')) {
        std::optional<PasswdEntry> pw = lookup_passwd(unquoted(q.user));
        if (!pw) {
            q.state = Address::State::BadAddr;
            errors.push_back({"550 5.1.1 User unknown", q.paddr, false});
            return -1;
        }
        if (!pw->full_name.empty()) q.fullname = pw->full_name;
        if (vrfy_only) q.state = Address::State::Verified;
    }
    q.rcpt_ok = true;
    return idx;
}

std::vector<const Address*> RecipientList::in_sendmail_order() const {
    std::vector<const Address*> out;
    for (const Address& a : queue)
        if (undelivered(a.state)) out.push_back(&a);
    std::stable_sort(out.begin(), out.end(), [](const Address* x, const Address* y) {
        return ascii_lower(x->host) < ascii_lower(y->host);
    });
    return out;
}

void RecipientList::alias(int idx, int aliaslevel, std::vector<AddressError>& errors) {
    Address& a = queue[static_cast<std::size_t>(idx)];
    bool unavailable = false;
    std::optional<std::string> rhs = aliases_.lookup(a.user, unavailable);
    if (unavailable) {  // "alias database unavailable": the recipient is queued
        a.state = Address::State::QueueUp;
        return;
    }
    if (!rhs) return;
    if (vrfy_only) {
        a.state = Address::State::Verified;
        return;
    }
    a.state = Address::State::Expanded;
    a.fullname.clear();
    send_to_list(*rhs, idx, aliaslevel + 1, errors);
}

void RecipientList::send_to_list(const std::string& list, int parent, int aliaslevel,
                                 std::vector<AddressError>& errors) {
    std::vector<Address> found;
    std::size_t p = 0;
    while (p < list.size()) {
        while (p < list.size() && (list[p] == ' ' || list[p] == '\t' || list[p] == ',')) ++p;
        if (p >= list.size()) break;
        ParsedAddress pa = parse_address(s_, list.substr(p), ',', 0, true);
        for (const AddressError& e : pa.errors) errors.push_back(e);
        if (!errors.empty()) return;
        p += pa.end + 1;
        if (!pa.address) continue;
        Address a = *pa.address;
        a.parent = parent;
        if (parent >= 0) {
            const Address& ctl = queue[static_cast<std::size_t>(parent)];
            if (a.fullname.empty()) a.fullname = ctl.fullname;
        }
        found.push_back(a);
    }
    // sendmail builds the list by prepending, then walks it
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
        if (parent >= 0 && same_address(queue[static_cast<std::size_t>(parent)], *it)) {
            // "a: a, b": the alias delivers to itself too (QSELFREF)
            queue[static_cast<std::size_t>(parent)].state = Address::State::Ok;
            continue;
        }
        add(*it, aliaslevel, errors);
        if (!errors.empty()) return;
    }
}

} // namespace cfkit
