// queue_layout(): setup_queues() and multiqueue_cache() without the shared
// memory and file-system tables: the base directory, then each group's
// directories (a wildcard read in directory order, as readdir() gives them).
#include "engine/queue/layout.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace cfkit::queue {

namespace {

// chkqdir(): a directory, through a symbolic link too; not "." or "..".
bool is_queue_dir(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) < 0) return false;
    if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) < 0) return false;
    return S_ISDIR(st.st_mode);
}

void set_subdirs(QueueDir& q) {
    q.qf_dir = is_queue_dir(q.dir + "/qf") ? q.dir + "/qf" : q.dir;
    q.df_dir = is_queue_dir(q.dir + "/df") ? q.dir + "/df" : q.dir;
    q.xf_dir = is_queue_dir(q.dir + "/xf") ? q.dir + "/xf" : q.dir;
}

// qid_printqueue(): the group's directory, the queue's name unless ".",
// and "/df" when data files have their own subdirectory.
std::string printed_name(const std::string& qg_qdir, const QueueDir& q) {
    std::string s = qg_qdir;
    if (q.qp_name != ".") s += "/" + q.qp_name;
    if (q.df_dir != q.dir) s += "/df";
    return s;
}

}  // namespace

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    if (dir.back() == '/') return dir + name;
    return dir + "/" + name;
}

Layout queue_layout(const std::string& queue_directory, const std::vector<QueueGroupPath>& groups) {
    Layout out;
    if (queue_directory.empty()) {
        out.errors.push_back("QueueDirectory is not set");
        return out;
    }
    std::string basedir = queue_directory;
    if (basedir.back() == '*') {
        std::size_t slash = basedir.rfind('/');
        if (slash == std::string::npos) {
            out.errors.push_back("QueueDirectory: can not wildcard relative path \"" + queue_directory + "\"");
            return out;
        }
        basedir.resize(slash + 1);
    } else if (basedir.back() != '/') {
        basedir += '/';
    }
    const std::size_t blen = basedir.size();
    struct stat st;
    const bool found = ::stat(basedir.c_str(), &st) == 0;
    const int err = errno;
    if (!found || !S_ISDIR(st.st_mode)) {  // (a file named with a slash: ENOTDIR)
        out.errors.push_back("can not chdir(" + basedir + "): " + std::strerror(found ? ENOTDIR : err));
        return out;
    }
    std::vector<QueueGroupPath> all;
    bool have_default = false;
    for (const QueueGroupPath& g : groups) have_default = have_default || g.name == "mqueue";
    if (!have_default) all.push_back({"mqueue", ""});
    for (const QueueGroupPath& g : groups) {
        if (g.name == "mqueue") all.insert(all.begin(), g);
        else all.push_back(g);
    }
    for (const QueueGroupPath& g : all) {
        std::string qpath = g.path.empty() ? queue_directory : g.path;
        if (qpath.compare(0, blen, basedir) != 0 &&
            (qpath.compare(0, blen - 1, basedir, 0, blen - 1) != 0 || qpath.size() != blen - 1)) {
            out.errors.push_back("QueuePath " + qpath + " not subpath of QueueDirectory " + basedir);
            continue;
        }
        std::string prefix = ".";  // the group's directory relative to the base
        if (qpath.size() > blen) {
            std::size_t slash = qpath.rfind('/');
            if (slash != std::string::npos && slash >= blen) prefix = qpath.substr(blen, slash - blen);
        }
        if (qpath.back() == '*') {
            std::size_t slash = qpath.rfind('/');
            const std::string stem = qpath.substr(slash + 1, qpath.size() - slash - 2);
            const std::string qg_qdir = basedir.substr(0, blen - 1);
            const std::string scan = prefix == "." ? basedir : basedir + prefix;
            DIR* dp = ::opendir(scan.c_str());
            if (!dp) {
                out.errors.push_back("can not opendir(" + qg_qdir + "/" + prefix + ")");
                continue;
            }
            const std::size_t before = out.dirs.size();
            while (struct dirent* d = ::readdir(dp)) {
                std::string n = d->d_name;
                if (n == "." || n == ".." || n.compare(0, stem.size(), stem) != 0) continue;
                std::string rel = prefix == "." ? n : prefix + "/" + n;
                if (!is_queue_dir(basedir + rel)) continue;
                QueueDir q;
                q.group = g.name;
                q.qp_name = rel;
                q.dir = basedir + rel;
                set_subdirs(q);
                q.printed = printed_name(qg_qdir, q);
                out.dirs.push_back(std::move(q));
            }
            ::closedir(dp);
            if (out.dirs.size() > before) continue;
            qpath.pop_back();  // no match: the path itself, as sendmail falls through
        }
        if (!is_queue_dir(qpath)) {
            out.errors.push_back("can not opendir(" + qpath + ")");
            continue;
        }
        QueueDir q;
        q.group = g.name;
        q.dir = qpath;
        set_subdirs(q);
        std::string qg_qdir = qpath;
        if (qpath.size() > blen) {
            q.qp_name = qpath.substr(blen);
            qg_qdir = basedir.substr(0, blen - 1);
        } else {
            q.qp_name = ".";
        }
        q.printed = printed_name(qg_qdir, q);
        out.dirs.push_back(std::move(q));
    }
    return out;
}

FileKind file_kind(const std::string& name) {
    if (name.size() < 3 || name[1] != 'f') return FileKind::Other;
    switch (name[0]) {
    case 'q': return FileKind::Qf;
    case 'h': return FileKind::Hf;
    case 'Q': return FileKind::Lost;
    case 'd': return FileKind::Df;
    case 't': return FileKind::Tf;
    case 'x': return FileKind::Xf;
    default: return FileKind::Other;
    }
}

char kind_letter(FileKind k) {
    switch (k) {
    case FileKind::Qf: return 'q';
    case FileKind::Hf: return 'h';
    case FileKind::Lost: return 'Q';
    case FileKind::Df: return 'd';
    case FileKind::Tf: return 't';
    case FileKind::Xf: return 'x';
    case FileKind::Other: break;
    }
    return 0;
}

const std::string& dir_for(const QueueDir& d, FileKind k) {
    switch (k) {
    case FileKind::Df: return d.df_dir;
    case FileKind::Xf: return d.xf_dir;
    case FileKind::Other: return d.dir;
    default: return d.qf_dir;  // qf, hf, Qf and tf live together
    }
}

const QueueDir* find_qp_name(const Layout& l, const std::string& d) {
    for (const QueueDir& q : l.dirs)
        if (q.qp_name == d) return &q;
    return nullptr;
}

}  // namespace cfkit::queue
