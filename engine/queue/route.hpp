// `queue route`: where a config would send each queued recipient. A queue
// run reads each R line with parseaddr() (rulesets 3 and 0), as readqf()
// does, with the file's `$` macros defined and {addr_type} set; cfkit runs
// the same through the engine and reports the mailer, host and user of the
// triple, or the error the rules give.
#pragma once

#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/queue/scan.hpp"

namespace cfkit::queue {

struct Route {
    std::string recipient;  // as the R line has it
    std::string mailer, host, user;
    bool has_host = false;
    bool error = false;     // the rules rejected it (mailer "error" or a parse error)
    bool tempfail = false;
    std::string message;    // the error's text
};

// One Route per recipient of `m`, in the file's order.
std::vector<Route> route_message(const Config& cfg, const Message& m);

}  // namespace cfkit::queue
