// `sendmail -bp` (mailq) byte for byte: printqueue() and
// print_single_queue() of sendmail's queue.c, with gatherq()'s reading of
// each control file, sortq()'s order, prtstr()'s escapes and the marks
// (`*` locked, `X` load too high, `-` too young, `?` lost). Each control file
// is opened once, not twice as sendmail does: the speed of `cfkit queue list`.
#pragma once

#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/queue/layout.hpp"
#include "engine/queue/scan.hpp"

namespace cfkit::queue {

enum class QueueMode { Normal, Quarantine, Lost };  // -bp, -bp -qQ, -bp -qL
enum class SortOrder { Priority, Host, Time, Filename, Modtime, Random, None };

struct ListOptions {
    QueueMode mode = QueueMode::Normal;
    bool verbose = false;  // -v
    SortOrder order = SortOrder::Priority;  // QueueSortOrder
    long max_queue_run = 0;    // MaxQueueRunSize
    long long min_queue_age = 0;  // MinQueueAge, seconds
    long long max_queue_age = 0;  // MaxQueueAge, seconds
    long queue_la = 8;         // QueueLA
    long queue_factor = 600000;  // QueueFactor
    int current_la = 0;        // the load average as sendmail rounds it
    time_t now = 0;
    int threads = 0;  // readers of a big directory; 0: one a processor, at most 4
};

// The options a config gives (QueueSortOrder, MinQueueAge, ...; `raw` holds
// them by long name), with sendmail's defaults for this machine (QueueLA =
// 8 × processors) and the load average now.
ListOptions list_options(const std::map<std::string, std::string>& raw);

// sendmail's convtime(): "30m", "1h30m", a bare number in `unit`s.
long long convtime(const std::string& s, char unit);

// Prints the listing of every directory in `l` to `out`; returns the
// number of requests. Messages that `filter` rejects are left out, as
// sendmail's -qR/-qS/-qI leave them out.
int print_queue(const Layout& l, const ListOptions& o, const Filter& filter, const std::function<void(std::string_view)>& out);

// prtstr(): at most `ml` columns, backslashes doubled, other unprintable
// bytes as \ooo.
void append_prtstr(std::string& o, std::string_view s, int ml);

}  // namespace cfkit::queue
