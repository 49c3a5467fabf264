// print_queue(): printqueue() and print_single_queue() of queue.c. Per
// directory: the control files of the mode's letter in readdir() order,
// gatherq()'s look at the first lines (priority, time, lock, too young),
// sortq()'s stable order, then each file's lines as print_single_queue()
// reads them (2047-byte pieces, as sm_io_fgets() gives them).
#include "engine/queue/mailq.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cfkit::queue {

namespace {

constexpr std::size_t kMaxLine = 2048;    // MAXLINE: print_single_queue()'s buffer
constexpr std::size_t kMaxName = 256;     // MAXNAME: its bodytype[] holds this many
constexpr std::size_t kMaxQfName = 20;    // MAXQFNAME: longer names are skipped

// One entry of the work list (WORK in sendmail.h), with its printed line.
struct Work {
    std::size_t seq = 0;  // readdir order: sortq()'s qsort is glibc's stable merge sort
    std::string name;
    long long pri = 0;
    long long ctime = 0;
    time_t mtime = 0;
    std::string host;  // reversed, lower case (QueueSortOrder=host)
    bool has_host = false;
    bool lock = false, tooyoung = false;
    std::string id;    // printed "%13s" before the mark
    std::string said;  // readqf()'s message, printed between the id and the mark
    std::string text;  // the printed entry after the mark
    bool unreadable = false;  // open() failed: text is "(Permission denied)"
};

long long atol_prefix(const std::string& s, std::size_t from) {
    return std::strtoll(s.c_str() + from, nullptr, 10);
}

// ctime(): "Thu Jan  1 00:00:00 1970\n".
std::string c_time_uncached(time_t t) {
    struct tm tm;
    localtime_r(&t, &tm);
    static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3s %.3s%3d %.2d:%.2d:%.2d %d\n", days[tm.tm_wday], months[tm.tm_mon],
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 1900 + tm.tm_year);
    return buf;
}

// The listing prints no seconds: one localtime() a minute of queue times.
const std::string& c_time(time_t t) {
    thread_local std::unordered_map<long long, std::string> cache;
    thread_local std::string exact;
    const long long minute = t / 60;
    if (t < 0) return exact = c_time_uncached(t);
    auto it = cache.find(minute);
    if (it != cache.end()) return it->second;
    if (cache.size() > 100000) cache.clear();
    std::string c = c_time_uncached(t);
    c.replace(17, 2, "00");  // the seconds: never printed
    return cache.emplace(minute, std::move(c)).first->second;
}

void append_number(std::string& out, long long v, int width) {
    char b[24];
    int n = 0;
    const bool neg = v < 0;
    unsigned long long u = neg ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        b[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg) b[n++] = '-';
    for (int i = n; i < width; ++i) out += ' ';
    while (n) out += b[--n];
}

// The pieces sm_io_fgets(buf, MAXLINE) gives, after fixcrlf(): a line is
// cut at 2047 bytes, ends at its newline (CR LF too), and, being a C string,
// at a NUL.
template <class F>
void for_each_piece(std::string_view content, F&& f) {
    std::size_t p = 0;
    while (p < content.size()) {
        std::size_t nl = content.find('\n', p);
        std::size_t end = nl == std::string_view::npos ? content.size() : nl + 1;
        if (end - p > kMaxLine - 1) end = p + kMaxLine - 1;
        std::string_view piece = content.substr(p, end - p);
        p = end;
        if (!piece.empty() && piece.back() == '\n') {
            piece.remove_suffix(1);
            if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
        }
        std::size_t nul = piece.find('\0');
        if (nul != std::string_view::npos) piece = piece.substr(0, nul);
        f(piece);
    }
}

// The lines gatherq() reads (its buffer is MAXNAME_I + 1 bytes, the rest
// of a longer line skipped) until it has what it needs.
template <class F>
void for_each_gather_line(std::string_view content, F&& f) {
    std::size_t p = 0;
    while (p < content.size()) {
        std::size_t nl = content.find('\n', p);
        std::size_t end = nl == std::string_view::npos ? content.size() : nl;
        std::string line(content.substr(p, std::min(end - p, kMaxName)));
        p = nl == std::string_view::npos ? content.size() : nl + 1;
        if (!f(line)) return;
    }
}

bool should_queue(const ListOptions& o, long long pri) {  // shouldqueue() in conf.c
    if (o.current_la < o.queue_la) return false;
    return pri > o.queue_factor / (o.current_la - o.queue_la + 1);
}

std::string strrev_lower(const std::string& s) {
    std::string r(s.rbegin(), s.rend());
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// gatherq() for one file: what it reads before it has the priority and the
// time (and the host, by host order). False: the file is left out.
bool gather(Work& w, std::string_view content, const ListOptions& o) {
    enum { kNeedP = 1, kNeedT = 2, kNeedH = 4 };
    int need = kNeedP | kNeedT | (o.order == SortOrder::Host ? kNeedH : 0);
    bool has_quarantine = false;
    w.pri = 0x7fffffff;  // jobs in creation don't clog the queue
    w.ctime = 0;
    for_each_gather_line(content, [&](const std::string& l) {
        if (need == 0) return false;
        switch (l.empty() ? '\0' : l[0]) {
        case 'P': w.pri = atol_prefix(l, 1); need &= ~kNeedP; break;
        case 'T': w.ctime = atol_prefix(l, 1); need &= ~kNeedT; break;
        case 'q':
            if (o.mode == QueueMode::Normal) has_quarantine = true;
            break;
        case 'R':
            if (!w.has_host) {
                std::size_t at = l.rfind('@');
                if (at != std::string::npos && at >= 1) {
                    w.host = strrev_lower(l.substr(at + 1));
                    w.has_host = true;
                    need &= ~kNeedH;
                }
            }
            break;
        case 'K': {
            const long long lasttry = atol_prefix(l, 1);
            if (o.max_queue_age > 0) {
                const long long delay = std::min(lasttry - w.ctime, o.max_queue_age);
                if (o.now - lasttry < delay) w.tooyoung = true;
                break;
            }
            const long long age = o.now - lasttry;
            if (age >= 0 && o.min_queue_age > 0 && age < o.min_queue_age) w.tooyoung = true;
            break;
        }
        case 'N':
            if (atol_prefix(l, 1) == 0) w.tooyoung = false;
            break;
        default: break;
        }
        return true;
    });
    return !has_quarantine;
}

// The body of print_single_queue()'s loop for one file: everything after
// the id and the mark.
void render_lines(std::string& out, std::string_view content, long long dfsize, long long pri, bool verbose) {
    long long submittime = 0;
    bool warning = false;
    int qfver = 0;
    std::string quarmsg, statmsg, bodytype;
    char num[64];
    for_each_piece(content, [&](std::string_view buf) {
        if (buf.empty()) return;
        const std::string_view rest = buf.substr(1);
        switch (buf[0]) {
        case 'V': qfver = std::atoi(std::string(rest).c_str()); break;
        case 'M': statmsg.assign(rest.substr(0, kMaxLine - 1)); break;
        case 'q': quarmsg.assign(rest.substr(0, kMaxLine - 1)); break;
        case 'B': bodytype.assign(rest.substr(0, kMaxName)); break;
        case 'S': {
            const time_t t = static_cast<time_t>(submittime);
            const std::string& ct = c_time(t);
            if (verbose) {
                append_number(out, dfsize, 8);
                out += ' ';
                append_number(out, pri, 10);
                out += warning ? '+' : ' ';
                out.append(ct, 4, 12);
                out += ' ';
                append_prtstr(out, rest, 78);
            } else {
                append_number(out, dfsize, 8);
                out += ' ';
                out.append(ct, 0, 16);
                out += ' ';
                append_prtstr(out, rest, 39);
            }
            if (!quarmsg.empty()) {
                out += "\n     QUARANTINE: ";
                out.append(quarmsg, 0, verbose ? 100 : 60);
                quarmsg.clear();
            }
            if (!statmsg.empty() || !bodytype.empty()) {
                std::snprintf(num, sizeof num, "\n    %10.10s", bodytype.c_str());
                out += num;
                if (!statmsg.empty()) {
                    out += "   (";
                    out.append(statmsg, 0, verbose ? 100 : 60);
                    out += ')';
                }
                statmsg.clear();
            }
            break;
        }
        case 'C':
            if (verbose) {
                out += "\n\t\t\t\t\t\t(---";
                out.append(rest.substr(0, 64));
                out += "---)";
            }
            break;
        case 'R': {
            std::string_view p = rest;
            if (qfver >= 1) {
                std::size_t c = p.find(':');
                if (c == std::string_view::npos) break;
                p = p.substr(c + 1);
            }
            if (verbose) {
                out += "\n\t\t\t\t\t\t";
                append_prtstr(out, p, 71);
            } else {
                out += "\n\t\t\t\t\t ";
                append_prtstr(out, p, 38);
            }
            if (verbose && !statmsg.empty()) {
                out += "\n\t\t (";
                out.append(statmsg, 0, 100);
                out += ')';
                statmsg.clear();
            }
            break;
        }
        case 'T': submittime = std::strtoll(std::string(rest).c_str(), nullptr, 10); break;
        case 'F':
            if (rest.find('w') != std::string_view::npos) warning = true;
            break;
        default: break;
        }
    });
    if (submittime == 0) out += " (no control file)";
    out += '\n';
}

// The whole file in as few read() calls as it takes (one, for a control
// file): a short read of a regular file is its end. Fails for a file gone
// meanwhile and for one that is not a regular file (a directory: EISDIR).
// errno is left as open() set it when that fails.
bool read_whole(int dirfd, const std::string& name, std::vector<char>& buf, std::string_view& out) {
    // relative to the open directory: one name looked up, not the whole path
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    if (buf.size() < 65536) buf.resize(65536);
    std::size_t got = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return false;
        }
        got += static_cast<std::size_t>(n);
        if (got < buf.size()) break;
        buf.resize(buf.size() * 2);
    }
    ::close(fd);
    out = std::string_view(buf.data(), got);
    return true;
}

struct DirFd {
    int fd;
    explicit DirFd(const std::string& p) : fd(::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}
    ~DirFd() {
        if (fd >= 0) ::close(fd);
    }
    DirFd(const DirFd&) = delete;
    DirFd& operator=(const DirFd&) = delete;
};

struct ScanContext {
    const Layout& l;
    const QueueDir& d;
    const ListOptions& o;
    const Filter& filter;
    bool avoid;
    const std::optional<std::vector<unsigned long long>>& locks;
    int qfd, dfd;
};

// gatherq() and print_single_queue()'s reading for entries [begin, end) of
// `names`: the works of the files that stay in the list, in that order.
void scan_range(const ScanContext& c, const std::vector<DirEntry>& names, std::size_t begin, std::size_t end,
                std::vector<Work>& work) {
    std::vector<char> buf;
    std::string_view content;
    const bool content_filter = c.filter.sender || c.filter.recipient || c.filter.older_than >= 0 ||
                                c.filter.larger_than >= 0 || c.filter.attempts_over >= 0;
    for (std::size_t i = begin; i < end; ++i) {
        const DirEntry& e = names[i];
        const std::string& name = e.name;
        Work w;
        w.seq = i;
        struct stat st;
        if (e.type != DT_REG &&
            (e.type != DT_UNKNOWN || ::fstatat(c.qfd, name.c_str(), &st, 0) < 0 || !S_ISREG(st.st_mode)))
            continue;  // gatherq(): "not a regular file"
        if (c.o.order == SortOrder::Modtime) {
            if (::fstatat(c.qfd, name.c_str(), &st, 0) < 0) continue;
            w.mtime = st.st_mtime;
        }
        if (!read_whole(c.qfd, name, buf, content)) {
            // gone meanwhile: skipped quietly; unreadable (not root): listed
            // as print_single_queue() lists it, without a mark
            if (errno == EACCES && c.filter.empty()) {
                w.id = name.substr(2);
                w.pri = 0x7fffffff;
                w.unreadable = true;
                w.text = " (Permission denied)\n";
                work.push_back(std::move(w));
            }
            continue;
        }
        if (!c.avoid) {
            const bool maybe = !c.locks || std::binary_search(c.locks->begin(), c.locks->end(),
                                                              static_cast<unsigned long long>(e.ino));
            w.lock = maybe && locked_at(c.qfd, name);
            if (!gather(w, content, c.o)) continue;
        }
        // The data file: beside the qf, or where its d line says.
        w.id = name.substr(2);
        long long dfsize = -1;
        struct stat dst;
        std::string said;  // what readqf() says meanwhile (on standard output)
        // the parsed file, made once, when something needs it
        std::optional<QueueFile> parsed;
        auto qf_of = [&]() -> const QueueFile& {
            if (!parsed) parsed = parse_qf(content);
            return *parsed;
        };
        if (::fstatat(c.dfd, ("df" + w.id).c_str(), &dst, 0) == 0) {
            dfsize = dst.st_size;
        } else {
            // sendmail reads the qf (readqf(), which locks it) for a d line
            const QueueFile& qf = qf_of();
            const QueueDir* dfdir = &c.d;
            if (!qf.data_dir.empty()) dfdir = find_qp_name(c.l, qf.data_dir);
            if (dfdir && ::stat(join_path(dfdir->df_dir, "df" + w.id).c_str(), &dst) == 0) {
                dfsize = dst.st_size;
            } else if (dfdir && !w.lock && !qf.empty && qf.problems.empty()) {
                // its path as sendmail names it, relative to the base directory
                std::string rel = dfdir->qp_name + (dfdir->df_dir != dfdir->dir ? "/df" : "") + "/df" + w.id;
                said = "readqf: cannot open " + rel + ": No such file or directory\n";
            }
        }
        if (content_filter) {
            Message m;
            m.dir = &c.d;
            m.id = w.id;
            m.df_size = dfsize;
            m.qf = qf_of();
            if (!c.filter.matches(m, c.o.now)) continue;
        }
        if (c.o.order == SortOrder::Filename) w.name = name;
        w.text.reserve(160);
        w.said = std::move(said);
        render_lines(w.text, content, dfsize, w.pri, c.o.verbose);
        work.push_back(std::move(w));
    }
}

// print_single_queue(): returns the number of requests.
int print_single_queue(const Layout& l, const QueueDir& d, const ListOptions& o, const Filter& filter,
                       const std::function<void(std::string_view)>& out) {
    const char want = o.mode == QueueMode::Normal ? 'q' : o.mode == QueueMode::Quarantine ? 'h' : 'Q';
    // "avoid work if possible": these orders never open the files (no lock marks).
    const bool avoid = (o.order == SortOrder::Filename || o.order == SortOrder::Modtime ||
                        o.order == SortOrder::None || o.order == SortOrder::Random) && filter.empty();
    std::vector<DirEntry> names;
    for (DirEntry& e : dir_entries(d.qf_dir)) {
        if (e.name.size() < 2 || e.name[0] != want || e.name[1] != 'f' || e.name.size() >= kMaxQfName) continue;
        if (!filter.ids.empty() &&
            std::find(filter.ids.begin(), filter.ids.end(), e.name.substr(2)) == filter.ids.end())
            continue;
        names.push_back(std::move(e));
    }
    // Who holds locks, read once; a file named there is then asked itself.
    const std::optional<std::vector<unsigned long long>> locks = avoid ? std::nullopt : write_locked_inodes();
    const DirFd qfd(d.qf_dir), dfd(d.df_dir);
    const ScanContext ctx{l, d, o, filter, avoid, locks, qfd.fd, dfd.fd};
    // The kernel's work (open, read, stat) is most of the time: a big queue
    // is read by a few threads, each a contiguous part, joined in order.
    std::size_t threads = 1;
    if (names.size() >= 4096) threads = std::min<std::size_t>(4, std::max(1u, std::thread::hardware_concurrency()));
    if (o.threads > 0) threads = static_cast<std::size_t>(std::min(o.threads, 64));
    std::vector<std::vector<Work>> parts(threads);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
        const std::size_t b = names.size() * t / threads, e = names.size() * (t + 1) / threads;
        if (t + 1 == threads) scan_range(ctx, names, b, e, parts[t]);
        else pool.emplace_back([&ctx, &names, &parts, b, e, t] { scan_range(ctx, names, b, e, parts[t]); });
    }
    for (std::thread& th : pool) th.join();
    std::vector<Work> work;
    for (std::vector<Work>& p : parts)
        for (Work& w : p) work.push_back(std::move(w));
    const int requests = static_cast<int>(work.size());
    // MaxQueueRunSize: the first ones in directory order are kept
    if (o.max_queue_run > 0 && static_cast<long>(work.size()) > o.max_queue_run)
        work.resize(static_cast<std::size_t>(o.max_queue_run));
    auto by = [&](auto less) { std::stable_sort(work.begin(), work.end(), less); };
    switch (o.order) {
    case SortOrder::Priority: by([](const Work& a, const Work& b) { return a.pri < b.pri; }); break;
    case SortOrder::Time: by([](const Work& a, const Work& b) { return a.ctime < b.ctime; }); break;
    case SortOrder::Filename: by([](const Work& a, const Work& b) { return a.name < b.name; }); break;
    case SortOrder::Modtime: by([](const Work& a, const Work& b) { return a.mtime < b.mtime; }); break;
    case SortOrder::Host: {
        // workcmpf1, every job to a host with a locked one marked locked, then workcmpf2.
        auto host_less = [](const Work& a, const Work& b) {
            if (a.has_host != b.has_host) return !a.has_host;
            if (a.has_host) {
                int c = strcasecmp(a.host.c_str(), b.host.c_str());
                if (c != 0) return c < 0;
            }
            return false;
        };
        by([&](const Work& a, const Work& b) {
            if (host_less(a, b)) return true;
            if (host_less(b, a)) return false;
            if (a.lock != b.lock) return a.lock;
            return a.pri < b.pri;
        });
        for (std::size_t i = 0; i < work.size();) {
            if (!work[i].lock) {
                ++i;
                continue;
            }
            const std::size_t first = i;
            while (++i < work.size() && !host_less(work[first], work[i]) && !host_less(work[i], work[first]))
                work[i].lock = true;
        }
        by([&](const Work& a, const Work& b) {
            if (a.lock != b.lock) return !a.lock;
            if (host_less(a, b)) return true;
            if (host_less(b, a)) return false;
            return a.pri < b.pri;
        });
        break;
    }
    case SortOrder::Random: case SortOrder::None: break;
    }
    if (requests <= 0) {
        out(d.printed + " is empty\n");
        return 0;
    }
    std::string head = "\t\t" + d.printed + " (" + std::to_string(requests) + " request" + (requests == 1 ? "" : "s");
    if (o.max_queue_run > 0 && requests > o.max_queue_run) head += ", only " + std::to_string(o.max_queue_run) + " printed";
    head += o.verbose
                ? ")\n-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------\n"
                : ")\n-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n";
    out(head);
    std::string line;
    for (const Work& w : work) {
        line.clear();
        if (w.id.size() < 13) line.append(13 - w.id.size(), ' ');
        line += w.id;
        if (w.unreadable) {
            out(line + w.text);
            continue;
        }
        line += w.said;
        if (w.lock) line += '*';
        else if (o.mode == QueueMode::Lost) line += '?';
        else if (w.tooyoung) line += '-';
        else if (should_queue(o, avoid ? 0 : w.pri)) line += 'X';
        else line += ' ';
        line += w.text;
        out(line);
    }
    return requests;
}

}  // namespace

void append_prtstr(std::string& o, std::string_view s, int ml) {
    std::size_t i = 0;
    while (ml-- > 0 && i < s.size() && s[i] != '\0') {
        const unsigned char c = static_cast<unsigned char>(s[i++]);
        if (c == '\\') {
            if (ml-- > 0) o += "\\\\";
        } else if (c < 0x80 && std::isprint(c)) {
            o += static_cast<char>(c);
        } else if ((ml -= 3) > 0) {
            char b[8];
            std::snprintf(b, sizeof b, "\\%03o", c);
            o += b;
        }
    }
}

long long convtime(const std::string& s, char unit) {
    if (strcasecmp(s.c_str(), "now") == 0) return 0;
    std::size_t p = 0;
    bool pos = true;
    if (p < s.size() && s[p] == '-') {
        pos = false;
        ++p;
    }
    long long r = 0;
    while (p < s.size()) {
        long long t = 0;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) t = t * 10 + (s[p++] - '0');
        char c = unit;
        if (p < s.size()) {
            c = s[p++];
            if (!std::strchr("wdhms", c)) c = unit;
        }
        switch (c) {
        case 'w': t *= 7; [[fallthrough]];
        case 'd': default: t *= 24; [[fallthrough]];
        case 'h': t *= 60; [[fallthrough]];
        case 'm': t *= 60; [[fallthrough]];
        case 's': break;
        }
        r += t;
    }
    return pos ? r : -r;
}

ListOptions list_options(const std::map<std::string, std::string>& raw) {
    auto option = [&raw](const char* name) -> const std::string* {
        auto it = raw.find(name);
        return it == raw.end() ? nullptr : &it->second;
    };
    ListOptions o;
    o.now = std::time(nullptr);
    long procs = ::sysconf(_SC_NPROCESSORS_ONLN);
    if (procs < 1) procs = 1;
    o.queue_la = 8 * procs;
    if (const std::string* v = option("QueueLA")) o.queue_la = std::atoi(v->c_str());
    if (const std::string* v = option("QueueFactor")) o.queue_factor = std::atoi(v->c_str());
    if (const std::string* v = option("MaxQueueRunSize")) o.max_queue_run = std::atoi(v->c_str());
    if (const std::string* v = option("MinQueueAge")) o.min_queue_age = convtime(*v, 'm');
    if (const std::string* v = option("MaxQueueAge")) o.max_queue_age = convtime(*v, 'm');
    if (const std::string* v = option("QueueSortOrder"); v && !v->empty()) {
        switch ((*v)[0]) {
        case 'f': case 'F': o.order = SortOrder::Filename; break;
        case 'h': case 'H': o.order = SortOrder::Host; break;
        case 'm': case 'M': o.order = SortOrder::Modtime; break;
        case 'p': case 'P': o.order = SortOrder::Priority; break;
        case 't': case 'T': o.order = SortOrder::Time; break;
        case 'r': case 'R': o.order = SortOrder::Random; break;
        case 'n': case 'N': o.order = SortOrder::None; break;
        default: break;
        }
    }
    // getla() on Linux: /proc/loadavg's first number, rounded.
    std::ifstream la("/proc/loadavg");
    double avg = 0;
    if (la >> avg) o.current_la = static_cast<int>(avg + 0.5);
    return o;
}

int print_queue(const Layout& l, const ListOptions& o, const Filter& filter,
                const std::function<void(std::string_view)>& out) {
    int k = 0, total = 0;
    std::string last_group;
    for (std::size_t i = 0; i < l.dirs.size(); ++i) {
        if (i == 0 || l.dirs[i].group != l.dirs[i - 1].group) ++k;
        total += print_single_queue(l, l.dirs[i], o, filter, out);
        ++k;
    }
    if (k > 1) out("\t\tTotal requests: " + std::to_string(total) + "\n");
    return total;
}

}  // namespace cfkit::queue
