// The operations that change a queue: move, quarantine, release and remove.
// Each works on one message at a time and goes through one place
// (ControlLock) that takes the lock a running sendmail takes (Debian's
// sendmail: flock(2), exclusive, not waiting), so a message sendmail is
// working on is skipped, never half-handled. Every step is either atomic
// (rename, link) or leaves a state `check` explains. `kill -9` during a
// move loses no message and never shows one twice to sendmail. Quarantine
// and release rename their new file into place and then remove the old one,
// as `sendmail -Q` does: a kill between the two leaves both a qf and an hf,
// which `check` reports (qf-and-hf).
#pragma once

#include <string>
#include <vector>

#include "engine/queue/layout.hpp"
#include "engine/queue/scan.hpp"

namespace cfkit::queue {

struct OpResult {
    std::string id;
    std::string action;  // "move", "quarantine", "release", "remove"
    std::string from, to;  // directories (to: for a move)
    std::vector<std::string> files;  // the files it touches (or would)
    bool done = false;     // applied (false in a dry run)
    bool skipped = false;  // not done, for `reason`
    std::string reason;
};

// Moves message `m` (its control file, data file and transcript) into the
// queue directory `dest` (a layout of one directory). Order: link the df
// (and xf) into dest, rename the control file into dest, unlink the old
// links. Refused across file systems (no atomic rename) and for a qf whose
// data file lives in another queue directory (d line).
OpResult move_message(const Message& m, const QueueDir& dest, bool apply);

// sendmail -Q: a new control file (tf) with the q line put before the S
// line (or changed), renamed to hf; `release` (reason empty) drops the q
// line and renames to qf. As quarantine_queue_item() does it.
OpResult quarantine_message(const Message& m, const std::string& reason, bool apply);
OpResult release_message(const Message& m, bool apply);

// Removes `files` of message `id` (clean), the control file's lock held
// when one is among them; refused when a control file of `id` is in
// `watch_dir` (the qf directory) but not among `files`: one appeared after
// the check (a message being received writes its df first).
OpResult remove_files(const std::string& id, const std::string& dir, const std::vector<std::string>& files,
                      bool apply, const std::string& watch_dir = "");

// Makes `path` a queue directory (mode 0700, owned like `like` when run as
// root) unless it exists. Returns "" or the error.
std::string make_queue_dir(const std::string& path, const std::string& like);

}  // namespace cfkit::queue
