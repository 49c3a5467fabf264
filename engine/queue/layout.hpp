// Where a queue's files are: the queue directories of every queue group, as
// setup_queues() and multiqueue_cache() in sendmail's queue.c find them
// (QueueDirectory with a trailing `*` for several directories, `Q` lines'
// Path=, and qf/ df/ xf/ subdirectories), each with the name `sendmail -bp`
// prints for it. Also the names of the files in them.
#pragma once

#include <string>
#include <vector>

namespace cfkit::queue {

struct QueueGroupPath {
    std::string name;  // "mqueue" is the default group
    std::string path;  // its P= as written ("" : QueueDirectory)
};

struct QueueDir {
    std::string group;
    std::string qp_name;  // relative to the base directory ("." for it)
    std::string printed;  // qid_printqueue(): what -bp prints in its header
    std::string dir;      // the directory itself
    std::string qf_dir, df_dir, xf_dir;  // dir, or its qf/ df/ xf/ subdirectory
};

struct Layout {
    std::vector<QueueDir> dirs;  // in the order -bp lists them
    std::vector<std::string> errors;  // sendmail's complaint (setup_queues)
};

// The queue directories for QueueDirectory `queue_directory` and the
// config's queue groups (the default group first, as sendmail keeps it).
Layout queue_layout(const std::string& queue_directory, const std::vector<QueueGroupPath>& groups);

// The kinds of files a queue directory holds, by their first two letters.
enum class FileKind { Qf, Hf, Lost, Df, Tf, Xf, Other };
FileKind file_kind(const std::string& name);
char kind_letter(FileKind k);  // 'q', 'h', 'Q', 'd', 't', 'x'; 0 for Other

// The directory a file of kind `k` of this queue directory lives in.
const std::string& dir_for(const QueueDir& d, FileKind k);

// "a/b" joined without doubling the slash.
std::string join_path(const std::string& dir, const std::string& name);

// The queue directory whose qp_name is `d` (a qf's d line), or nullptr.
const QueueDir* find_qp_name(const Layout& l, const std::string& d);

}  // namespace cfkit::queue
