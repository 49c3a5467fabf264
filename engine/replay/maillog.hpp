// sendmail's syslog lines, and the SMTP connections they describe. A line
// is read into a LogLine (time, host, pid, queue id, message); a
// SessionRebuilder groups them by process (the daemon forks one child per
// connection) into RebuiltSessions: the client, its name and how it
// resolved, AUTH and STARTTLS, and each transaction's sender and
// recipients with the verdict the log records. What the log does not carry
// (DNS answers, HELO names below LogLevel 14, headers, bodies) is marked as
// unknown, never guessed silently.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cfkit::replay {

struct LogLine {
    std::string stamp;  // as written ("Dec  7 20:10:00" or an ISO time)
    std::string host;
    long pid = 0;
    std::string qid;    // the queue id, "NOQUEUE", or "" when the line has none
    std::string msg;    // after "QID: "
};

// A syslog line written for sendmail (classic "Mmm dd hh:mm:ss host
// sendmail[pid]: ..." or RFC 3339 time stamps); nullopt for other programs'
// lines and for lines that are not syslog's.
std::optional<LogLine> parse_log_line(std::string_view line);

// "key=value, key=value" fields of a message (values may hold ", " inside
// <...> or [...]); the first bare words (before any '=') are left out.
std::map<std::string, std::string> log_fields(std::string_view msg);

// "relay=NAME [ADDR] (may be forged)" into its parts.
struct Relay {
    std::string name;  // "" when the address did not resolve
    std::string addr;  // without brackets; an IPv6 one without "IPv6:"
    bool forged = false;
};
std::optional<Relay> parse_relay(std::string_view value);

struct Verdict {
    enum class Kind { Accepted, Rejected, TempFailed, Unknown };
    Kind kind = Kind::Unknown;
    std::string reply;    // the reply as logged ("550 5.7.1 <a@b>... Relaying denied")
    std::string ruleset;  // "check_rcpt" ... for a rule's reject
};
const char* verdict_word(Verdict::Kind k);

struct RcptRecord {
    std::string address;
    Verdict logged;
};

struct Transaction {
    std::string qid;
    std::string helo;  // the HELO name in force when it began ("" if not logged)
    std::string sender;
    bool has_sender = false;
    Verdict mail;  // Unknown: MAIL was not rejected (the log shows no verdict for it)
    std::vector<RcptRecord> rcpts;
};

struct RebuiltSession {
    std::string host;  // the syslog host that logged it (logs of several hosts may be merged)
    long pid = 0;
    std::size_t first_line = 0;  // of the log (counting from 1, over all files)
    std::string stamp;
    Relay client;
    bool have_client = false;
    std::string helo;  // "" when the log does not say (it does from LogLevel 14: "<-- EHLO name")
    std::string auth_id, auth_mech;
    std::size_t auth_at = 0;  // AUTH came before this transaction (an index in txns)
    std::string tls_verify;  // "" when no STARTTLS
    Verdict connect;         // check_relay's reject, if any
    std::vector<Transaction> txns;
    bool lost = false;       // "lost input channel"
};

// Feeds lines in order; calls `done` for each session once it is complete
// (its process moved on to another client, or it ended, or at finish()).
// Memory holds only the sessions still open.
class SessionRebuilder {
public:
    explicit SessionRebuilder(std::function<void(RebuiltSession&&)> done) : done_(std::move(done)) {}
    void add(const LogLine& l, std::size_t lineno);
    void finish();  // every open session

private:
    // A process is known by its host and pid: logs of several hosts
    // merged into one reuse each other's process numbers.
    using Key = long long;
    RebuiltSession& session_for(const LogLine& l, Key k, std::size_t lineno, const std::optional<Relay>& relay);
    Transaction& txn_for(RebuiltSession& s, const std::string& qid);
    Key key_of(const std::string& host, long pid);
    void close(Key key);
    void expire(std::size_t lineno);

    std::function<void(RebuiltSession&&)> done_;
    std::map<std::string, Key> hosts_;  // host -> its number, the high half of a Key
    std::map<Key, RebuiltSession> open_;
    std::map<Key, std::size_t> last_seen_;
    std::map<std::string, Key> owner_;  // "host qid" -> the process of its session
    std::map<Key, std::vector<std::string>> owned_;  // and back, to forget them at close
};

}  // namespace cfkit::replay
