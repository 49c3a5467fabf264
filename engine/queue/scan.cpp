// Reading a queue's messages one at a time (see scan.hpp).
#include "engine/queue/scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cfkit::queue {

bool held_by_other(int fd) {
    // (the shared lock goes with the descriptor: callers close it)
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) return false;
    return errno == EWOULDBLOCK;
}

std::vector<std::string> dir_names(const std::string& dir) {
    std::vector<std::string> out;
    for (DirEntry& e : dir_entries(dir)) out.push_back(std::move(e.name));
    return out;
}

bool locked_at(int dirfd, const std::string& name) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return false;
    const bool held = held_by_other(fd);
    ::close(fd);
    return held;
}

std::vector<DirEntry> dir_entries(const std::string& dir) {
    std::vector<DirEntry> out;
    DIR* dp = ::opendir(dir.c_str());
    if (!dp) return out;
    while (struct dirent* d = ::readdir(dp)) {
        if (d->d_name[0] == '.' && (d->d_name[1] == 0 || (d->d_name[1] == '.' && d->d_name[2] == 0))) continue;
        out.push_back({d->d_name, d->d_type, d->d_ino});
    }
    ::closedir(dp);
    return out;
}

std::optional<std::vector<unsigned long long>> write_locked_inodes() {
    // Inside a PID namespace (a container) /proc/locks leaves out the locks
    // of processes outside it: no hint there, every file is asked.
    if (FILE* st = std::fopen("/proc/self/status", "r")) {
        char line[256];
        bool nested = false;
        while (std::fgets(line, sizeof line, st))
            if (std::strncmp(line, "NSpid:", 6) == 0) {
                int fields = 0;
                for (char* t = std::strtok(line + 6, " \t\n"); t; t = std::strtok(nullptr, " \t\n")) ++fields;
                nested = fields > 1;
            }
        std::fclose(st);
        if (nested) return std::nullopt;
    }
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; "->" lines wait.
    FILE* f = std::fopen("/proc/locks", "r");
    if (!f) return std::nullopt;
    std::vector<unsigned long long> out;
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
        char kind[16], mode[16], rw[16], dev[64];
        long pid = 0;
        if (std::strstr(line, "->")) continue;
        if (std::sscanf(line, "%*s %15s %15s %15s %ld %63s", kind, mode, rw, &pid, dev) != 5) continue;
        if (std::strcmp(rw, "WRITE") != 0) continue;
        const char* ino = std::strrchr(dev, ':');
        if (ino) out.push_back(std::strtoull(ino + 1, nullptr, 10));
    }
    std::fclose(f);
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

bool read_fd(int fd, std::string& out) {
    out.clear();
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

std::optional<Message> read_message(const Layout& l, const QueueDir& d, const std::string& name) {
    Message m;
    m.dir = &d;
    m.kind = file_kind(name);
    m.id = name.substr(2);
    m.qf_path = join_path(d.qf_dir, name);
    int fd = ::open(m.qf_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::nullopt;
    struct stat st;
    if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return std::nullopt;
    }
    m.qf_size = st.st_size;
    m.qf_mtime = st.st_mtime;
    m.locked = held_by_other(fd);
    bool ok = read_fd(fd, m.content);
    ::close(fd);
    if (!ok) return std::nullopt;
    m.qf = parse_qf(m.content);
    const QueueDir* dfd = &d;
    if (!m.qf.data_dir.empty()) {
        if (const QueueDir* other = find_qp_name(l, m.qf.data_dir)) dfd = other;
    }
    m.df_path = join_path(dfd->df_dir, "df" + m.id);
    if (::stat(m.df_path.c_str(), &st) == 0) {
        m.df_size = st.st_size;
        m.df_links = st.st_nlink;
    }
    return m;
}

void for_each_message(const Layout& l, FileKind kind, const std::function<void(const Message&)>& each) {
    // Streamed: one message in memory at a time, whatever the queue's size.
    for (const QueueDir& d : l.dirs) {
        DIR* dp = ::opendir(d.qf_dir.c_str());
        if (!dp) continue;
        while (struct dirent* e = ::readdir(dp)) {
            const std::string n = e->d_name;
            if (file_kind(n) != kind) continue;
            if (auto m = read_message(l, d, n)) each(*m);
        }
        ::closedir(dp);
    }
}

bool Filter::empty() const {
    return ids.empty() && !sender && !recipient && older_than < 0 && larger_than < 0 && attempts_over < 0;
}

bool Filter::matches(const Message& m, time_t now) const {
    if (!ids.empty()) {
        bool any = false;
        for (const std::string& id : ids) any = any || id == m.id;
        if (!any) return false;
    }
    if (sender && !std::regex_search(m.qf.sender, *sender)) return false;
    if (recipient) {
        bool any = false;
        for (const QfRecipient& r : m.qf.recipients) any = any || std::regex_search(r.address, *recipient);
        if (!any) return false;
    }
    if (older_than >= 0 && !(m.qf.has_ctime && now - m.qf.ctime > older_than)) return false;
    if (larger_than >= 0 && m.df_size <= larger_than) return false;
    if (attempts_over >= 0 && m.qf.attempts <= attempts_over) return false;
    return true;
}

namespace {

long long number_with_unit(const std::string& s, const char* units, const long long* scale) {
    if (s.empty()) return -1;
    std::size_t i = 0;
    long long n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        n = n * 10 + (s[i] - '0');
        if (n > (1LL << 50)) return -1;
        ++i;
    }
    if (i == 0) return -1;
    if (i == s.size()) return n;
    if (i + 1 != s.size()) return -1;
    for (int k = 0; units[k]; ++k)
        if (units[k] == s[i]) return n * scale[k];
    return -1;
}

}  // namespace

long long parse_age(const std::string& s) {
    static const long long scale[] = {1, 60, 3600, 86400, 604800};
    return number_with_unit(s, "smhdw", scale);
}

long long parse_size(const std::string& s) {
    static const long long scale[] = {1024, 1024, 1024 * 1024, 1024LL * 1024 * 1024};
    return number_with_unit(s, "kKMG", scale);
}

}  // namespace cfkit::queue
