// What sendmail learns about the machine around reading the .cf file: its
// name ($j $w $m $k) and the words of class w (the name, its aliases and
// addresses from the hosts file, the IPv4 interface addresses and their
// reverse names). probe_host() does the I/O; the rest works on the value,
// so tests and the differential suite can fix it.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "engine/names/maps.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

struct HostsLine {
    bool ipv6 = false;
    std::string address;             // as written
    std::string address_word;        // "[1.2.3.4]" or "[IPv6:full:form]"
    std::vector<std::string> names;  // canonical name first, then aliases
};

struct Interface {
    std::string address;  // dotted IPv4
    bool loopback = false;
};

struct HostInfo {
    std::string hostname;               // gethostname(), or the override
    std::string nodename;               // uname -n ($k)
    std::vector<HostsLine> hosts;       // the hosts file
    std::vector<Interface> interfaces;  // up IPv4 interfaces, kernel order
    std::string user = "root";          // $_ is "user@localhost" in -bt
    int load_avg = 0;                   // ${load_avg}: the 1-minute load, rounded
    std::time_t now = 0;                // start time, for $b (0: leave $b undefined)
    long pid = 0;                       // the process id, for $i (the queue id)
};

struct ProbeOptions {
    std::optional<std::string> hostname;  // instead of gethostname() (and uname)
    bool probe_interfaces = true;         // false: as if there were none
    std::string hosts_file = "/etc/hosts";
};

HostInfo probe_host(const ProbeOptions& opt);

// Before the file is read (main.c): $j $w $m $k, classes w and k, and the
// fixed test-mode macros.
// With `aka` (-d0.4), the lines sendmail prints meanwhile ("Canonical
// name: ...", "\ta.k.a.: ...") are added to it.
void apply_startup(Env& env, const HostInfo& host, std::vector<std::string>* aka = nullptr);

// After it (main.c): $=m, interface addresses (DontProbeInterfaces: 0 all,
// 1 no reverse names for loopback, 2 none), then $j in $=w.
// Returns the name used for $j ("localhost" if empty) for the caller's warning.
std::string apply_post_read(Env& env, const HostInfo& host, int dont_probe, std::vector<std::string>* aka = nullptr);

// glibc's hosts-file answers, as sendmail sees them.
struct HostEnt {
    std::string name;
    std::vector<std::string> aliases;
    std::vector<std::string> address_words;
};
std::optional<HostEnt> hosts_forward(const std::vector<HostsLine>& hosts, const std::string& name, bool ipv6);
std::optional<HostEnt> hosts_reverse(const std::vector<HostsLine>& hosts, const std::string& address);

std::vector<HostsLine> parse_hosts(const std::string& content);

// The resolver sendmail uses with a service switch of "hosts files": the
// hosts file only (getcanonname() / text_getcanonname(), gethostbyaddr()).
// Unqualified answers get "." and $m appended, so it reads $m at each call.
class HostsResolver : public Resolver {
public:
    HostsResolver(std::vector<HostsLine> hosts, const Macros* macros)
        : hosts_(std::move(hosts)), macros_(macros) {}
    std::optional<std::string> canonical_name(const std::string& host) const override;
    std::optional<std::string> name_for_address(const std::string& addr) const override;

private:
    std::vector<HostsLine> hosts_;
    const Macros* macros_;
};

} // namespace cfkit
