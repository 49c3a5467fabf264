// check_queue(): the files of each queue directory grouped by queue id,
// then one judgement per kind of file (see check.hpp).
#include "engine/queue/check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/queue/scan.hpp"

namespace cfkit::queue {

namespace {

struct Files {  // one queue id's files in one queue directory
    std::map<FileKind, std::string> path;
};

struct DirFiles {
    const QueueDir* dir;
    std::map<std::string, Files> by_id;  // sorted: a stable report
};

DirFiles files_of(const QueueDir& d) {
    DirFiles out{&d, {}};
    std::set<std::string> seen;
    for (const std::string* sub : {&d.qf_dir, &d.df_dir, &d.xf_dir}) {
        if (!seen.insert(*sub).second) continue;
        for (const std::string& n : dir_names(*sub)) {
            FileKind k = file_kind(n);
            if (k == FileKind::Other || dir_for(d, k) != *sub) continue;
            out.by_id[n.substr(2)].path[k] = join_path(*sub, n);
        }
    }
    return out;
}

bool stat_of(const std::string& p, struct stat& st) { return ::stat(p.c_str(), &st) == 0; }

bool locked_now(const std::string& path) { return locked_at(AT_FDCWD, path); }

bool exists(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0;
}

std::string parent_of(const std::string& dir) {
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    const std::size_t s = d.rfind('/');
    return s == std::string::npos ? "." : s == 0 ? "/" : d.substr(0, s);
}

// Queue ids are unique on a host: a control file of this id anywhere near
// (the directory's parent, its siblings, its own subdirectories: where
// sendmail's queue groups live) means the df is someone's, even when that
// directory was not given to check. Only the directories not scanned are
// looked at here.
bool control_nearby(const std::string& id, const QueueDir& d, const std::vector<std::string>& scanned) {
    const std::string parent = parent_of(d.dir);
    std::vector<std::string> places{parent};
    for (const std::string* base : {&parent, &d.dir})
        for (const DirEntry& e : dir_entries(*base))
            if (e.type == DT_DIR || e.type == DT_UNKNOWN) places.push_back(join_path(*base, e.name));
    for (const std::string& p : places) {
        if (std::find(scanned.begin(), scanned.end(), p) != scanned.end()) continue;
        for (const std::string& sub : {p, join_path(p, "qf")})
            for (const char* k : {"qf", "hf", "Qf", "tf"})
                if (exists(join_path(sub, k + id))) return true;
    }
    return false;
}

}  // namespace

const char* verdict_word(Verdict v) {
    switch (v) {
    case Verdict::Busy: return "busy";
    case Verdict::Young: return "young";
    case Verdict::Note: return "note";
    case Verdict::Broken: return "broken";
    }
    return "";
}

std::vector<Finding> check_queue(const Layout& l, const CheckOptions& o) {
    std::vector<DirFiles> all;
    std::vector<std::string> scanned;
    for (const QueueDir& d : l.dirs) {
        all.push_back(files_of(d));
        for (const std::string* p : {&d.dir, &d.qf_dir}) scanned.push_back(*p);
    }
    // Data files that a control file in another directory uses (its d line).
    std::set<std::pair<std::string, std::string>> used_elsewhere;  // (df path, id)
    std::vector<Finding> out;
    std::map<std::string, std::vector<std::string>> qf_dirs;  // id -> dirs with its qf (or hf)
    // Every control file read once, here; kept without its text (the
    // judgements below need the parse, not the bytes).
    std::map<std::string, std::optional<Message>> read;  // by qf path
    for (const DirFiles& df : all) {
        for (const auto& [id, f] : df.by_id) {
            for (FileKind k : {FileKind::Qf, FileKind::Hf, FileKind::Lost}) {
                auto it = f.path.find(k);
                if (it == f.path.end()) continue;
                if (k != FileKind::Lost) qf_dirs[id].push_back(df.dir->printed);
                std::optional<Message> m = read_message(l, *df.dir, std::string(1, kind_letter(k)) + "f" + id);
                if (m && !m->qf.data_dir.empty()) used_elsewhere.insert({m->df_path, id});
                if (m) {
                    m->content.clear();
                    m->qf.lines.clear();
                    m->qf.headers.clear();
                }
                read[it->second] = std::move(m);
            }
        }
    }
    std::string cur_qf_dir;
    auto add = [&](Verdict v, const char* kind, const std::string& id, const std::string& path, std::string msg,
                   std::vector<std::string> remove = {}, int line = 0) {
        out.push_back({v, kind, id, path, cur_qf_dir, line, std::move(msg), std::move(remove)});
    };
    for (const DirFiles& df : all) {
        const QueueDir& d = *df.dir;
        cur_qf_dir = d.qf_dir;
        for (const auto& [id, f] : df.by_id) {
            auto has = [&f = f](FileKind k) { return f.path.count(k) != 0; };
            auto path = [&f = f](FileKind k) { return f.path.at(k); };
            bool control = false;
            for (FileKind k : {FileKind::Qf, FileKind::Hf, FileKind::Lost}) {
                if (!has(k)) continue;
                control = true;
                const std::optional<Message>& m = read[path(k)];
                if (!m) continue;  // gone meanwhile
                if (m->locked) {
                    add(Verdict::Busy, "locked", id, m->qf_path, "locked by a running sendmail (left alone)");
                    continue;
                }
                if (k == FileKind::Lost)
                    add(Verdict::Note, "lost-qf", id, m->qf_path,
                        "set aside by sendmail as unusable (a Qf file; `mailq -qL` lists it)");
                if (m->qf.empty && o.now - m->qf_mtime < o.grace) {
                    add(Verdict::Young, "young-empty-qf", id, m->qf_path,
                        "an empty control file younger than the grace time (sendmail removes one when 10 "
                        "minutes old; it may be being written)");
                    continue;
                }
                if (m->qf.empty) {
                    std::vector<std::string> rm{m->qf_path};
                    if (m->df_size >= 0 && m->qf.data_dir.empty()) rm.push_back(m->df_path);
                    add(Verdict::Broken, "empty-qf", id, m->qf_path,
                        "empty control file: sendmail would remove it and its data file", rm);
                    continue;
                }
                for (const QfProblem& p : m->qf.problems)
                    add(Verdict::Broken, "corrupt-qf", id, m->qf_path, p.message, {}, p.line);
                if (m->df_size < 0)
                    add(Verdict::Broken, "qf-without-df", id, m->qf_path,
                        "no data file " + m->df_path + ": the body is lost (the envelope is kept)");
            }
            if (has(FileKind::Qf) && has(FileKind::Hf))
                add(Verdict::Broken, "qf-and-hf", id, path(FileKind::Hf),
                    "both a queued (qf) and a quarantined (hf) control file: a quarantine or release was "
                    "interrupted between its rename and its unlink (sendmail -Q has the same step); "
                    "remove the one that is not wanted");
            if (has(FileKind::Tf)) {
                struct stat st;
                const std::string p = path(FileKind::Tf);
                if (locked_now(p)) add(Verdict::Busy, "locked", id, p, "being written by a running sendmail");
                else if (stat_of(p, st) && o.now - st.st_mtime < o.grace)
                    add(Verdict::Young, "young-tf", id, p, "a control file being written (younger than the grace time)");
                else add(Verdict::Broken, "stale-tf", id, p, "a stale temporary control file (tf)", {p});
            }
            if (has(FileKind::Df) && !control && !has(FileKind::Tf)) {
                const std::string p = path(FileKind::Df);
                struct stat st;
                if (!stat_of(p, st)) continue;
                if (used_elsewhere.count({p, id})) continue;  // another directory's qf reads it (d line)
                if (control_nearby(id, d, scanned)) {
                    add(Verdict::Note, "df-of-other-dir", id, p,
                        "a data file without control file here, but " + id +
                            " has one in a queue directory nearby (not checked): left");
                    continue;
                }
                // An unfinished move: the qf is in another directory, with its
                // own link to this very data file.
                bool moved = false;
                std::string where;
                for (const DirFiles& other : all) {
                    if (other.dir == df.dir) continue;
                    auto it = other.by_id.find(id);
                    if (it == other.by_id.end()) continue;
                    auto q = it->second.path.find(FileKind::Qf);
                    if (q == it->second.path.end()) q = it->second.path.find(FileKind::Hf);
                    auto od = it->second.path.find(FileKind::Df);
                    struct stat ost;
                    if (q != it->second.path.end() && od != it->second.path.end() && stat_of(od->second, ost) &&
                        ost.st_ino == st.st_ino && ost.st_dev == st.st_dev) {
                        moved = true;
                        where = other.dir->printed;
                    }
                }
                if (moved) {
                    add(Verdict::Broken, "unfinished-move", id, p,
                        "left by an interrupted move: the message is in " + where +
                            " with another link to this data file (this link can go)",
                        {p});
                } else if (o.now - st.st_mtime < o.grace) {
                    add(Verdict::Young, "young-df", id, p,
                        "a data file without control file, younger than the grace time (maybe being received)");
                } else if (st.st_nlink > 1) {
                    add(Verdict::Note, "shared-df", id, p,
                        "a data file without control file here, linked " + std::to_string(st.st_nlink) +
                            " times (another queue directory may use it): left");
                } else {
                    add(Verdict::Broken, "orphan-df", id, p, "a data file without control file", {p});
                }
            }
            if (has(FileKind::Xf) && !control) {
                const std::string p = path(FileKind::Xf);
                struct stat st;
                if (stat_of(p, st) && o.now - st.st_mtime < o.grace)
                    add(Verdict::Young, "young-xf", id, p, "a transcript without control file, younger than the grace time");
                else add(Verdict::Broken, "orphan-xf", id, p, "a transcript (xf) without control file", {p});
            }
        }
    }
    cur_qf_dir.clear();
    for (const auto& [id, dirs] : qf_dirs)
        if (dirs.size() > 1) {
            std::string list;
            for (const std::string& s : dirs) list += (list.empty() ? "" : ", ") + s;
            add(Verdict::Broken, "duplicate", id, "", "queued in more than one directory (" + list +
                                                          "): it would be delivered more than once");
        }
    return out;
}

}  // namespace cfkit::queue
