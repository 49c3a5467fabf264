#include "engine/names/safefile.hpp"

#include <optional>
#include <unordered_map>

#include <grp.h>
#include <pwd.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/text/symbols.hpp"

namespace cfkit {

namespace {

struct DbsWord {
    const char* name;  // lower case
    int bit;
};

// conf.c's DontBlameSendmailValues, by bit number.
const DbsWord kDbsWords[] = {
    {"safe", 0},
    {"assumesafechown", 1},
    {"groupwritabledirpathsafe", 2},
    {"groupwritableforwardfilesafe", 3},
    {"groupwritableincludefilesafe", 4},
    {"groupwritablealiasfile", 5},
    {"worldwritablealiasfile", 6},
    {"forwardfileinunsafedirpath", 7},
    {"mapinunsafedirpath", 8},
    {"linkedaliasfileinwritabledir", 9},
    {"linkedclassfileinwritabledir", 10},
    {"linkedforwardfileinwritabledir", 11},
    {"linkedincludefileinwritabledir", 12},
    {"linkedmapinwritabledir", 13},
    {"linkedserviceswitchfileinwritabledir", 14},
    {"filedeliverytohardlink", 15},
    {"filedeliverytosymlink", 16},
    {"writemaptohardlink", 17},
    {"writemaptosymlink", 18},
    {"writestatstohardlink", 19},
    {"writestatstosymlink", 20},
    {"forwardfileingroupwritabledirpath", 21},
    {"includefileingroupwritabledirpath", 22},
    {"classfileinunsafedirpath", 23},
    {"errorheaderinunsafedirpath", 24},
    {"helpfileinunsafedirpath", 25},
    {"forwardfileinunsafedirpathsafe", 26},
    {"includefileinunsafedirpathsafe", 27},
    {"runprograminunsafedirpath", 28},
    {"runwritableprogram", 29},
    {"includefileinunsafedirpath", 30},
    {"nonrootsafeaddr", 31},
    {"truststickybit", 32},
    {"dontwarnforwardfileinunsafedirpath", 33},
    {"insufficiententropy", 34},
    {"groupreadablesasldbfile", 35},
    {"groupwritablesasldbfile", 36},
    {"groupwritableforwardfile", 37},
    {"groupwritableincludefile", 38},
    {"worldwritableforwardfile", 39},
    {"worldwritableincludefile", 40},
    {"groupreadablekeyfile", 41},
    {"groupreadabledefaultauthinfofile", 42},
};

bool is_member(gid_t gid, const std::string& user) {
    if (user.empty()) return false;
    struct group* gr = getgrgid(gid);
    if (!gr) return false;
    for (char** m = gr->gr_mem; m && *m; ++m)
        if (user == *m) return true;
    return false;
}

// The directory part of a file name, as safefile() cuts it: "." without a
// slash, "" (the root) for "/file".
std::string dir_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Where a symbolic link's walk starts again: an absolute target skips
// what it shares, up to a directory break, with the link's own path.
std::size_t shared_offset(const std::string& link, const std::string& target) {
    std::size_t off = 0;
    while (off < link.size() && off < target.size() && link[off] == target[off]) ++off;
    if (off > 0) --off;
    auto at = [](const std::string& s, std::size_t i) { return i < s.size() ? s[i] : '\0'; };
    if (off > 0 && at(link, off) != '/' && at(link, off) != '\0')
        while (off > 0 && at(target, off) != '/') --off;
    if (off > 0 && at(link, off) == '/' && at(target, off) == '/') ++off;
    return off;
}

class DirWalk {
public:
    DirWalk(const FileUser& u, unsigned flags, const DontBlame& d, bool warn, SafeCheck& out)
        : u_(u), flags_(flags), dbs_(d), warn_(warn), out_(out) {}

    // safedirpath(): every directory on the way to `dir` from `offset` on,
    // symbolic links followed (their targets walked in turn).
    int walk(const std::string& dir_in, int level, std::size_t offset) {
        if (level > MAXSYMLINKS) return ELOOP;
        const std::string dir = dir_in.empty() ? "/" : dir_in;
        if (offset > dir.size()) return EINVAL;
        mode_t bad = S_IWOTH;
        if (!dbs_.test(dbs::GroupWritableDirPathSafe)) bad |= S_IWGRP;
        std::size_t pos = offset;
        while (pos != std::string::npos && pos < dir.size()) {
            std::size_t slash = dir.find('/', pos);
            std::string prefix = slash == 0 ? "/" : slash == std::string::npos ? dir : dir.substr(0, slash);
            pos = slash == std::string::npos ? slash : slash + 1;
            // "." and ".." have been walked already
            std::size_t last = prefix.rfind('/');
            if (last != std::string::npos && (prefix.compare(last, std::string::npos, "/.") == 0 ||
                                              prefix.compare(last, std::string::npos, "/..") == 0))
                continue;
            struct stat st {};
            if (lstat(prefix.c_str(), &st) < 0) return out_.errno_left = errno;
            if (S_ISLNK(st.st_mode)) {
                int r = follow(prefix, level);
                if (r != 0) return r;
                continue;  // the link's own mode does not count
            }
            if ((u_.uid == 0 || (flags_ & sff::SafeDirPath)) &&
                !(dbs_.test(dbs::TrustStickyBit) && (st.st_mode & S_ISVTX)) && (st.st_mode & bad)) {
                if (flags_ & sff::SafeDirPath) return (st.st_mode & S_IWOTH) ? sm_err::WwDir : sm_err::GwDir;
                if (warn_)
                    out_.warnings.push_back(std::string("WARNING: ") + ((st.st_mode & S_IWOTH) ? "World" : "Group") +
                                            " writable directory " + prefix);
            }
            if (!searchable(st)) return EACCES;
        }
        return 0;
    }

private:
    int follow(const std::string& link, int level) {
        char buf[MAXPATHLEN];
        ssize_t n = readlink(link.c_str(), buf, sizeof buf);
        if (n < 0) return out_.errno_left = errno;
        if (static_cast<std::size_t>(n) >= sizeof buf) return out_.errno_left = EINVAL;
        std::string target(buf, static_cast<std::size_t>(n));
        std::size_t offset = 0;
        if (!target.empty() && target[0] == '/') {
            if (target == link) return ELOOP;
            offset = shared_offset(link, target);
        } else {
            std::size_t slash = link.rfind('/');
            if (slash != std::string::npos) {
                target = link.substr(0, slash) + "/" + target;
                offset = slash + 1;
            }
        }
        return walk(target, level + 1, offset);
    }

    // May the user search the directory? Root needs o+x unless the file is
    // opened as root or root is fine; a non-root process leaves it to the
    // system.
    bool searchable(const struct stat& st) const {
        if (u_.uid == 0 && !(flags_ & (sff::RootOk | sff::OpenAsRoot))) return st.st_mode & S_IXOTH;
        if (u_.euid != 0 || (flags_ & sff::OpenAsRoot)) return true;
        if (st.st_uid == u_.uid && (st.st_mode & S_IXUSR)) return true;
        if (st.st_gid == u_.gid && (st.st_mode & S_IXGRP)) return true;
        if (is_member(st.st_gid, u_.name) && (st.st_mode & S_IXGRP)) return true;
        return st.st_mode & S_IXOTH;
    }

    const FileUser& u_;
    unsigned flags_;
    const DontBlame& dbs_;
    bool warn_;
    SafeCheck& out_;
};

} // namespace

std::vector<std::string> apply_dont_blame(const std::string& value, DontBlame& bits) {
    std::vector<std::string> unknown;
    std::size_t i = 0;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    while (i < value.size()) {
        while (i < value.size() && !alnum(value[i])) ++i;  // blanks and punctuation
        std::size_t start = i;
        while (i < value.size() && alnum(value[i])) ++i;
        if (start == i) break;
        std::string word = value.substr(start, i - start);
        if (i < value.size()) ++i;  // the separator
        std::string lower = ascii_lower(word);
        const DbsWord* found = nullptr;
        for (const DbsWord& w : kDbsWords)
            if (lower == w.name) found = &w;
        if (!found) unknown.push_back(word);
        else if (found->bit == dbs::Safe) bits.reset();
        else bits.set(static_cast<std::size_t>(found->bit));
    }
    return unknown;
}

FileUser FileUser::current() {
    FileUser u;
    u.uid = getuid();
    u.gid = getgid();
    u.real_uid = u.uid;
    u.euid = geteuid();
    // (one passwd lookup per user and thread: every session asks)
    thread_local std::optional<std::pair<uid_t, std::string>> known;
    if (!known || known->first != u.uid) {
        struct passwd* pw = getpwuid(u.uid);
        known.emplace(u.uid, pw ? pw->pw_name : "");
    }
    u.name = known->second;
    return u;
}

FileUser FileUser::root() {
    FileUser u;
    u.name = "root";
    return u;
}

std::string sm_errstring(int err) {
    switch (err) {
    case sm_err::NoSlink: return "Symbolic links not allowed";
    case sm_err::NoHlink: return "Hard links not allowed";
    case sm_err::RegOnly: return "Regular files only";
    case sm_err::IsExec: return "Executable files not allowed";
    case sm_err::WwDir: return "World writable directory";
    case sm_err::GwDir: return "Group writable directory";
    case sm_err::WwFile: return "World writable file";
    case sm_err::GwFile: return "Group writable file";
    case sm_err::GrFile: return "Group readable file";
    case sm_err::WrFile: return "World readable file";
    default: return std::strerror(err);
    }
}

namespace {
bool g_remember_checks = false;

// What a remembered answer depends on but the file system (compared as
// is: building a text key per call cost more than the check it saved).
struct CheckKey {
    std::string path, user;
    uid_t uid, real_uid, euid;
    gid_t gid;
    unsigned flags;
    bool warn;
    unsigned long long dont_blame;
    bool operator==(const CheckKey& o) const {
        return path == o.path && uid == o.uid && real_uid == o.real_uid && euid == o.euid && gid == o.gid &&
               flags == o.flags && warn == o.warn && dont_blame == o.dont_blame && user == o.user;
    }
};
struct CheckKeyHash {
    std::size_t operator()(const CheckKey& k) const {
        std::size_t h = std::hash<std::string>()(k.path);
        for (unsigned long long v : {static_cast<unsigned long long>(k.uid), static_cast<unsigned long long>(k.flags),
                                     k.dont_blame, static_cast<unsigned long long>(k.warn)})
            h = (h ^ v) * 1099511628211ull;
        return h;
    }
};

SafeCheck check_file(const std::string& path, const FileUser& u, unsigned flags, const DontBlame& dont_blame,
                     bool warn);
} // namespace

void remember_file_checks(bool on) { g_remember_checks = on; }
bool remembering_file_checks() { return g_remember_checks; }

SafeCheck safefile(const std::string& path, const FileUser& u, unsigned flags, const DontBlame& dont_blame,
                   bool warn) {
    if (!g_remember_checks) return check_file(path, u, flags, dont_blame, warn);
    CheckKey key{path, u.name, u.uid, u.real_uid, u.euid, u.gid, flags, warn, dont_blame.to_ullong()};
    thread_local std::unordered_map<CheckKey, SafeCheck, CheckKeyHash> known;
    auto it = known.find(key);
    if (it != known.end()) return it->second;
    if (known.size() >= 4096) known.clear();
    SafeCheck c = check_file(path, u, flags, dont_blame, warn);
    known.emplace(std::move(key), c);
    return c;
}

namespace {
SafeCheck check_file(const std::string& path, const FileUser& u, unsigned flags, const DontBlame& dont_blame,
                     bool warn) {
    SafeCheck out;
    // a user checking files as itself is trusted with its own directories
    if (u.real_uid != 0 && u.uid == u.real_uid) flags &= ~sff::SafeDirPath;
    struct stat st {};
    int file_errno = 0;
    if (((flags & sff::NoSlink) ? lstat(path.c_str(), &st) : stat(path.c_str(), &st)) < 0)
        out.errno_left = file_errno = errno;
    bool checkpath = !(flags & sff::NoPathCheck) || (u.uid == 0 && !(flags & (sff::RootOk | sff::OpenAsRoot)));
    const std::string dir = dir_of(path);
    if ((flags & sff::NoWlink) && !(flags & sff::SafeDirPath)) {
        // a writable directory is allowed, links in it are not
        SafeCheck quiet;
        if (DirWalk(u, flags | sff::SafeDirPath, dont_blame, false, quiet).walk(dir, 0, 0) == 0) {
            checkpath = false;
        } else {
            if (!(flags & sff::NoSlink) && lstat(path.c_str(), &st) < 0) {
                out.error = out.errno_left = errno;
                return out;
            }
            flags |= sff::NoSlink | sff::NoHlink;
        }
    }
    if (checkpath) {
        int r = DirWalk(u, flags, dont_blame, warn, out).walk(dir, 0, 0);
        if (r != 0) {
            out.error = r;
            return out;
        }
    }
    if (file_errno != 0) {
        out.error = file_errno;
        out.errno_left = 0;
        return out;
    }
    auto fail = [&](int e) {
        out.error = e;
        return out;
    };
    if ((flags & sff::NoSlink) && S_ISLNK(st.st_mode)) return fail(sm_err::NoSlink);
    if ((flags & sff::RegOnly) && !S_ISREG(st.st_mode)) return fail(sm_err::RegOnly);
    if ((flags & sff::NoGwFiles) && (st.st_mode & S_IWGRP)) return fail(sm_err::GwFile);
    if ((flags & sff::NoWwFiles) && (st.st_mode & S_IWOTH)) return fail(sm_err::WwFile);
    if ((flags & sff::NoGrFiles) && (st.st_mode & S_IRGRP)) return fail(sm_err::GrFile);
    if ((flags & sff::NoWrFiles) && (st.st_mode & S_IROTH)) return fail(sm_err::WrFile);
    if ((flags & sff::NoHlink) && st.st_nlink != 1) return fail(sm_err::NoHlink);
    // read permission, for the user's class of the file (TrustedUser: root)
    mode_t want = S_IRUSR;
    if (u.uid == 0 && (flags & sff::OpenAsRoot)) {
    } else if (u.uid == 0 && !(flags & sff::RootOk)) {
        want >>= 6;
    } else if (st.st_uid == u.uid) {
    } else {
        want >>= 3;
        if (st.st_gid != u.gid && !is_member(st.st_gid, u.name)) want >>= 3;
    }
    if ((st.st_mode & want) != want) return fail(EACCES);
    if ((flags & sff::MustOwn) && st.st_uid != u.uid && st.st_uid != 0) return fail(EACCES);
    return out;
}
} // namespace

unsigned map_file_flags(const DontBlame& d) {
    unsigned f = sff::RootOk | sff::RegOnly | sff::NoWlink | sff::SafeDirPath;
    if (d.test(dbs::LinkedMapInWritableDir)) f &= ~sff::NoWlink;
    if (d.test(dbs::MapInUnsafeDirPath)) f &= ~sff::SafeDirPath;
    return f;
}

unsigned class_file_flags(const DontBlame& d, uid_t real_uid) {
    unsigned f = sff::RegOnly | sff::SafeDirPath | sff::NoWlink | sff::NoLock;
    if (real_uid == 0) f |= sff::RootOk;
    if (d.test(dbs::ClassFileInUnsafeDirPath)) f &= ~sff::SafeDirPath;
    if (d.test(dbs::LinkedClassFileInWritableDir)) f &= ~sff::NoWlink;
    return f;
}

unsigned help_file_flags(const DontBlame& d) {
    unsigned f = sff::OpenAsRoot | sff::RegOnly | sff::NoLock | sff::SafeDirPath;
    if (d.test(dbs::HelpFileInUnsafeDirPath)) f &= ~sff::SafeDirPath;
    return f;
}

unsigned tls_file_flags(const DontBlame& d, bool key) {
    unsigned f = sff::RegOnly | sff::SafeDirPath | sff::NoWlink | sff::NoGwFiles | sff::NoWwFiles | sff::MustOwn |
                 sff::RootOk | sff::OpenAsRoot;
    if (key) f |= sff::NoWrFiles | (d.test(41) ? 0u : sff::NoGrFiles);  // 41: GroupReadableKeyFile
    return f;
}

std::vector<std::string> switch_file_warnings(const std::string& path, const DontBlame& d) {
    unsigned f = sff::RegOnly | sff::OpenAsRoot | sff::NoLock | sff::NoWlink;
    if (d.test(dbs::LinkedServiceSwitchFileInWritableDir)) f &= ~sff::NoWlink;
    return safefile(path, FileUser::current(), f, d, true).warnings;
}

} // namespace cfkit
