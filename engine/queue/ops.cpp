// The queue operations (see ops.hpp). Every one starts by taking the
// control file's lock in ControlLock and keeps it to the end: the lock
// belongs to the open file, so it follows the file through a rename.
#include "engine/queue/ops.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cfkit::queue {

namespace {

std::string errtext(int e) { return std::strerror(e); }

std::string dir_of(const std::string& path) {
    std::size_t s = path.rfind('/');
    return s == std::string::npos ? "." : s == 0 ? "/" : path.substr(0, s);
}

void sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

// The one place that takes sendmail's lock on a control file.
class ControlLock {
public:
    explicit ControlLock(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_ < 0) {
            error_ = errno == ENOENT ? "gone (delivered or moved meanwhile)" : errtext(errno);
            return;
        }
        if (::flock(fd_, LOCK_EX | LOCK_NB) < 0) {
            error_ = errno == EWOULDBLOCK ? "locked by a running sendmail" : errtext(errno);
            ::close(fd_);
            fd_ = -1;
            return;
        }
        // Locked, but is it still the file of that name? (A rename between
        // our open and our lock.)
        struct stat a, b;
        if (::fstat(fd_, &a) < 0 || ::stat(path.c_str(), &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
            error_ = "gone (delivered or moved meanwhile)";
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~ControlLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    ControlLock(const ControlLock&) = delete;
    ControlLock& operator=(const ControlLock&) = delete;
    bool ok() const { return fd_ >= 0; }
    const std::string& error() const { return error_; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string error_;
};

bool same_file(const std::string& a, const std::string& b) {
    struct stat sa, sb;
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_ino == sb.st_ino &&
           sa.st_dev == sb.st_dev;
}

bool exists(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
}

OpResult skipped(OpResult r, std::string why) {
    r.skipped = true;
    r.reason = std::move(why);
    return r;
}

// The control file's text with the q line set to `reason` (put before the
// S line when there is none) or dropped (reason empty). Returns false when
// nothing changes.
bool requarantined(const QueueFile& qf, const std::string& reason, std::string& out) {
    bool dirty = false, foundq = false;
    for (const QfLine& l : qf.lines) {
        std::string whole = l.letter ? std::string(1, l.letter) + l.text : std::string();
        if (l.letter == 'q') {
            foundq = true;
            if (reason.empty()) {
                dirty = true;
                continue;
            }
            if (reason != l.text) dirty = true;
            out += "q" + reason + "\n";
            continue;
        }
        if (l.letter == 'S' && !foundq && !reason.empty()) {
            out += "q" + reason + "\n";
            foundq = dirty = true;
        }
        out += whole + "\n";
    }
    return dirty;
}

}  // namespace

std::string make_queue_dir(const std::string& path, const std::string& like) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? "" : path + ": not a directory";
    if (::mkdir(path.c_str(), 0700) < 0) return path + ": " + errtext(errno);
    struct stat ls;
    if (::geteuid() == 0 && ::stat(like.c_str(), &ls) == 0 && ::chown(path.c_str(), ls.st_uid, ls.st_gid) < 0)
        return path + ": " + errtext(errno);
    sync_dir(dir_of(path));
    return "";
}

OpResult move_message(const Message& m, const QueueDir& dest, bool apply) {
    OpResult r;
    r.id = m.id;
    r.action = "move";
    r.from = m.dir->printed;
    r.to = dest.printed;
    const std::string cname = std::string(1, kind_letter(m.kind)) + "f" + m.id;
    const std::string dest_qf = join_path(dest.qf_dir, cname);
    const std::string dest_df = join_path(dest.df_dir, "df" + m.id);
    const std::string src_xf = join_path(m.dir->xf_dir, "xf" + m.id);
    const std::string dest_xf = join_path(dest.xf_dir, "xf" + m.id);
    r.files.push_back(m.qf_path);
    if (m.df_size >= 0) r.files.push_back(m.df_path);
    const bool has_xf = exists(src_xf);
    if (has_xf) r.files.push_back(src_xf);
    if (!m.qf.data_dir.empty())
        return skipped(r, "its data file is in another queue directory (d line \"" + m.qf.data_dir +
                              "\"): moving the control file alone would lose the body");
    struct stat ss, ds;
    // (a dry run into a directory not made yet: its parent's file system)
    const bool planned = !apply && ::stat(dest.qf_dir.c_str(), &ds) < 0 && errno == ENOENT;
    if (::stat(m.dir->qf_dir.c_str(), &ss) < 0 ||
        ::stat((planned ? dir_of(dest.qf_dir) : dest.qf_dir).c_str(), &ds) < 0)
        return skipped(r, "cannot stat the directories");
    if (ss.st_dev != ds.st_dev)
        return skipped(r, dest.printed + " is on another file system: a move there cannot be atomic");
    if (same_file(m.dir->qf_dir, dest.qf_dir)) return skipped(r, "already in " + dest.printed);
    for (const char* k : {"qf", "hf", "Qf", "tf"})
        if (exists(join_path(dest.qf_dir, k + m.id)))
            return skipped(r, std::string(k) + m.id + " already exists in " + dest.printed);
    if (m.df_size >= 0 && exists(dest_df) && !same_file(dest_df, m.df_path))
        return skipped(r, "df" + m.id + " already exists in " + dest.printed + " (another message's data)");
    ControlLock lock(m.qf_path);
    if (!lock.ok()) return skipped(r, lock.error());
    if (!apply) return r;
    // 1. The data (and transcript) linked into dest: the message is still
    //    wholly in the source.
    if (m.df_size >= 0 && !exists(dest_df) && ::link(m.df_path.c_str(), dest_df.c_str()) < 0)
        return skipped(r, "link " + m.df_path + " -> " + dest_df + ": " + errtext(errno));
    if (has_xf && !exists(dest_xf)) (void)::link(src_xf.c_str(), dest_xf.c_str());
    sync_dir(dest.df_dir);
    // 2. The control file renamed: atomic, the commit point.
    if (::rename(m.qf_path.c_str(), dest_qf.c_str()) < 0) {
        int e = errno;
        if (m.df_size >= 0) (void)::unlink(dest_df.c_str());
        return skipped(r, "rename " + m.qf_path + " -> " + dest_qf + ": " + errtext(e));
    }
    sync_dir(dest.qf_dir);
    sync_dir(m.dir->qf_dir);
    // 3. The old links go.
    if (m.df_size >= 0) (void)::unlink(m.df_path.c_str());
    if (has_xf) (void)::unlink(src_xf.c_str());
    sync_dir(m.dir->df_dir);
    r.done = true;
    return r;
}

namespace {

OpResult requarantine(const Message& m, const std::string& reason, bool apply) {
    OpResult r;
    r.id = m.id;
    r.action = reason.empty() ? "release" : "quarantine";
    r.from = m.dir->printed;
    r.files.push_back(m.qf_path);
    ControlLock lock(m.qf_path);
    if (!lock.ok()) return skipped(r, lock.error());
    // Read again under the lock: what we write must be what is there now.
    std::string text;
    {
        char buf[65536];
        ssize_t n;
        (void)::lseek(lock.fd(), 0, SEEK_SET);
        while ((n = ::read(lock.fd(), buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    }
    QueueFile qf = parse_qf(text);
    if (!qf.terminated) return skipped(r, "incomplete control file (no '.' line)");
    std::string out;
    if (!requarantined(qf, reason, out))
        return skipped(r, reason.empty() ? "not quarantined" : "already quarantined with that reason");
    const char newtype = reason.empty() ? 'q' : 'h';
    const std::string newpath = join_path(m.dir->qf_dir, std::string(1, newtype) + "f" + m.id);
    const std::string tf = join_path(m.dir->qf_dir, "tf" + m.id);
    if (newpath != m.qf_path && exists(newpath)) return skipped(r, newpath + " already exists");
    if (!apply) return r;
    struct stat st;
    mode_t mode = ::fstat(lock.fd(), &st) == 0 ? (st.st_mode & 07777) : 0600;
    int fd = ::open(tf.c_str(), O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return skipped(r, "could not open " + tf + ": " + errtext(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        ::close(fd);
        return skipped(r, "could not lock " + tf);
    }
    if (::geteuid() == 0) (void)::fchown(fd, st.st_uid, st.st_gid);
    std::size_t off = 0;
    bool ok = true;
    while (off < out.size()) {
        ssize_t n = ::write(fd, out.data() + off, out.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            ok = false;
            break;
        }
        off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    if (!ok || ::rename(tf.c_str(), newpath.c_str()) < 0) {
        int e = errno;
        ::unlink(tf.c_str());
        ::close(fd);
        return skipped(r, "error writing " + tf + ": " + errtext(e));
    }
    if (newpath != m.qf_path) ::unlink(m.qf_path.c_str());
    ::close(fd);
    sync_dir(m.dir->qf_dir);
    r.files.push_back(newpath);
    r.done = true;
    return r;
}

}  // namespace

OpResult quarantine_message(const Message& m, const std::string& reason, bool apply) {
    return requarantine(m, reason, apply);
}

OpResult release_message(const Message& m, bool apply) { return requarantine(m, "", apply); }

OpResult remove_files(const std::string& id, const std::string& dir, const std::vector<std::string>& files,
                      bool apply, const std::string& watch_dir) {
    OpResult r;
    r.id = id;
    r.action = "remove";
    r.from = dir;
    r.files = files;
    std::unique_ptr<ControlLock> lock;
    for (const std::string& f : files) {
        const std::string base = f.substr(f.rfind('/') + 1);
        FileKind k = file_kind(base);
        if (k == FileKind::Qf || k == FileKind::Hf || k == FileKind::Lost || k == FileKind::Tf) {
            lock = std::make_unique<ControlLock>(f);
            if (!lock->ok()) return skipped(r, lock->error());
        }
    }
    if (!watch_dir.empty())
        for (const char* k : {"qf", "hf", "Qf", "tf"}) {
            const std::string c = join_path(watch_dir, k + id);
            if (exists(c) && std::find(files.begin(), files.end(), c) == files.end())
                return skipped(r, c + " appeared meanwhile: left alone");
        }
    if (!apply) return r;
    for (const std::string& f : files)
        if (::unlink(f.c_str()) < 0 && errno != ENOENT) return skipped(r, "unlink " + f + ": " + errtext(errno));
    if (!files.empty()) sync_dir(dir_of(files.front()));
    r.done = true;
    return r;
}

}  // namespace cfkit::queue
