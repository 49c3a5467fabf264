// What is wrong in a queue, and what only looks wrong. Sendmail writes an
// empty df for an empty body, a df before its qf (while the message is
// received), a tf while it rewrites a qf, and may link one df into several
// queue directories or keep it in another one (the qf's d line): none of
// that is junk. Broken is what sendmail cannot deliver or will never touch
// again; busy is what a running sendmail holds locked.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "engine/queue/layout.hpp"

namespace cfkit::queue {

enum class Verdict {
    Busy,     // locked by a running sendmail: left alone
    Young,    // a df or tf younger than the grace time: maybe being written
    Note,     // worth knowing, not broken (a lost Qf file, a shared df)
    Broken,   // check fails; clean may act (see `cleanable`)
};

struct Finding {
    Verdict verdict = Verdict::Broken;
    std::string kind;     // "orphan-df", "qf-without-df", "empty-qf", ...
    std::string id;
    std::string path;     // the file it is about
    std::string qf_dir;   // its queue directory's control-file directory
    int line = 0;         // for a corrupt qf: the line
    std::string message;  // for the user
    // clean --apply removes these files (the listed ones only); empty:
    // clean leaves it (it would lose information).
    std::vector<std::string> remove;
};

struct CheckOptions {
    time_t now = 0;
    long long grace = 3600;  // seconds before a lone df or tf counts as stale
};

// Every finding in the directories of `l`, directory by directory, in
// directory order. A df another directory's qf points at (d line) is not
// an orphan, so pass every queue directory of a config together.
std::vector<Finding> check_queue(const Layout& l, const CheckOptions& o);

const char* verdict_word(Verdict v);

}  // namespace cfkit::queue
