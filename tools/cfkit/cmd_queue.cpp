// cfkit queue: the mail queue read and changed safely. `list` prints what
// `sendmail -bp` prints, byte for byte; `show`, `check`, `route` and
// `summary` read; `clean`, `move`, `quarantine` and `release` change the
// queue only with --apply (a dry run prints the plan). The work is in
// engine/queue/; this file parses arguments and prints.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/queue/check.hpp"
#include "engine/queue/layout.hpp"
#include "engine/queue/mailq.hpp"
#include "engine/queue/ops.hpp"
#include "engine/queue/qf.hpp"
#include "engine/queue/route.hpp"
#include "engine/queue/scan.hpp"
#include "engine/queue/summary.hpp"
#include "engine/text/textutil.hpp"
#include "tools/cfkit/commands.hpp"
#include "tools/cfkit/config_input.hpp"
#include "engine/text/json_text.hpp"
#include "tools/cfkit/progress.hpp"

namespace cfkit {

namespace {

using namespace cfkit::queue;

const char* kWho = "cfkit queue";
constexpr const char* kDefaultQueue = "/var/spool/mqueue";

void put(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// What every subcommand shares: where the queue is and which messages.
struct Common {
    std::vector<std::string> dirs;  // QUEUEDIR arguments
    std::string config, cf_dir = kDefaultCfDir, hostname = "mail.example.com";
    std::vector<std::string> ids;
    std::string sender, recipient;
    std::optional<std::string> older_than, larger_than;  // set: given (even empty)
    int attempts_over = -1;
    bool json = false, apply = false;
    bool quarantined = false, lost = false, verbose = false;
    std::string to, reason;
    long long grace = 3600;
    std::string show_id;
    int body_lines = 20;
    int top = 30;
    int threads = 0;
    bool by_sender = false;

    std::unique_ptr<Config> cfg;
};

void add_dirs(CLI::App* c, Common& o) {
    c->add_option("queuedir", o.dirs,
                  "queue directories (default: the config's QueueDirectory with --config, else /var/spool/mqueue)");
    c->add_option("--config", o.config, "the sendmail.cf (or .mc) whose queue (QueueDirectory, Q lines) and options "
                                        "(QueueSortOrder, MinQueueAge ...) to use");
    c->add_option("--cf-dir", o.cf_dir, "sendmail-cf's cf directory, for a .mc")->capture_default_str();
}

void add_filters(CLI::App* c, Common& o) {
    // one value an --id (repeat it for more), so a queue directory after it stays one
    c->add_option("--id", o.ids, "a queue id (repeatable)")->allow_extra_args(false);
    c->add_option("--sender", o.sender, "sender matches this regular expression (case-insensitive)");
    c->add_option("--recipient", o.recipient, "a recipient matches this regular expression (case-insensitive)");
    c->add_option_function<std::string>(
        "--older-than", [&o](const std::string& v) { o.older_than = v; },
        "queued longer ago than this: 45s, 90m, 36h, 2d, 1w");
    c->add_option_function<std::string>(
        "--larger-than", [&o](const std::string& v) { o.larger_than = v; },
        "data file larger than this: 1200, 500k, 1M, 2G");
    c->add_option("--attempts-over", o.attempts_over, "more delivery attempts than this")
        ->check(CLI::Range(0, 1000000000));
}

bool load(Common& o) {
    if (o.config.empty()) return true;
    ProbeOptions po;
    po.hostname = o.hostname;
    po.probe_interfaces = false;
    CollectingReporter rep;
    o.cfg = load_config(o.config, o.cf_dir, po, rep, kWho);
    return o.cfg != nullptr;
}

// One layout per QUEUEDIR argument (or the config's QueueDirectory).
std::optional<std::vector<Layout>> layouts(const Common& o) {
    std::vector<QueueGroupPath> groups;
    std::string qdir = kDefaultQueue;
    if (o.cfg) {
        auto it = o.cfg->options.raw.find("QueueDirectory");
        if (it != o.cfg->options.raw.end() && !it->second.empty()) qdir = it->second;
        for (const std::string& g : o.cfg->queue_groups) {
            auto p = o.cfg->queue_group_paths.find(g);
            groups.push_back({g, p == o.cfg->queue_group_paths.end() ? "" : p->second});
        }
    }
    std::vector<std::string> dirs = o.dirs;
    if (dirs.empty()) dirs.push_back(qdir);
    std::vector<Layout> out;
    for (const std::string& d : dirs) {
        // Q lines name paths under the config's own QueueDirectory; with
        // another directory given, only the default group is kept.
        Layout l = queue_layout(d, d == qdir ? groups : std::vector<QueueGroupPath>{});
        if (!l.errors.empty()) {
            for (const std::string& e : l.errors) std::fprintf(stderr, "%s: %s\n", kWho, e.c_str());
            return std::nullopt;
        }
        out.push_back(std::move(l));
    }
    return out;
}

std::optional<Filter> filter_of(const Common& o) {
    Filter f;
    f.ids = o.ids;
    auto regex = [](const std::string& opt, const std::string& re) -> std::optional<std::regex> {
        try {
            return std::regex(re, std::regex::ECMAScript | std::regex::icase);
        } catch (const std::regex_error& e) {
            std::fprintf(stderr, "%s: %s %s: bad regular expression (%s)\n", kWho, opt.c_str(), re.c_str(), e.what());
            return std::nullopt;
        }
    };
    if (!o.sender.empty() && !(f.sender = regex("--sender", o.sender))) return std::nullopt;
    if (!o.recipient.empty() && !(f.recipient = regex("--recipient", o.recipient))) return std::nullopt;
    if (o.older_than && (f.older_than = parse_age(*o.older_than)) < 0) {
        std::fprintf(stderr, "%s: --older-than %s: not an age (45s, 90m, 36h, 2d, 1w)\n", kWho, o.older_than->c_str());
        return std::nullopt;
    }
    if (o.larger_than && (f.larger_than = parse_size(*o.larger_than)) < 0) {
        std::fprintf(stderr, "%s: --larger-than %s: not a size (1200, 500k, 1M, 2G)\n", kWho, o.larger_than->c_str());
        return std::nullopt;
    }
    f.attempts_over = o.attempts_over;
    return f;
}

FileKind mode_kind(const Common& o) {
    return o.quarantined ? FileKind::Hf : o.lost ? FileKind::Lost : FileKind::Qf;
}

// A time as strftime() writes it, in UTC or the local zone.
std::string format_time(long long t, const char* format, bool utc) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    if (utc) gmtime_r(&tt, &tm);
    else localtime_r(&tt, &tm);
    char b[64];
    std::strftime(b, sizeof b, format, &tm);
    return b;
}

std::string iso_time(long long t) { return t <= 0 ? std::string() : format_time(t, "%Y-%m-%dT%H:%M:%SZ", true); }

// The message as a JSON object (its fields in this order); bytes that are
// not UTF-8 come out as \u00XX.
JsonObject message_json(const Message& m) {
    std::vector<std::string> rc;
    for (const QfRecipient& r : m.qf.recipients) {
        JsonObject x;
        x.str("address", r.address).str("flags", r.flags);
        if (!r.status.empty()) x.str("status", r.status);
        if (!r.orcpt.empty()) x.str("orcpt", r.orcpt);
        rc.push_back(x.text());
    }
    JsonObject j;
    j.str("id", m.id)
        .str("queue", m.dir->printed)
        .str("state", m.kind == FileKind::Hf ? "quarantined" : m.kind == FileKind::Lost ? "lost" : "queued")
        .boolean("locked", m.locked)
        .str("sender", m.qf.sender)
        .raw("recipients", json_array(rc))
        .num("size", m.df_size)
        .num("queued", m.qf.ctime)
        .str("queued_at", iso_time(m.qf.ctime))
        .num("attempts", m.qf.attempts)
        .num("last_attempt", m.qf.last_try)
        .num("priority", m.qf.priority)
        .str("last_reason", m.qf.status);
    if (m.qf.quarantined) j.str("quarantine", m.qf.quarantine);
    else j.null("quarantine");
    j.str("body_type", m.qf.body_type);
    JsonObject files;
    files.str("qf", m.qf_path);
    if (m.df_size >= 0) files.str("df", m.df_path);
    else files.null("df");
    j.raw("files", files.text());
    if (!m.qf.problems.empty()) {
        std::vector<std::string> p;
        for (const QfProblem& q : m.qf.problems) p.push_back(JsonObject().num("line", q.line).str("message", q.message).text());
        j.raw("problems", json_array(p));
    }
    return j;
}

// Every message of the mode's kind that the filter selects, in directory order.
template <class F>
void each_selected(const std::vector<Layout>& ls, FileKind kind, const Filter& f, F&& fn) {
    const time_t now = std::time(nullptr);
    Progress progress("reading the queue");
    for (const Layout& l : ls)
        for_each_message(l, kind, [&](const Message& m) {
            progress.tick();
            if (f.matches(m, now)) fn(l, m);
        });
}

// ---- list ----------------------------------------------------------------

// main.c: "Enforce use of local time (null string overrides this)": without
// TimeZoneSpec sendmail unsets TZ (the system's zone, /etc/localtime); an
// empty one keeps the caller's TZ; a value becomes TZ. The listing's times
// follow.
void apply_time_zone(const Common& o) {
    const std::string* spec = nullptr;
    if (o.cfg) {
        auto it = o.cfg->options.raw.find("TimeZoneSpec");
        if (it != o.cfg->options.raw.end()) spec = &it->second;
    }
    if (!spec) ::unsetenv("TZ");
    else if (!spec->empty()) ::setenv("TZ", spec->c_str(), 1);
    ::tzset();
}

int run_list(Common& o) {
    auto ls = layouts(o);
    auto f = filter_of(o);
    if (!ls || !f) return 2;
    if (o.json) {
        each_selected(*ls, mode_kind(o), *f, [](const Layout&, const Message& m) {
            put(message_json(m).text() + "\n");
        });
        return 0;
    }
    apply_time_zone(o);
    ListOptions lo = list_options(o.cfg ? o.cfg->options.raw : std::map<std::string, std::string>{});
    lo.threads = o.threads;
    lo.mode = o.quarantined ? QueueMode::Quarantine : o.lost ? QueueMode::Lost : QueueMode::Normal;
    lo.verbose = o.verbose;
    std::string buf;
    auto out = [&buf](std::string_view s) {
        buf.append(s);
        if (buf.size() > (1 << 16)) {
            put(buf);
            buf.clear();
        }
    };
    for (const Layout& l : *ls) print_queue(l, lo, *f, out);
    put(buf);
    return 0;
}

// ---- show ----------------------------------------------------------------

std::string human_time(long long t) { return format_time(t, "%a %b %e %H:%M:%S %Y", false); }

std::string letters(const std::string& s, const char* (*meaning)(char)) {
    std::string out;
    for (char c : s) {
        const char* m = meaning(c);
        if (!*m) continue;
        out += (out.empty() ? "" : "; ") + std::string(m);
    }
    return out;
}

std::string describe(const QfLine& l) {
    const std::string& t = l.text;
    switch (l.letter) {
    case 'T': case 'K': {
        long long v = std::atoll(t.c_str());
        return std::string(qf_letter_meaning(l.letter)) + (v ? " " + human_time(v) : std::string(" never"));
    }
    case 'F': return "flags: " + letters(t, qf_flag_meaning);
    case 'R': {
        std::size_t c = t.find(':');
        std::string f = c == std::string::npos ? "" : letters(t.substr(0, c), rcpt_flag_meaning);
        return std::string("recipient") + (f.empty() ? "" : " (" + f + ")");
    }
    case '$': return "macro " + (t.size() > 1 && t[0] == '{' ? t.substr(0, t.find('}') + 1) : "$" + t.substr(0, 1));
    default: {
        const char* m = qf_letter_meaning(l.letter);
        return *m ? m : "unknown line";
    }
    }
}

int run_show(Common& o) {
    apply_time_zone(o);
    auto ls = layouts(o);
    if (!ls) return 2;
    std::optional<Message> found;
    for (const Layout& l : *ls)
        for (const QueueDir& d : l.dirs)
            for (const char* k : {"qf", "hf", "Qf"})
                if (!found) found = read_message(l, d, k + o.show_id);
    if (!found) {
        std::fprintf(stderr, "%s: %s: no such message in %s\n", kWho, o.show_id.c_str(),
                     ls->front().dirs.empty() ? "the queue" : ls->front().dirs.front().printed.c_str());
        return 1;
    }
    const Message& m = *found;
    std::vector<std::string> body;
    if (m.df_size >= 0) {
        FILE* f = std::fopen(m.df_path.c_str(), "rb");
        char line[4096];
        while (f && static_cast<int>(body.size()) < o.body_lines && std::fgets(line, sizeof line, f)) {
            std::string s = line;
            while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
            body.push_back(s);
        }
        if (f) std::fclose(f);
    }
    if (o.json) {
        JsonObject j = message_json(m);
        std::vector<std::string> lines;
        for (const QfLine& l : m.qf.lines)
            lines.push_back(JsonObject()
                                .num("line", l.line)
                                .str("letter", l.letter ? std::string(1, l.letter) : std::string())
                                .str("text", l.text)
                                .str("meaning", describe(l))
                                .text());
        j.raw("lines", json_array(lines)).strings("body_first_lines", body);
        put(j.text() + "\n");
        return 0;
    }
    std::string out = m.qf_path + " (" + (m.kind == FileKind::Hf ? "quarantined" : m.kind == FileKind::Lost ? "lost" : "queued") +
                      ", " + std::to_string(m.qf_size) + " bytes" + (m.locked ? ", locked by a running sendmail" : "") + ")\n";
    for (const QfLine& l : m.qf.lines) {
        std::string shown;  // prtstr()'s escapes, a folded line's newlines as \n
        const std::string raw = l.letter ? std::string(1, l.letter) + l.text : std::string();
        for (std::size_t i = 0; i < raw.size();) {
            std::size_t nl = raw.find('\n', i);
            std::string_view piece(raw.data() + i, (nl == std::string::npos ? raw.size() : nl) - i);
            append_prtstr(shown, piece, 1 << 20);
            if (nl == std::string::npos) break;
            shown += "\\n";
            i = nl + 1;
        }
        char num[16];
        std::snprintf(num, sizeof num, "%4d  ", l.line);
        std::string left = num + shown;
        if (left.size() < 46) left += std::string(46 - left.size(), ' ');
        else left += "  ";
        out += left + describe(l) + "\n";
    }
    for (const QfProblem& p : m.qf.problems)
        out += m.qf_path + (p.line ? ":" + std::to_string(p.line) : std::string()) + ": problem: " + p.message + "\n";
    if (m.df_size < 0) {
        out += "no data file (" + m.df_path + ")\n";
    } else {
        out += m.df_path + " (" + std::to_string(m.df_size) + " bytes" +
               (m.df_links > 1 ? ", " + std::to_string(m.df_links) + " links" : "") + ")" +
               (body.empty() ? "\n" : ", first lines:\n");
        for (const std::string& b : body) out += "    | " + b + "\n";
    }
    put(out);
    return 0;
}

// ---- check and clean -----------------------------------------------------

std::string where(const Finding& f) {
    return f.path.empty() ? f.id : f.path + (f.line ? ":" + std::to_string(f.line) : std::string());
}

int run_check(Common& o) {
    auto ls = layouts(o);
    if (!ls) return 2;
    CheckOptions co;
    co.now = std::time(nullptr);
    co.grace = o.grace;
    Layout all;  // every directory together: a df may belong to another's qf
    for (const Layout& l : *ls) all.dirs.insert(all.dirs.end(), l.dirs.begin(), l.dirs.end());
    std::vector<Finding> fs = check_queue(all, co);
    std::map<Verdict, int> n;
    for (const Finding& f : fs) ++n[f.verdict];
    if (o.json) {
        for (const Finding& f : fs)
            put(JsonObject()
                    .str("verdict", verdict_word(f.verdict))
                    .str("kind", f.kind)
                    .str("id", f.id)
                    .str("path", f.path)
                    .num("line", f.line)
                    .str("message", f.message)
                    .boolean("cleanable", !f.remove.empty())
                    .text() +
                "\n");
    } else {
        for (const Finding& f : fs)
            put(where(f) + ": " + verdict_word(f.verdict) + ": " + f.message + " [" + f.kind + "]\n");
        put(std::to_string(n[Verdict::Broken]) + " broken, " + std::to_string(n[Verdict::Busy]) + " busy, " +
            std::to_string(n[Verdict::Young]) + " young, " + std::to_string(n[Verdict::Note]) + " notes\n");
    }
    return n[Verdict::Broken] > 0 ? 1 : 0;
}

// How an action is told: one line a message ("would move ID ..."), and the
// totals ("3 to move" / "3 moved").
struct ActionWords {
    const char* action;
    const char* would;  // a dry run's line
    const char* done;   // after --apply, line and totals
    const char* to_do;  // a dry run's totals
};

const ActionWords& words_of(const std::string& action) {
    static const ActionWords table[] = {{"move", "would move", "moved", "to move"},
                                        {"quarantine", "would quarantine", "quarantined", "to quarantine"},
                                        {"release", "would release", "released", "to release"},
                                        {"remove", "would remove", "removed", "to remove"}};
    for (const ActionWords& w : table)
        if (action == w.action) return w;
    return table[0];
}

void print_result(const OpResult& r, bool apply, bool as_json) {
    if (as_json) {
        JsonObject j;
        j.str("id", r.id).str("action", r.action).str("from", r.from);
        if (!r.to.empty()) j.str("to", r.to);
        j.strings("files", r.files).boolean("done", r.done);
        if (r.skipped) j.str("skipped", r.reason);
        put(j.text() + "\n");
        return;
    }
    if (r.skipped) {
        put("skip " + r.id + ": " + r.reason + "\n");
        return;
    }
    const ActionWords& v = words_of(r.action);
    std::string line = std::string(apply ? v.done : v.would) + " " + r.id;
    if (r.action == "move") line += " from " + r.from + " to " + r.to;
    else if (r.action == "remove") {
        line += ":";
        for (const std::string& f : r.files) line += " " + f;
    } else line += " in " + r.from;
    put(line + "\n");
}

int report_totals(const std::string& action, int done, int skipped, bool apply, bool as_json) {
    if (!as_json) {
        const ActionWords& w = words_of(action);
        std::string s = std::to_string(done) + " " + (apply ? w.done : w.to_do) + ", " + std::to_string(skipped) +
                        " skipped";
        if (!apply) s += " (dry run: nothing changed; add --apply to do it)";
        put(s + "\n");
    }
    return skipped > 0 ? 1 : 0;
}

int run_clean(Common& o) {
    if (o.apply && o.grace < 600) {
        std::fprintf(stderr,
                     "%s clean: --grace %lld with --apply could remove a message being received (sendmail writes "
                     "its df before its qf): 600 seconds at least\n",
                     kWho, o.grace);
        return 2;
    }
    auto ls = layouts(o);
    if (!ls) return 2;
    CheckOptions co;
    co.now = std::time(nullptr);
    co.grace = o.grace;
    Layout all;
    for (const Layout& l : *ls) all.dirs.insert(all.dirs.end(), l.dirs.begin(), l.dirs.end());
    int done = 0, skipped = 0, busy = 0;
    for (const Finding& f : check_queue(all, co)) {
        if (f.verdict == Verdict::Busy) {  // named, left alone, not a failure
            ++busy;
            if (o.json)
                put(JsonObject()
                        .str("id", f.id)
                        .str("action", "remove")
                        .str("from", f.path.substr(0, f.path.rfind('/')))
                        .strings("files", {f.path})
                        .boolean("done", false)
                        .str("busy", f.message)
                        .text() +
                    "\n");
            else put("busy " + f.id + ": " + f.path + ": " + f.message + "\n");
            continue;
        }
        if (f.verdict != Verdict::Broken || f.remove.empty()) continue;
        if (!o.ids.empty() && std::find(o.ids.begin(), o.ids.end(), f.id) == o.ids.end()) continue;
        std::string dir = f.path.substr(0, f.path.rfind('/'));
        OpResult r = remove_files(f.id, dir, f.remove, o.apply, f.qf_dir);
        r.reason = r.skipped ? r.reason : f.kind;
        print_result(r, o.apply, o.json);
        (r.skipped ? skipped : done)++;
    }
    if (busy && !o.json) put(std::to_string(busy) + " busy (locked by a running sendmail, left alone)\n");
    return report_totals("remove", done, skipped, o.apply, o.json);
}

// ---- move, quarantine, release --------------------------------------------

int run_change(Common& o, const std::string& what) {
    auto ls = layouts(o);
    auto f = filter_of(o);
    if (!ls || !f) return 2;
    std::optional<Layout> dest;
    if (what == "move") {
        if (o.to.empty()) {
            std::fprintf(stderr, "%s move: --to DEST is required\n", kWho);
            return 2;
        }
        struct stat st;
        std::string parent = o.to;
        while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
        parent = parent.find('/') == std::string::npos ? "." : parent.substr(0, std::max<std::size_t>(1, parent.rfind('/')));
        if (::stat(o.to.c_str(), &st) < 0 && ::stat(parent.c_str(), &st) < 0) {
            std::fprintf(stderr, "%s move: --to %s: its directory %s does not exist\n", kWho, o.to.c_str(), parent.c_str());
            return 2;
        }
        if (::stat(o.to.c_str(), &st) == 0)
            for (const Layout& l : *ls)
                for (const QueueDir& d : l.dirs) {
                    struct stat sd;
                    if (::stat(d.dir.c_str(), &sd) == 0 && sd.st_ino == st.st_ino && sd.st_dev == st.st_dev) {
                        std::fprintf(stderr, "%s move: --to %s is the queue directory the messages are in\n", kWho,
                                     o.to.c_str());
                        return 2;
                    }
                }
        if (::stat(o.to.c_str(), &st) < 0) {
            if (!o.apply) {
                put("would create " + o.to + " (mode 0700)\n");
            } else {
                std::string err = make_queue_dir(o.to, ls->front().dirs.front().dir);
                if (!err.empty()) {
                    std::fprintf(stderr, "%s: %s\n", kWho, err.c_str());
                    return 2;
                }
            }
        }
        if (::stat(o.to.c_str(), &st) == 0) {
            dest = queue_layout(o.to, {});
            if (!dest->errors.empty() || dest->dirs.empty()) {
                std::fprintf(stderr, "%s: %s: %s\n", kWho, o.to.c_str(),
                             dest->errors.empty() ? "not a queue directory" : dest->errors.front().c_str());
                return 2;
            }
        }
    }
    if (what == "quarantine") {
        if (o.reason.empty()) {
            std::fprintf(stderr, "%s quarantine: --reason TEXT is required\n", kWho);
            return 2;
        }
        if (o.reason.find('\n') != std::string::npos) {
            std::fprintf(stderr, "%s quarantine: --reason must be one line\n", kWho);
            return 2;
        }
    }
    int done = 0, skipped = 0;
    if (what == "move" && dest) {
        // A move killed after its rename left the old link of the data
        // file in the source: finish those first (the message is in dest).
        Layout both;
        for (const Layout& l : *ls) both.dirs.insert(both.dirs.end(), l.dirs.begin(), l.dirs.end());
        both.dirs.push_back(dest->dirs.front());
        CheckOptions co;
        co.now = std::time(nullptr);
        for (const Finding& fd : check_queue(both, co)) {
            if (fd.kind != "unfinished-move" || fd.path.compare(0, dest->dirs.front().df_dir.size() + 1,
                                                                 dest->dirs.front().df_dir + "/") == 0)
                continue;
            OpResult r = remove_files(fd.id, fd.path.substr(0, fd.path.rfind('/')), fd.remove, o.apply, fd.qf_dir);
            if (o.json) print_result(r, o.apply, true);
            else if (r.skipped) put("skip " + r.id + ": " + r.reason + "\n");
            else put(std::string(o.apply ? "finished" : "would finish") + " the interrupted move of " + r.id +
                     " (the old link " + fd.path + ")\n");
            (r.skipped ? skipped : done)++;
        }
    }
    // Collect first, then act: acting while reading a directory would let
    // readdir() see a renamed file again.
    struct Item {
        const Layout* l;
        Message m;
    };
    std::vector<Item> items;
    const FileKind kind = what == "release" ? FileKind::Hf : what == "move" ? mode_kind(o) : FileKind::Qf;
    each_selected(*ls, kind, *f, [&](const Layout& l, const Message& m) { items.push_back({&l, m}); });
    Progress progress(what, static_cast<long>(items.size()));
    for (const Item& it : items) {
        OpResult r;
        if (what == "move") {
            if (dest) {
                r = move_message(it.m, dest->dirs.front(), o.apply);
            } else {  // dry run into a directory not made yet: judged as it will be
                QueueDir planned;
                planned.dir = planned.qf_dir = planned.df_dir = planned.xf_dir = planned.printed = o.to;
                planned.qp_name = ".";
                r = move_message(it.m, planned, false);
            }
        } else if (what == "quarantine") {
            r = quarantine_message(it.m, o.reason, o.apply);
        } else {
            r = release_message(it.m, o.apply);
        }
        print_result(r, o.apply, o.json);
        (r.skipped ? skipped : done)++;
        progress.tick();
    }
    // An --id that selected nothing is named (the others are still done).
    int missing = 0;
    for (const std::string& id : o.ids) {
        bool seen = false;
        for (const Item& it : items) seen = seen || it.m.id == id;
        if (seen) continue;
        ++missing;
        // say why: the message may be there in the other state
        bool as_qf = false, as_hf = false;
        for (const Layout& l : *ls)
            for (const QueueDir& d : l.dirs) {
                struct stat st;
                as_qf = as_qf || ::stat(join_path(d.qf_dir, "qf" + id).c_str(), &st) == 0;
                as_hf = as_hf || ::stat(join_path(d.qf_dir, "hf" + id).c_str(), &st) == 0;
            }
        std::string why = "no such message in " + ls->front().dirs.front().printed;
        if (what == "quarantine" && as_hf) why = "is already quarantined (release it first to change the reason)";
        if (what == "release" && as_qf) why = "is not quarantined";
        if (what == "move" && kind == FileKind::Qf && as_hf) why = "is quarantined (move --quarantined moves those)";
        if (what == "move" && kind == FileKind::Hf && as_qf) why = "is not quarantined";
        std::fprintf(stderr, "%s %s: --id %s: %s\n", kWho, what.c_str(), id.c_str(), why.c_str());
    }
    const int status = report_totals(what, done, skipped, o.apply, o.json);
    return missing ? 1 : status;
}

// ---- route and summary ---------------------------------------------------

int run_route(Common& o) {
    if (!o.cfg) {
        std::fprintf(stderr, "%s route: --config CF is required (the rules that decide)\n", kWho);
        return 2;
    }
    auto ls = layouts(o);
    auto f = filter_of(o);
    if (!ls || !f) return 2;
    each_selected(*ls, mode_kind(o), *f, [&](const Layout&, const Message& m) {
        std::vector<Route> rs = route_message(*o.cfg, m);
        if (o.json) {
            std::vector<std::string> a;
            for (const Route& r : rs) {
                JsonObject x;
                x.str("recipient", r.recipient).str("mailer", r.mailer);
                if (r.has_host) x.str("host", r.host);
                else x.null("host");
                x.str("user", r.user).boolean("error", r.error);
                if (!r.message.empty()) x.str("message", r.message);
                if (r.tempfail) x.boolean("tempfail", true);
                a.push_back(x.text());
            }
            put(JsonObject().str("id", m.id).str("queue", m.dir->printed).raw("routes", json_array(a)).text() + "\n");
            return;
        }
        std::string out;
        for (const Route& r : rs) {
            out += m.id + " " + r.recipient + " -> ";
            if (r.error) out += "error: " + (r.message.empty() ? std::string("unresolvable") : r.message);
            else {
                out += "mailer=" + r.mailer;
                if (r.has_host) out += " host=" + r.host;
                out += " user=" + r.user;
            }
            out += "\n";
        }
        put(out);
    });
    return 0;
}

int run_summary(Common& o) {
    auto ls = layouts(o);
    auto f = filter_of(o);
    if (!ls || !f) return 2;
    SummaryBuilder b(std::time(nullptr), 9, 5, o.by_sender);  // qshape's default columns
    each_selected(*ls, mode_kind(o), *f, [&](const Layout&, const Message& m) { b.add(m); });
    const Summary& s = b.result();
    if (o.json) {
        auto numbers = [](const auto& v) {
            std::vector<std::string> t;
            for (auto x : v) t.push_back(std::to_string(x));
            return json_array(t);
        };
        JsonObject rows;
        for (const auto& [d, v] : s.rows) rows.raw(d, numbers(v));
        put(JsonObject()
                .raw("buckets_minutes", numbers(s.bucket_minutes))
                .raw("total", numbers(s.total))
                .raw("rows", rows.text())
                .num("messages", s.messages)
                .num("oldest_seconds", s.oldest)
                .text() +
            "\n");
        return 0;
    }
    put(format_summary(s, static_cast<std::size_t>(o.top)));
    return 0;
}

}  // namespace

namespace {
const char* const kSubcommands[] = {"list", "show", "check", "clean", "move", "quarantine", "release", "route", "summary"};
}

int cmd_queue(int argc, char** argv) {
    if (argc > 1 && argv[1][0] != '-') {  // a misspelt subcommand: say so, not "a subcommand is required"
        bool known = false;
        for (const char* c : kSubcommands) known = known || std::strcmp(argv[1], c) == 0;
        if (!known) {
            std::string best;
            std::size_t best_d = 3;
            for (const char* c : kSubcommands)
                if (std::size_t d = edit_distance(argv[1], c); d < best_d) {
                    best = c;
                    best_d = d;
                }
            std::fprintf(stderr, "%s: unknown subcommand '%s'%s (list, show, check, clean, move, quarantine, "
                                 "release, route, summary)\n",
                         kWho, argv[1], best.empty() ? "" : (" (did you mean '" + best + "'?)").c_str());
            return 2;
        }
    }
    CLI::App app{"The mail queue: list it as mailq does, check it, and move, quarantine, release or clean "
                 "messages safely (dry run unless --apply)."};
    app.name("cfkit queue");
    app.require_subcommand(1);
    Common o;
    auto sub = [&](const char* name, const char* help, const char* id_help = nullptr) {
        CLI::App* c = app.add_subcommand(name, help);
        if (id_help) c->add_option("id", o.show_id, id_help)->required();  // before the directories
        add_dirs(c, o);
        c->add_option("--hostname", o.hostname, "the host name the config is read with")->capture_default_str();
        return c;
    };
    CLI::App* list = sub("list", "print the queue as `sendmail -bp` (mailq) does, byte for byte; --json: one object a message");
    add_filters(list, o);
    list->add_flag("--quarantined", o.quarantined, "quarantined messages (hf files), as `mailq -qQ`");
    list->add_flag("--lost", o.lost, "lost messages (Qf files), as `mailq -qL`");
    list->add_flag("-v,--verbose", o.verbose, "the verbose listing (priority, controlling user), as `mailq -v`");
    list->add_flag("--json", o.json, "JSON Lines, streamed in directory order");
    list->add_option("--threads", o.threads, "readers of a big queue directory (default: one a processor, at most 4)");

    CLI::App* show = sub("show", "one message's control file decoded, and its body's first lines", "the queue id");
    show->add_option("--lines", o.body_lines, "body lines to show")->capture_default_str();
    show->add_flag("--json", o.json, "as JSON");

    CLI::App* check = sub("check", "find broken files (exit 1): qf without df, orphan df/xf, empty or corrupt qf, stale tf");
    check->add_option("--grace", o.grace, "seconds before a lone df or tf counts as stale")
        ->check(CLI::Range(0, 1000000000))
        ->capture_default_str();
    check->add_flag("--json", o.json, "JSON Lines, one finding a line");

    CLI::App* clean = sub("clean", "remove what check finds broken and removable (dry run unless --apply)");
    clean->add_option("--id", o.ids, "only these queue ids (repeatable)")->allow_extra_args(false);
    clean->add_option("--grace", o.grace,
                      "seconds before a lone df or tf counts as stale (with --apply at least 600: sendmail writes "
                      "a message's df before its qf)")
        ->check(CLI::Range(0, 1000000000))
        ->capture_default_str();
    clean->add_flag("--apply", o.apply, "do it");
    clean->add_flag("--json", o.json, "JSON Lines, one action a line");

    CLI::App* move = sub("move", "move messages (qf and df as a unit) to another queue directory, e.g. mqueue-fixme");
    add_filters(move, o);
    move->add_option("--to", o.to, "the destination directory (made, mode 0700, if missing)");
    move->add_flag("--quarantined", o.quarantined, "move quarantined messages (hf files) instead");
    move->add_flag("--apply", o.apply, "do it");
    move->add_flag("--json", o.json, "JSON Lines, one action a line");

    CLI::App* quar = sub("quarantine", "quarantine messages as `sendmail -Q` does (qf -> hf with a q line)");
    add_filters(quar, o);
    quar->add_option("--reason", o.reason, "the quarantine reason");
    quar->add_flag("--apply", o.apply, "do it");
    quar->add_flag("--json", o.json, "JSON Lines, one action a line");

    CLI::App* rel = sub("release", "release quarantined messages (hf -> qf)");
    add_filters(rel, o);
    rel->add_flag("--apply", o.apply, "do it");
    rel->add_flag("--json", o.json, "JSON Lines, one action a line");

    CLI::App* route = sub("route", "where the config (ruleset 0) sends each queued recipient: mailer, host, user");
    add_filters(route, o);
    route->add_flag("--quarantined", o.quarantined, "route quarantined messages instead");
    route->add_flag("--json", o.json, "JSON Lines, one message a line");

    CLI::App* summary = sub("summary", "recipients by domain and age (qshape's table)");
    add_filters(summary, o);
    summary->add_option("--top", o.top, "rows to show")->capture_default_str();
    summary->add_flag("--by-sender", o.by_sender, "by the sender's domain instead");
    summary->add_flag("--quarantined", o.quarantined, "quarantined messages instead");
    summary->add_flag("--json", o.json, "as JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (o.quarantined && o.lost) {
        std::fprintf(stderr, "%s: --quarantined and --lost exclude each other\n", kWho);
        return 2;
    }
    if (!load(o)) return 2;
    if (list->parsed()) return run_list(o);
    if (show->parsed()) return run_show(o);
    if (check->parsed()) return run_check(o);
    if (clean->parsed()) return run_clean(o);
    if (move->parsed()) return run_change(o, "move");
    if (quar->parsed()) return run_change(o, "quarantine");
    if (rel->parsed()) return run_change(o, "release");
    if (route->parsed()) return run_route(o);
    return run_summary(o);
}

}  // namespace cfkit
