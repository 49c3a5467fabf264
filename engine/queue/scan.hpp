// The messages of a queue, one at a time: each control file read once
// (whole), its lock tested the way `sendmail -bp` tests it, its data file
// found (its own directory, or the one its d line names) and sized. A
// listing is a snapshot of a live directory: a file that vanishes between
// readdir() and open() is skipped, as gatherq() skips it.
#pragma once

#include <sys/types.h>

#include <dirent.h>

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "engine/queue/layout.hpp"
#include "engine/queue/qf.hpp"

namespace cfkit::queue {

struct Message {
    const QueueDir* dir = nullptr;
    std::string id;  // the name without its two letters
    FileKind kind = FileKind::Qf;
    std::string qf_path;
    std::string df_path;      // where the data file is (or would be)
    long long df_size = -1;   // -1: no data file
    nlink_t df_links = 0;
    long long qf_size = 0;
    time_t qf_mtime = 0;
    bool locked = false;      // a running sendmail holds it
    std::string content;      // the control file's bytes
    QueueFile qf;             // parsed
};

// Is the file at `fd` locked by someone else? sendmail (Debian's build:
// flock(2)) holds an exclusive lock on a qf while it works on it; -bp asks
// for a shared one without waiting.
bool held_by_other(int fd);

// Reads control file `name` of directory `d`; nullopt if it vanished or is
// not a regular file.
std::optional<Message> read_message(const Layout& l, const QueueDir& d, const std::string& name);

// Calls `each` for every control file of kind `kind` in every directory of
// `l`, in directory order.
void for_each_message(const Layout& l, FileKind kind, const std::function<void(const Message&)>& each);

// The names in a directory, in readdir() order ("." and ".." left out).
std::vector<std::string> dir_names(const std::string& dir);

// Is file `name` of the open directory `dirfd` held by someone else?
// (held_by_other() on a descriptor of its own; false if it cannot be opened)
bool locked_at(int dirfd, const std::string& name);

// The same with readdir()'s file type (DT_REG ..., DT_UNKNOWN when the file
// system does not say) and inode number.
struct DirEntry {
    std::string name;
    unsigned char type = 0;
    ino_t ino = 0;
};
std::vector<DirEntry> dir_entries(const std::string& dir);

// The inode numbers some process holds an exclusive lock on, from
// /proc/locks (one read instead of a flock() per file); nullopt when it
// cannot be read. A number found there is only a hint (the device is not
// compared): confirm with held_by_other().
std::optional<std::vector<unsigned long long>> write_locked_inodes();

// The selection of `list`, `move`, `clean` ... (all given must match).
struct Filter {
    std::vector<std::string> ids;            // any of them
    std::optional<std::regex> sender, recipient;  // searched, case-insensitive
    long long older_than = -1;   // seconds since T
    long long larger_than = -1;  // data file bytes
    int attempts_over = -1;      // N greater than this
    bool empty() const;
    bool matches(const Message& m, time_t now) const;
};

// "2d", "36h", "90m", "45s", "1w" (a bare number is seconds); -1 if bad.
long long parse_age(const std::string& s);
// "1M", "500k", "2G", "1200" (bytes); -1 if bad.
long long parse_size(const std::string& s);

}  // namespace cfkit::queue
