// See hostinfo.hpp. What sendmail 8.17 does, checked against it under
// several hosts files (main.c, conf.c load_if_names(), daemon.c):
//  - before reading: host name from gethostname(); looked up in the hosts
//    file (IPv6 lines first, then IPv4; all matching lines merged); $j is
//    the canonical name if dotted, else the first dotted alias; $w=$j, $m
//    the part after the first dot, $k the uname node name; $=w gets $j, $k,
//    the aliases and the addresses ("[a.b.c.d]", "[IPv6:full]").
//  - after reading: $=m gets $m; unless DontProbeInterfaces, every up IPv4
//    interface address "[a.b.c.d]" (0.0.0.0 and 255.255.255.255 skipped)
//    and the names of its reverse lookup (first matching hosts line only)
//    with their "[name]" forms; then $j again.
#include "engine/names/hostinfo.hpp"

#include <arpa/inet.h>
#include <cstdio>
#include <fstream>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/text/textutil.hpp"
#include "engine/text/translate.hpp"

namespace cfkit {

namespace {

void add_unique_ci(std::vector<std::string>& v, const std::string& s) { v.push_back(s); }

} // namespace

std::vector<HostsLine> parse_hosts(const std::string& content) {
    std::vector<HostsLine> out;
    std::istringstream in(content);
    std::string line;
    while (std::getline(in, line)) {
        std::size_t hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        std::istringstream ls(line);
        HostsLine h;
        if (!(ls >> h.address)) continue;
        in_addr a4{};
        in6_addr a6{};
        if (inet_pton(AF_INET, h.address.c_str(), &a4) == 1) {
            h.address_word = "[" + h.address + "]";
        } else if (inet_pton(AF_INET6, h.address.c_str(), &a6) == 1) {
            h.ipv6 = true;
            h.address_word = "[IPv6:" + full_ipv6(h.address) + "]";
        } else {
            continue;
        }
        std::string n;
        while (ls >> n) h.names.push_back(n);
        if (!h.names.empty()) out.push_back(std::move(h));
    }
    return out;
}

std::optional<HostEnt> hosts_forward(const std::vector<HostsLine>& hosts, const std::string& name, bool ipv6) {
    std::optional<HostEnt> he;
    for (const HostsLine& h : hosts) {
        if (h.ipv6 != ipv6) continue;
        bool match = false;
        for (const std::string& n : h.names) match = match || ascii_iequal(n, name);
        if (!match) continue;
        if (!he) {
            he = HostEnt{};
            he->name = h.names[0];
            for (std::size_t i = 1; i < h.names.size(); ++i) he->aliases.push_back(h.names[i]);
        } else {
            for (std::size_t i = 1; i < h.names.size(); ++i) he->aliases.push_back(h.names[i]);
            if (h.names[0] != he->name) he->aliases.push_back(h.names[0]);
        }
        he->address_words.push_back(h.address_word);
    }
    return he;
}

std::optional<HostEnt> hosts_reverse(const std::vector<HostsLine>& hosts, const std::string& address) {
    for (const HostsLine& h : hosts) {
        if (h.ipv6 || h.address != address) continue;
        HostEnt he;
        he.name = h.names[0];
        he.aliases.assign(h.names.begin() + 1, h.names.end());
        he.address_words.push_back(h.address_word);
        return he;
    }
    return std::nullopt;
}

HostInfo probe_host(const ProbeOptions& opt) {
    HostInfo hi;
    if (opt.hostname) {
        hi.hostname = *opt.hostname;
        hi.nodename = *opt.hostname;
    } else {
        char buf[256] = {0};
        if (gethostname(buf, sizeof buf - 1) == 0 && buf[0]) hi.hostname = buf;
        else hi.hostname = "localhost";
        utsname u{};
        hi.nodename = uname(&u) == 0 ? u.nodename : hi.hostname;
    }
    std::ifstream hf(opt.hosts_file);
    if (hf) {
        std::stringstream ss;
        ss << hf.rdbuf();
        hi.hosts = parse_hosts(ss.str());
    }
    if (opt.probe_interfaces) {
        ifaddrs* ifs = nullptr;
        if (getifaddrs(&ifs) == 0) {
            for (ifaddrs* i = ifs; i; i = i->ifa_next) {
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
                if (!(i->ifa_flags & IFF_UP)) continue;
                char buf[INET_ADDRSTRLEN];
                auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
                inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
                std::string a = buf;
                if (a == "0.0.0.0" || a == "255.255.255.255") continue;
                hi.interfaces.push_back({a, (i->ifa_flags & IFF_LOOPBACK) != 0});
            }
            freeifaddrs(ifs);
        }
    }
    if (std::FILE* la = std::fopen("/proc/loadavg", "r")) {
        double v = 0;
        if (std::fscanf(la, "%lf", &v) == 1) hi.load_avg = static_cast<int>(v + 0.5);
        std::fclose(la);
    }
    hi.now = std::time(nullptr);
    hi.pid = static_cast<long>(getpid());
    if (const char* u = getenv("USER")) {
        if (*u) hi.user = u;
    }
    return hi;
}

void apply_startup(Env& env, const HostInfo& host, std::vector<std::string>* aka) {
    std::optional<HostEnt> he = hosts_forward(host.hosts, host.hostname, true);
    if (!he) he = hosts_forward(host.hosts, host.hostname, false);
    std::string j = host.hostname;
    if (he) {
        if (he->name.find('.') != std::string::npos || j.find('.') == std::string::npos) j = he->name;
        if (j.find('.') == std::string::npos) {
            for (const std::string& a : he->aliases) {
                if (a.find('.') != std::string::npos) {
                    j = a;
                    break;
                }
            }
        }
    }
    env.macros.set('w', j);
    env.macros.set('j', j);
    env.classes.add('w', j);
    std::size_t dot = j.find('.');
    if (dot != std::string::npos && dot + 1 < j.size()) env.macros.set('m', j.substr(dot + 1));
    env.macros.set('k', host.nodename);
    env.classes.add('k', host.nodename);
    env.classes.add('w', host.nodename);
    if (aka && !j.empty()) {
        aka->push_back("Canonical name: " + j);
        aka->push_back(" UUCP nodename: " + host.nodename);
    }
    if (he) {
        for (const std::string& a : he->aliases) {
            env.classes.add('w', a);
            if (aka) aka->push_back("\ta.k.a.: " + a);
        }
        for (const std::string& a : he->address_words) {
            env.classes.add('w', a);
            if (aka) aka->push_back("\ta.k.a.: " + a);
        }
    }
    // Fixed state of -bt mode (main.c), visible with `$x` commands.
    env.macros.set('v', "8.17.1.9");
    if (host.now) env.macros.set('b', arpadate(host.now));  // main.c: the current date
    env.macros.set('_', host.user + "@localhost");
    if (auto id = env.names.find("opMode")) env.macros.set(*id, "t");
    // setdefaults(): SM_FORK until a DeliveryMode option says otherwise; a
    // ${deliveryMode} in a rule is expanded while the file is read
    if (auto id = env.names.find("deliveryMode")) env.macros.set(*id, "b");
    if (auto id = env.names.find("load_avg")) env.macros.set(*id, std::to_string(host.load_avg));
}

std::string apply_post_read(Env& env, const HostInfo& host, int dont_probe, std::vector<std::string>* aka) {
    CollectingReporter quiet;
    const std::string* m = env.macros.get('m');
    if (m) {
        std::string em = expand(*m, env, quiet);
        if (!em.empty()) env.classes.add('m', em);
    }
    if (dont_probe != 2) {
        for (const Interface& i : host.interfaces) {
            std::string word = "[" + i.address + "]";
            if (!env.classes.contains('w', word)) {
                env.classes.add('w', word);
                if (aka) aka->push_back("\ta.k.a.: " + word);
            }
            if (dont_probe == 1 && i.loopback) continue;
            std::optional<HostEnt> r = hosts_reverse(host.hosts, i.address);
            if (!r) continue;
            std::vector<std::string> names{r->name};
            for (const std::string& a : r->aliases) add_unique_ci(names, a);
            for (const std::string& n : names) {
                if (env.classes.contains('w', n)) continue;
                env.classes.add('w', n);
                if (aka) aka->push_back("\ta.k.a.: " + n);
                std::string b = "[" + n + "]";
                if (!env.classes.contains('w', b)) env.classes.add('w', b);
            }
        }
    }
    std::string j = expand("\x81j", env, quiet);
    if (j.empty()) j = "localhost";
    env.classes.add('w', j);
    return j;
}

namespace {

bool iequal_cstr(const std::string& a, const std::string& b) { return ascii_iequal(a, b); }

} // namespace

std::optional<std::string> HostsResolver::canonical_name(const std::string& host) const {
    const std::string* m = macros_ ? macros_->get('m') : nullptr;
    const std::string mydom = m ? *m : std::string();
    // shorten_hostname(): drop a final dot; if the domain is ours, also
    // try the name without it.
    std::string name = host;
    bool canon = false;
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
        canon = true;
    }
    std::string short_name;
    bool has_short = false;
    std::size_t dot = name.find('.');
    if (dot != std::string::npos) {
        std::string dom = name.substr(dot + 1);
        bool ours;
        if (canon) {
            ours = ascii_iequal(dom, mydom);
        } else {
            ours = mydom.size() >= dom.size() && ascii_iequal(mydom.substr(0, dom.size()), dom) &&
                   (mydom.size() == dom.size() || mydom[dom.size()] == '.');
        }
        if (ours) {
            short_name = name.substr(0, dot);
            has_short = true;
        }
    }
    const std::string& lookup = has_short ? short_name : name;
    for (const HostsLine& h : hosts_) {
        // extract_canonname(): the first name with a dot (else the first
        // name) is canonical; any name matching makes the line a hit.
        std::string cbuf;
        bool found = false;
        for (const std::string& n : h.names) {
            if (cbuf.empty() || (cbuf.find('.') == std::string::npos && n.find('.') != std::string::npos)) cbuf = n;
            if (iequal_cstr(lookup, n) || (has_short && iequal_cstr(name, n))) found = true;
        }
        if (!found) continue;
        if (cbuf.find('.') == std::string::npos && m) cbuf += "." + mydom;
        // getcanonname(): still no dot (or only a final one): add $m
        std::size_t d = cbuf.find('.');
        if (d == std::string::npos || d + 1 == cbuf.size()) {
            if (!m) return std::nullopt;
            if (cbuf.back() != '.') cbuf += ".";
            cbuf += mydom;
        }
        return cbuf;
    }
    return std::nullopt;
}

std::optional<std::string> HostsResolver::name_for_address(const std::string& addr) const {
    std::string a = addr;
    bool v6 = false;
    if (a.size() > 5 && ascii_iequal(a.substr(0, 5), "IPv6:")) {
        a = a.substr(5);
        v6 = true;
    }
    for (const HostsLine& h : hosts_) {
        if (h.ipv6 != v6) continue;
        bool same = h.address == a;
        if (v6 && !same) same = full_ipv6(h.address) == full_ipv6(a);
        if (same) return h.names[0];
    }
    return std::nullopt;
}

} // namespace cfkit
